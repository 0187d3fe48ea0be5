"""The generated photo sets' check (scripts/make_photo_holdout.py --check)."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
holdout = importlib.import_module("make_photo_holdout")


def manifest(*records: dict) -> str:
    return "".join(json.dumps(r, sort_keys=True) + "\n" for r in records)


def record(name: str, sha: str, box: list[int]) -> dict:
    return {"file": name, "sha256": sha, "category": "label",
            "identifiers": [{"kind": "mrn", "text": "4425518", "box": box}], "faces": []}


def test_images_whose_bytes_alone_drifted_are_named_apart_from_changed_labels():
    committed = manifest(record("a.jpg", "11", [1, 2, 3, 4]), record("b.jpg", "22", [5, 6, 7, 8]),
                         record("c.jpg", "33", [9, 9, 9, 9]))
    generated = manifest(record("a.jpg", "11", [1, 2, 3, 4]), record("b.jpg", "2f", [5, 6, 7, 8]),
                         record("c.jpg", "3f", [9, 9, 9, 10]))
    assert holdout.drift(committed, generated) == (["b.jpg"], ["c.jpg"])
    assert holdout.drift(committed, committed) == ([], [])


def test_another_list_of_images_is_a_changed_set():
    committed = manifest(record("a.jpg", "11", [1, 2, 3, 4]))
    generated = manifest(record("a.jpg", "11", [1, 2, 3, 4]), record("b.jpg", "22", [5, 6, 7, 8]))
    assert holdout.drift(committed, generated) == ([], ["the list of images"])



def test_how_much_of_a_face_shows_is_measured_not_a_changed_label():
    face = {"box": [10, 10, 40, 40], "source": "camera"}
    committed = manifest({**record("a.jpg", "11", [1, 2, 3, 4]), "faces": [face]})
    generated = manifest({**record("a.jpg", "11", [1, 2, 3, 4]),
                          "faces": [{**face, "shown": 0.25}]})
    assert holdout.drift(committed, generated) == ([], [])
    moved = manifest({**record("a.jpg", "11", [1, 2, 3, 4]),
                      "faces": [{**face, "box": [11, 10, 40, 40], "shown": 0.25}]})
    assert holdout.drift(committed, moved) == ([], ["a.jpg"])


def test_a_face_another_pasted_photo_covers_is_labelled_as_hidden():
    # Seed 96010 (no split's): the dim three-quarter cameraman, then a second cameraman
    # pasted over him; seed 96018's two faces lie apart.
    _, hidden = holdout.make_third("face", 96010, 1)
    _, apart = holdout.make_third("face", 96018, 1)
    assert [f["shown"] for f in hidden["faces"]][0] < 0.1
    assert [f["shown"] for f in hidden["faces"]][1] == 1.0
    assert [f["shown"] for f in apart["faces"]] == [1.0, 1.0]
