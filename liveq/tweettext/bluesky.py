"""Bluesky's post length (300 graphemes), splitting, and rich-text facets. Pure.

Facets mark hashtags and links by UTF-8 byte offsets (``byteStart``,
``byteEnd``), as the app.bsky.richtext.facet lexicon requires; a link without
``https://`` gets it in the facet's ``uri``. Mentions are left as plain text:
a mention facet needs the person's DID, and the handles in liveq's answers
come from other networks.
"""

from __future__ import annotations

from liveq.tweettext.entities import extract_hashtags, extract_urls
from liveq.tweettext.graphemes import grapheme_spans
from liveq.tweettext.split import pack

MAX_GRAPHEMES = 300


def bluesky_length(text: str) -> int:
    return len(grapheme_spans(text))


def split_for_bluesky(text: str, max_graphemes: int = MAX_GRAPHEMES) -> list[str]:
    """The posts of a thread, each at most `max_graphemes`; "k/n " in front when split."""
    text = text.strip()
    if not text:
        return []
    if bluesky_length(text) <= max_graphemes:
        return [text]
    digits = 1
    while True:
        widest = "9" * digits
        bodies = pack(text, bluesky_length, max_graphemes - len(f"{widest}/{widest} "))
        if len(str(len(bodies))) <= digits:
            break
        digits = len(str(len(bodies)))
    return [f"{k}/{len(bodies)} {body}" for k, body in enumerate(bodies, start=1)]


def _bytes(text: str, start: int, end: int) -> dict[str, int]:
    return {"byteStart": len(text[:start].encode()), "byteEnd": len(text[:end].encode())}


def facets(text: str) -> list[dict]:
    """The facets of `text`: hashtags and links, by UTF-8 byte offsets, in order."""
    out = []
    for tag in extract_hashtags(text):
        out.append(
            {
                "index": _bytes(text, tag.start, tag.end),
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag.text}],
            }
        )
    for url in extract_urls(text):
        target = text[url.start : url.end]
        if "://" not in target:
            target = "https://" + target
        out.append(
            {
                "index": _bytes(text, url.start, url.end),
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": target}],
            }
        )
    return sorted(out, key=lambda f: f["index"]["byteStart"])
