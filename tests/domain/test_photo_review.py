"""The photo rules (issue 19), pure: what blocks a photo, what resolves a finding."""

from __future__ import annotations

import pytest

from liveq.domain.procedure import photo_review as pr
from liveq.domain.procedure import script as sc

FACE = {"id": 1, "kind": "face", "box": [100, 100, 50, 60], "reason": "a face", "status": "open"}
NAME = {"id": 2, "kind": "name", "box": [10, 10, 80, 20], "reason": "a name", "status": "open"}


def post(findings, state=pr.DONE, signed=True):
    photo = sc.Photo(7, 3, "The team.", "image/jpeg", check_state=state, findings=tuple(findings))
    return sc.ScriptPost(1, sc.SCRIPT, 1, "Hello.", False, 2, 2 if signed else None, "carol",
                         1.0, None, (photo,))


def test_a_signed_post_is_not_sent_with_an_unresolved_finding():
    with pytest.raises(sc.NotReady, match=r"photo 1 .*a face \(at 100,100, 50×60 px\)"):
        sc.check_postable(post([FACE]))
    with pytest.raises(sc.NotReady, match="still being checked"):
        sc.check_postable(post([], state=pr.PENDING))
    with pytest.raises(sc.NotReady, match="could not be checked"):
        sc.check_postable(post([], state=pr.FAILED))
    sc.check_postable(post([{**FACE, "status": "approved"}, {**NAME, "status": "redacted"}]))
    assert sc.go_live_problems([post([NAME])], [])[0] == (
        "Script post 1's photo 1 has an unresolved finding: a name (at 10,10, 80×20 px)."
        " Blur or black it out on the procedure page (a staff face may be approved with a"
        " reason)."
    )


def test_a_region_resolves_the_findings_it_covers_and_only_those():
    region = pr.finding_region(FACE, "blur", 1000, 800)
    x, y, w, h = region["box"]
    assert x < 100 and y < 100 and x + w > 150 and y + h > 160  # a margin round the box
    after = pr.after_redaction([FACE, NAME], [region], "carol", 5.0)
    assert [f["status"] for f in after] == ["redacted", "open"]
    assert after[0]["by"] == "carol"
    # Half covered is not hidden.
    half = {"box": [100, 100, 25, 60], "style": "black"}
    assert pr.after_redaction([FACE], [half], "carol", 5.0)[0]["status"] == "open"
    # Two regions side by side cover it together.
    other = {"box": [125, 100, 25, 60], "style": "black"}
    assert pr.after_redaction([FACE], [half, other], "carol", 5.0)[0]["status"] == "redacted"


def test_only_a_face_is_approved_and_only_with_a_reason():
    with pytest.raises(pr.ReviewError, match="Say why"):
        pr.approve([FACE], 1, "carol", "  ", 1.0)
    with pytest.raises(pr.ReviewError, match="Only a face"):
        pr.approve([NAME], 2, "carol", "it is fine", 1.0)
    done = pr.approve([FACE, NAME], 1, "carol", "Dr. Okafor, staff", 1.0)
    assert done[0]["status"] == "approved" and done[0]["note"] == "Dr. Okafor, staff"
    assert done[1]["status"] == "open"


def test_regions_from_a_request_are_checked():
    assert pr.check_regions([{"box": [-5, -5, 20, 20]}], 100, 100) == [
        {"box": [0, 0, 15, 15], "style": "blur"}
    ]
    for bad in ([{"box": [1, 2, 3]}], [{"box": [0, 0, 5, 5], "style": "paint"}], "x",
                [{"box": [500, 500, 5, 5]}]):
        with pytest.raises(pr.ReviewError):
            pr.check_regions(bad, 100, 100)
