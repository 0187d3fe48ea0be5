"""Mastodon's length (graphemes, links 23, remote mentions by local part) and splitting."""

from liveq.tweettext.mastodon import mastodon_length, split_for_mastodon


def test_length_counts_links_as_23_and_mentions_by_local_part():
    assert mastodon_length("hi") == 2
    assert mastodon_length("see https://example.org/" + "a" * 200) == 4 + 23
    assert mastodon_length("@amy@mastodon.social hi") == len("@amy hi")
    assert mastodon_length("👩‍⚕️ ok") == 4  # one grapheme, a space, two letters
    assert mastodon_length("see https://example.org/x", url_length=30) == 4 + 30


def test_split_keeps_each_part_within_the_limit_and_numbers_them():
    text = " ".join(f"word{i}" for i in range(200))
    parts = split_for_mastodon(text, 100)
    assert len(parts) > 1
    assert all(mastodon_length(p) <= 100 for p in parts)
    assert parts[0].startswith(f"1/{len(parts)} ")
    assert " ".join(p.split(" ", 1)[1] for p in parts) == text


def test_short_text_is_one_part_and_blank_is_none():
    assert split_for_mastodon("Short.", 500) == ["Short."]
    assert split_for_mastodon("   ", 500) == []
