"""The literal a line pattern needs is really in every text it matches, or no literal is claimed.

A wrong literal would hide detections (the regex would never run), so the property is tested
with texts generated from each pattern itself.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signoff.core.risk.builtin import BUILTIN_RULES
from signoff.core.risk.literals import required_literal


@pytest.mark.parametrize(
    ("pattern", "needle"),
    [
        (r"-----BEGIN[A-Z ]*PRIVATE KEY", "-----BEGIN"),
        (r"(?P<secret>sk_live_[A-Za-z0-9]{20,})", "sk_live_"),
        (r"hooks\.slack\.com/services/", "hooks.slack.com/services/"),
        (r"abcdefg?", "abcdef"),  # the last character is optional
        (r"abcdefg*x", "abcdef"),
        (r"abcdef+", "abcdef"),
        (r"(?i)abcdefgh", None),  # case-insensitive: no literal
        (r"abcdefgh|x", None),  # an alternative needs nothing
        (r"(?:abcdefgh|x)", None),
        (r"(?:abcdefgh)?x", None),  # an optional group needs nothing
        (r"(?P<s>abcdefgh)*", None),
        (r"abcdefgh(?:x|y)", "abcdefgh"),  # alternation after the literal is fine
        (r"abc[^](]|xdefghij", None),  # a ( inside a class opens no group
        (r"\babcdefgh", None),
        (r"abc", None),  # too short to be worth an ``in``
        (r"(?<=x)abcdefgh", None),
    ],
)
def test_required_literal(pattern: str, needle: str | None) -> None:
    assert required_literal(pattern) == needle


_WITH_NEEDLES = sorted(
    {
        pattern
        for rule in BUILTIN_RULES
        for pattern in (*rule.added_lines, *rule.removed_lines)
        if required_literal(pattern) is not None
    }
)


@pytest.mark.parametrize("pattern", _WITH_NEEDLES)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_text_a_builtin_pattern_matches_has_its_literal(
    pattern: str, data: st.DataObject
) -> None:
    text = data.draw(st.from_regex(re.compile(pattern, re.MULTILINE)))
    needle = required_literal(pattern)
    assert needle is not None
    assert needle in text


_PIECES = st.sampled_from(
    ["abcdefgh", "x", "y", "(?:", "(?P<n>", ")", "|", "?", "*", "+", "[a(]", "\\.", "z{2}"]
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=7).map("".join), st.data())
def test_a_claimed_literal_is_in_every_match_of_any_pattern(
    pattern: str, data: st.DataObject
) -> None:
    try:
        regex = re.compile(pattern)
    except re.error:
        return
    needle = required_literal(pattern)
    if needle is None:
        return
    text = data.draw(st.from_regex(regex))
    assert needle in text
