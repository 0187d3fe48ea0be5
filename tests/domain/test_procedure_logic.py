"""The pure rules of procedure mode: words, sign-off, readiness, pacing, import."""

import pytest

from liveq.domain.procedure import importer
from liveq.domain.procedure import script as sc
from liveq.domain.procedure import text as words
from liveq.tweettext.text import weighted_length


def post(pid, role=sc.SCRIPT, version=1, signed=1, outbox=None, position=None):
    return sc.ScriptPost(
        pid, role, position or pid, f"Post {pid}", False, version, signed, "carol", 1.0, outbox
    )


def test_decorate_adds_counter_and_hashtag_once():
    assert words.decorate("Hello.", 5, "KneeLive") == "5/ Hello. #KneeLive"
    assert words.decorate("Hello #kneelive fans", 5, "KneeLive") == "5/ Hello #kneelive fans"
    assert words.overflow("x" * 270, "KneeLive") == 5
    assert words.overflow("x" * 200, "KneeLive") == 0


def test_a_long_question_is_shortened_to_fit_one_post():
    question = "Why " + "really " * 80 + "?"
    parts = words.answer_parts(question, "Because.", "Dr. Okafor", "KneeLive")
    assert len(parts) == 1 and "…”" in parts[0] and parts[0].endswith("A: Because. — Dr. Okafor")
    assert weighted_length(words.decorate(parts[0], 999, "KneeLive")) <= 280
    long_answer = "Rehab matters. " * 40
    parts = words.answer_parts("Why?", long_answer, "Dr. Okafor", "KneeLive")
    assert len(parts) > 1
    assert all(weighted_length(words.decorate(p, 999, "KneeLive")) <= 280 for p in parts)


def test_an_edit_clears_the_sign_off_and_blocks_posting():
    edited = post(1, version=2, signed=1)
    assert not edited.signed
    with pytest.raises(sc.NotReady, match="edited after sign-off"):
        sc.check_postable(edited)
    with pytest.raises(sc.NotReady, match="nobody has"):
        sc.check_postable(post(2, signed=None))
    sc.check_postable(post(3))


def test_go_live_needs_everything():
    consents = [sc.Consent(1, "Patient authorization on file", "", None, "")]
    posts = [post(1), post(2, version=2), post(3, role=sc.HOLDING, signed=None)]
    problems = sc.go_live_problems(posts, consents)
    assert problems == [
        "Consent checklist: “Patient authorization on file” is not done.",
        "Script post 2 is not signed off (edited after sign-off).",
        "The holding statement is not signed off.",
    ]
    done = [sc.Consent(1, "Patient authorization on file", "alice", 1.0, "")]
    assert sc.go_live_problems([post(1), post(3, role=sc.HOLDING)], done) == []


def test_next_post_facts_and_pacing():
    posts = [post(1, outbox=7), post(2), post(3), post(4, role=sc.FACT, position=1)]
    assert sc.next_script_post(posts).id == 2
    assert sc.suggest_fact(posts).id == 4
    assert sc.pacing_due(None, since=100.0, now=100.0 + 360, seconds=360)
    assert not sc.pacing_due(400.0, since=100.0, now=700.0, seconds=360)
    assert not sc.pacing_due(None, since=0.0, now=1e9, seconds=0)


def test_markdown_import():
    spec = importer.parse_markdown(
        "Physician: Dr. Ana Okafor\nPacing: 4\n\n## Post\nGood morning\nfrom the OR.\n"
        "![The empty operating room.](or.png)\n\n## Post\n> may be graphic\nThe incision.\n"
        "## Fact\nImplants last 20 years.\n## Holding\nA short pause.\n"
    )
    assert spec.physician == "Dr. Ana Okafor" and spec.pacing_seconds == 240
    assert [(p.role, p.text, p.warning) for p in spec.posts] == [
        ("script", "Good morning from the OR.", False),
        ("script", "The incision.", True),
        ("fact", "Implants last 20 years.", False),
        ("holding", "A short pause.", False),
    ]
    assert spec.posts[0].photos == (importer.PhotoSpec("or.png", "The empty operating room."),)
    with pytest.raises(sc.ScriptError, match="post 1, photo 1"):
        importer.parse_markdown("## Post\nText.\n![](x.png)\n")


def test_toml_errors_name_the_place():
    with pytest.raises(sc.ScriptError, match="not valid TOML"):
        importer.parse_toml("[[post]\n")
    with pytest.raises(sc.ScriptError, match="post 2: needs text"):
        importer.parse_toml('[[post]]\ntext = "a"\n[[post]]\nwarning = true\n')
