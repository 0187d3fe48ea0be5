"""Names liveq itself puts in an answer post (the asker's, the signature) are not held as
names; any other name in the post still is. Pure: the screen is the real screening."""

from liveq.ingest.screener import screen_outgoing
from liveq.workers.outbox import screen_post, screened_parts

POST = "Q3 from Maria Okonjo: is the ward open?\nA: Yes, until 8. — Dr. Lena Marsh #GR26"


def names(findings, text):
    return [text[f["start"] : f["end"]] for f in findings if f["kind"] == "name"]


def test_the_askers_name_and_the_signature_are_not_held():
    assert names(screen_post(screen_outgoing, POST), POST) == ["Maria Okonjo"]
    assert names(screen_post(screen_outgoing, POST, known=["Maria Okonjo"]), POST) == []


def test_another_name_in_the_post_is_still_held():
    text = "Q4 from Maria: how is Cornelius Blackwood?\nA: Ask the ward. — Lena Marsh"
    found = screen_post(screen_outgoing, text, known=["Maria", "Lena Marsh"])
    assert names(found, text) == ["Cornelius Blackwood"]
    ((part, findings),) = screened_parts(screen_outgoing, [text], ["Maria", "Lena Marsh"])
    assert part == text and names(findings, text) == ["Cornelius Blackwood"]
