"""The front matter fast path agrees with PyYAML whenever it answers."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from signoff.core.specs.simple_yaml import load_simple

TYPICAL = """\
id: SO-12
title: Password reset by email
status: draft   # moved by signoff
owner: alice@example.com
risk: irreversible
risk_categories: [security, copy]
gates: [tests, "human-approval"]
context:
  - docs/decisions/0003-session-tokens.md
  - src/auth/
empty:
"""


def test_the_typical_front_matter_is_covered_and_exact() -> None:
    assert load_simple(TYPICAL) == yaml.safe_load(TYPICAL)
    assert load_simple(TYPICAL) is not None


@pytest.mark.parametrize(
    "body",
    [
        "risk: yes",  # a YAML 1.1 boolean
        "id: 12",  # a number
        "when: 2026-11-21",  # a date
        "owner: @alice",  # '@' is reserved: PyYAML raises, and must be the one to say so
        "title: a: b",
        "gates: [a, [b]]",
        "x: {a: 1}",
        "x: &anchor a",
        "context:\n    - deeper",
        "- a list at the top",
        "a: 1\na: 2",
        "title: >\n  folded",
    ],
)
def test_anything_outside_the_subset_is_left_to_pyyaml(body: str) -> None:
    assert load_simple(body) is None


_word = st.text(alphabet=st.sampled_from(list("abcXYZ019_./@+-() ")), min_size=1, max_size=12)
_scalar = st.one_of(
    _word,
    _word.map(lambda word: f'"{word}"'),
    _word.map(lambda word: f"'{word}'"),
    st.sampled_from(["yes", "No", "null", "~", "1e3", "0x1F", ".inf", "true", "2026-01-02", "12"]),
)
_key = st.sampled_from(["id", "title", "status", "risk", "gates", "context", "a_b", "x-y"])
_line = st.one_of(
    st.tuples(_key, _scalar).map(lambda pair: f"{pair[0]}: {pair[1]}"),
    st.tuples(_key, st.lists(_scalar, max_size=3)).map(
        lambda pair: f"{pair[0]}: [{', '.join(pair[1])}]"
    ),
    _key.map(lambda key: f"{key}:"),
    _scalar.map(lambda value: f"  - {value}"),
    _scalar.map(lambda value: f"- {value}"),
    st.sampled_from(["# comment", "", "  ", "x: y # trailing", "\r"]),
)


@settings(max_examples=1500)
@given(st.lists(_line, max_size=8))
def test_whenever_the_fast_path_answers_it_equals_pyyaml(lines: list[str]) -> None:
    body = "\n".join(lines)
    fast = load_simple(body)
    if fast is None:
        return
    expected: Any = yaml.safe_load(body)
    assert fast == (expected if expected is not None else {})
