"""PHI detection: HIPAA Safe Harbor identifiers that fit in a short text, plus rooms/beds."""

from __future__ import annotations

import re

from liveq.screening.findings import Finding, resolve_overlaps
from liveq.screening.phi.contact import find_emails, find_ips, find_phones, find_urls
from liveq.screening.phi.dates import find_ages, find_dates
from liveq.screening.phi.identifiers import find_identifiers
from liveq.screening.phi.names import find_names
from liveq.screening.phi.people import find_people
from liveq.screening.phi.places import find_addresses, find_postcodes, find_rooms
from liveq.screening.rules import DEFAULT_RULES, ScreeningRules

# Detectors that can only fire on a text containing a digit: most questions have none,
# and skipping them is the cheapest speed-up there is.
_NEEDS_DIGIT = (find_identifiers, find_ips, find_dates, find_addresses, find_rooms,
                find_postcodes)
_ALWAYS = (find_emails, find_urls, find_ages)
_DIGIT = re.compile(r"\d")


def detect_phi(text: str, rules: ScreeningRules | None = None) -> list[Finding]:
    """Every possible identifier in ``text``, one finding per span, sorted by start.

    ``rules`` gives the regions phone numbers are read for and the staff names that are
    not PHI (default: :data:`DEFAULT_RULES`).
    """
    rules = rules or DEFAULT_RULES
    found: list[Finding] = []
    has_digit = _DIGIT.search(text) is not None
    detectors = _NEEDS_DIGIT + _ALWAYS if has_digit else _ALWAYS
    for detect in detectors:
        found.extend(detect(text))
    if has_digit:
        found.extend(find_phones(text, rules.regions))
    found.extend(find_people(text, find_names(text), rules.staff_names))
    return resolve_overlaps(found)


__all__ = ["detect_phi"]
