"""Bluesky's post length (300 graphemes), splitting, and rich-text facets. Pure.

Facets mark hashtags, links and mentions by UTF-8 byte offsets
(``byteStart``, ``byteEnd``), as the app.bsky.richtext.facet lexicon
requires; a link without ``https://`` gets it in the facet's ``uri``. A
mention facet needs the person's DID: the client resolves each handle
(``mentions``) and passes what it found; a handle that does not resolve (an
X name such as ``@alice``, say) stays plain text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

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


# Bluesky's own mention pattern (the app's rich-text detection): "@" after the
# start, a space or "(", then a handle; a handle is a domain name (a dot, and a
# last label that starts with a letter).
_MENTION = re.compile(r"(?:^|(?<=[\s(]))@([a-zA-Z0-9.-]+)\b")
_HANDLE = re.compile(
    r"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$"
)


def mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, handle) of each "@handle" that could be a Bluesky handle."""
    out = []
    for m in _MENTION.finditer(text):
        handle = m.group(1).rstrip(".")
        if _HANDLE.match(handle):
            out.append((m.start(), m.start() + 1 + len(handle), handle.lower()))
    return out


def facets(text: str, dids: Mapping[str, str] | None = None) -> list[dict]:
    """The facets of `text` by UTF-8 byte offsets, in order: hashtags, links and
    the mentions whose handle is in `dids` (handle -> DID)."""
    out = []
    for start, end, handle in mentions(text):
        if dids and handle in dids:
            out.append(
                {
                    "index": _bytes(text, start, end),
                    "features": [{"$type": "app.bsky.richtext.facet#mention", "did": dids[handle]}],
                }
            )
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
