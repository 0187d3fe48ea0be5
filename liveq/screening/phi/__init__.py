"""PHI detection: HIPAA Safe Harbor identifiers that fit in a short text, plus rooms/beds."""

from __future__ import annotations

import re

from liveq.screening.findings import Finding, resolve_overlaps
from liveq.screening.phi.contact import find_emails, find_ips, find_phones, find_urls
from liveq.screening.phi.dates import find_ages, find_dates
from liveq.screening.phi.identifiers import find_identifiers
from liveq.screening.phi.names import find_names
from liveq.screening.phi.places import find_addresses, find_rooms

# Detectors that can only fire on a text containing a digit: most questions have none,
# and skipping them is the cheapest speed-up there is.
_NEEDS_DIGIT = (find_identifiers, find_ips, find_phones, find_dates, find_addresses, find_rooms)
_ALWAYS = (find_emails, find_urls, find_ages, find_names)
_DIGIT = re.compile(r"\d")


def detect_phi(text: str) -> list[Finding]:
    """Every possible identifier in ``text``, one finding per span, sorted by start."""
    found: list[Finding] = []
    detectors = _NEEDS_DIGIT + _ALWAYS if _DIGIT.search(text) else _ALWAYS
    for detect in detectors:
        found.extend(detect(text))
    return resolve_overlaps(found)


__all__ = ["detect_phi"]
