"""twitter-text's conformance suite, read from the team's shared data folder.

Every case of validate.yml runs, and the sections of extract.yml for what
liveq extracts (links, hashtags, mentions). The data stays where it is
(Apache-2.0, from the twitter-text project): it is not copied into liveq.
It is looked for in ``$LIVEQ_SHARED_DIR/data/twitter-text``, by default in
``shared/`` beside the repository.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from liveq.tweettext.text import (
    CONFIG_V1,
    CONFIG_V2,
    CONFIG_V3,
    TwitterTextConfig,
    extract_hashtags,
    extract_mentions,
    extract_mentions_or_lists,
    extract_urls,
    is_valid_hashtag,
    is_valid_list,
    is_valid_tweet,
    is_valid_url,
    is_valid_username,
    parse_tweet,
)


def _data_dir() -> Path:
    shared = os.environ.get("LIVEQ_SHARED_DIR")
    base = Path(shared) if shared else Path(__file__).resolve().parents[2].parent / "shared"
    return base / "data" / "twitter-text"


DATA_DIR = _data_dir()
SKIP_REASON = (
    f"twitter-text conformance data not found at {DATA_DIR}: it lives in the team's shared "
    "folder beside the repository (or where LIVEQ_SHARED_DIR points), not in liveq itself."
)


def _load(name: str) -> dict[str, list[dict[str, Any]]]:
    path = DATA_DIR / name
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as file:
        return yaml.safe_load(file)["tests"]


VALIDATE = _load("validate.yml")
EXTRACT = _load("extract.yml")

# Which of our configurations each weighted-length section was written for
# (as in twitter-text's own runners: v2 was the default before emoji counting).
WEIGHTED_SECTIONS = {
    "WeightedTweetsCounterTest": CONFIG_V2,
    "WeightedTweetsWithDiscountedEmojiCounterTest": CONFIG_V3,
    "UnicodeDirectionalMarkerCounterTest": CONFIG_V3,
}
VALIDATORS = {
    # The "tweets" section predates weighting: 140 characters, as in config v1.
    "tweets": lambda text: is_valid_tweet(text, CONFIG_V1),
    "usernames": is_valid_username,
    "lists": is_valid_list,
    "hashtags": is_valid_hashtag,
    "urls": is_valid_url,
    "urls_without_protocol": lambda text: is_valid_url(text, require_protocol=False),
}
EXTRACTORS = {
    "urls": lambda text: [e.text for e in extract_urls(text)],
    "tco_urls_with_params": lambda text: [e.text for e in extract_urls(text)],
    "urls_with_indices": lambda text: [
        {"url": e.text, "indices": [e.start, e.end]} for e in extract_urls(text)
    ],
    "urls_with_directional_markers": lambda text: [
        {"url": e.text, "indices": [e.start, e.end]} for e in extract_urls(text)
    ],
    "hashtags": lambda text: [e.text for e in extract_hashtags(text)],
    "hashtags_from_astral": lambda text: [e.text for e in extract_hashtags(text)],
    "hashtags_with_indices": lambda text: [
        {"hashtag": e.text, "indices": [e.start, e.end]} for e in extract_hashtags(text)
    ],
    "mentions": lambda text: [e.text for e in extract_mentions(text)],
    "mentions_with_indices": lambda text: [
        {"screen_name": e.text, "indices": [e.start, e.end]} for e in extract_mentions(text)
    ],
    "mentions_or_lists_with_indices": lambda text: [
        {"screen_name": e.text, "list_slug": e.list_slug, "indices": [e.start, e.end]}
        for e in extract_mentions_or_lists(text)
    ],
}
# extract.yml sections for features liveq does not have.
EXTRACT_NOT_USED = {"replies", "cashtags", "cashtags_with_indices"}


def _cases(suite: dict[str, list[dict[str, Any]]], sections: set[str]) -> list[Any]:
    if not suite:  # no data: one placeholder, so the skip shows our reason
        return [pytest.param("", {}, id="no data")]
    return [
        pytest.param(section, case, id=f"{section}: {case['description']}")
        for section, cases in suite.items()
        if section in sections
        for case in cases
    ]


needs_data = pytest.mark.skipif(not DATA_DIR.is_dir(), reason=SKIP_REASON)


@needs_data
def test_every_section_is_known() -> None:
    """A section added to the data must be wired up here, not silently ignored."""
    assert set(VALIDATE) == set(VALIDATORS) | set(WEIGHTED_SECTIONS)
    assert set(EXTRACT) == set(EXTRACTORS) | EXTRACT_NOT_USED


@needs_data
def test_config_v3_matches_shared_config() -> None:
    with (DATA_DIR / "config-v3.json").open(encoding="utf-8") as file:
        assert TwitterTextConfig.from_dict(json.load(file)) == CONFIG_V3


@needs_data
@pytest.mark.parametrize(("section", "case"), _cases(VALIDATE, set(VALIDATORS)))
def test_validate(section: str, case: dict[str, Any]) -> None:
    assert VALIDATORS[section](case["text"]) is case["expected"]


@needs_data
@pytest.mark.parametrize(("section", "case"), _cases(VALIDATE, set(WEIGHTED_SECTIONS)))
def test_weighted_length(section: str, case: dict[str, Any]) -> None:
    parsed = parse_tweet(case["text"], WEIGHTED_SECTIONS[section])
    assert {
        "weightedLength": parsed.weighted_length,
        "valid": parsed.valid,
        "permillage": parsed.permillage,
        "displayRangeStart": parsed.display_range_start,
        "displayRangeEnd": parsed.display_range_end,
        "validRangeStart": parsed.valid_range_start,
        "validRangeEnd": parsed.valid_range_end,
    } == case["expected"]


@needs_data
@pytest.mark.parametrize(("section", "case"), _cases(EXTRACT, set(EXTRACTORS)))
def test_extract(section: str, case: dict[str, Any]) -> None:
    assert EXTRACTORS[section](case["text"]) == case["expected"]


def test_data_folder_or_reason() -> None:
    """Without the shared folder the suite skips, and says why."""
    if not DATA_DIR.is_dir():
        pytest.skip(SKIP_REASON)
    assert (DATA_DIR / "validate.yml").is_file(), f"{DATA_DIR} lacks validate.yml"
