"""The RE2 screen in front of the line patterns: it may let too much through, never too little.

What matters is one implication: wherever Python's pattern matches ASCII text, the RE2
translation matches too. If it ever failed, a secret in a file would go unreported; so it is
checked character by character for every construct, on random text for every built-in
pattern and for hand-picked hard ones, and end to end: the detector finds exactly the same
with the screen as without it.
"""

from __future__ import annotations

import re
import string
from typing import TYPE_CHECKING

import pytest
import re2  # type: ignore[import-untyped]  # google-re2 ships no type hints
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signoff.core.diff import FileChange
from signoff.core.risk import detect, prefilter
from signoff.core.risk.detect import RiskDetector, builtin_rules
from signoff.core.risk.prefilter import screen, superset

if TYPE_CHECKING:
    from signoff.core.risk.model import Detection

ASCII = [chr(code) for code in range(128)]
BUILTIN_PATTERNS = sorted(
    {pattern for rule in builtin_rules() for pattern in (*rule.added_lines, *rule.removed_lines)}
)
# Constructs a slice's own rules may use, each with its traps: look-arounds that forbid,
# possessive and atomic repetition, case-insensitivity local and global, classes negated and
# with categories, dot with and without DOTALL, lazy and counted repetition, anchors.
HARD_PATTERNS = [
    r"(?P<secret>AKIA(?!EXAMPLE)[A-Z2-7]{16})(?![A-Z2-7])",
    r"(?<![\w-])token\s*[:=]\s*['\"][^'\"\s]{8,}+['\"]",
    r"(?>a+)b|c*+d",
    r"(?i)password|(?-i:API)_KEY",
    r"(?i:select)\s+\*\s+from",
    r"[^\s,;]{3,}=\d+\b",
    r"\W\D\S\w",
    r"(?s)begin.{2,5}?end",
    r"begin.*?end$",
    r"^\s*import\s+(?:stripe|twilio)\b",
    r"x{0}y|z{0,1}w{2}",
    r"[\x00-\x1f\x7f]",
    r"\Aheader|footer\Z",
    r"(?i)[a-f0-9]{32}|\u017fecret",  # long s (U+017F): under IGNORECASE it matches "s"
    r"caf[é]|naïve",
]


LONG_S = "\\u017f"
# The long-s one has no translation (asserted below); the rest must all translate.
TRANSLATED_HARD = [p for p in HARD_PATTERNS if LONG_S not in p]


def test_every_hard_pattern_but_the_long_s_translates() -> None:
    assert [p for p in HARD_PATTERNS if superset(p, re.MULTILINE) is None] == [
        p for p in HARD_PATTERNS if LONG_S in p
    ]


def matches(pattern: str, text: str) -> bool:
    return re.search(pattern, text, re.MULTILINE) is not None


def screened(pattern: str, text: str) -> bool:
    translated = superset(pattern, re.MULTILINE)
    assert translated is not None, pattern
    return re2.search(translated, text) is not None


@pytest.mark.parametrize(
    "atom",
    [r"\d", r"\D", r"\s", r"\S", r"\w", r"\W", r".", r"(?s).", r"[^\s,]", r"[a-f\d_]", r"(?i)[a-c]",
     r"(?i)K", r"[^\n]", r"[\x00-\x10]", r"(?i)[^k]", r"[^é]"],
)  # fmt: skip
def test_every_class_takes_exactly_the_ascii_characters_python_takes(atom: str) -> None:
    translated = superset(atom, re.MULTILINE)
    assert translated is not None
    for char in ASCII:
        python = re.fullmatch(atom, char) is not None
        assert (re2.fullmatch(translated, char) is not None) == python, (atom, char)


def test_every_built_in_pattern_translates() -> None:
    untranslated = [p for p in BUILTIN_PATTERNS if superset(p, re.MULTILINE) is None]
    assert untranslated == []


@pytest.mark.parametrize(
    "pattern", [r"(a)\1", r"(a)?(?(1)b|c)", r"(?i)\u017fecret", r"(?i)[\u0100-\u017f]x"]
)
def test_what_has_no_superset_is_not_translated(pattern: str) -> None:
    assert superset(pattern, re.MULTILINE) is None


def _texts() -> st.SearchStrategy[str]:
    """ASCII text made of the pieces patterns look for, so that matches actually happen."""
    pieces = st.sampled_from(
        [
            "AKIA", "ASIA", "EXAMPLE", "Q2WERTYUIOPASDFG", "sk-proj-", "sk-", "ghp_", "xoxb-",
            "AIza", "SG.", "CREATE", "TABLE", "ALTER", "DROP", "INDEX", "csrf_exempt",
            "import", "from", "stripe", "twilio", "://api.", "BASE_URL", "_API_KEY",
            "-----BEGIN", "PRIVATE KEY", "token", "password", "select", "begin", "end",
            "header", "footer", "=", ":", "'", '"', " ", "\t", "\n", "\r\n", "\x0b", "\x1c",
            ",", ";", "*", "-", "_", "12345678", "abcdef0123456789abcdef0123456789",
        ]
    )  # fmt: skip
    noise = st.text(alphabet=string.printable, max_size=6)
    return st.lists(st.one_of(pieces, noise), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=_texts(), pattern=st.sampled_from(BUILTIN_PATTERNS + TRANSLATED_HARD))
def test_wherever_python_matches_ascii_text_the_translation_matches(
    text: str, pattern: str
) -> None:
    if matches(pattern, text):
        assert screened(pattern, text), (pattern, text)


@settings(max_examples=200, deadline=None)
@given(text=_texts(), picks=st.lists(st.sampled_from(BUILTIN_PATTERNS), min_size=1, max_size=8))
def test_the_union_screen_clears_a_text_only_when_no_pattern_matches(
    text: str, picks: list[str]
) -> None:
    union, marked = screen(picks, re.MULTILINE)
    assert union is not None
    assert all(marked)
    if union.search(text) is None:
        assert not any(matches(pattern, text) for pattern in picks)


def test_a_pattern_without_translation_is_marked_to_always_run() -> None:
    union, marked = screen([r"AKIA[A-Z0-9]{16}", r"(a)\1"], re.MULTILINE)
    assert union is not None
    assert marked == (True, False)


def test_without_re2_nothing_is_screened(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prefilter, "_engine", lambda: None)
    assert screen([r"AKIA[A-Z0-9]{16}"], re.MULTILINE) == (None, (False,))


# ---------------------------------------------------------------- end to end

AWS_KEY = "AK" + "IA" + "Q2WERTYUIOPASDFG"
LINES = st.sampled_from(
    [
        "x = 1",
        f'aws_key = "{AWS_KEY}"',
        f'clé_aws = "{AWS_KEY}"  # non-ASCII text skips the screen',
        "CREATE TABLE orders (id int);",
        "import stripe",
        "from twilio.rest import Client",
        '    BASE_URL = "https://api.stripe.com/v1"',
        "@csrf_exempt",
        "-----BEGIN RSA PRIVATE KEY-----",
        'token = "sk-proj-' + "a" * 30 + '"',
        "def export_orders(orders):",
        "return sorted(orders)",
    ]
)
PATHS = st.sampled_from(
    ["app/views.py", "services/billing/api/client.ts", "db/schema.sql", "README.md", "main.go"]
)


def _detect(changes: list[FileChange]) -> tuple[Detection, ...]:
    detector = RiskDetector(builtin_rules())  # SCREEN_AFTER is 0 in the caller: screened at once
    for file_change in changes:
        detector.add(file_change)
    return detector.detections()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    files=st.lists(
        st.tuples(PATHS, st.lists(LINES, min_size=1, max_size=12), st.lists(LINES, max_size=4)),
        min_size=1,
        max_size=6,
        unique_by=lambda file: file[0],
    )
)
def test_the_detector_finds_the_same_with_the_screen_as_without(
    files: list[tuple[str, list[str], list[str]]],
) -> None:
    changes = [
        FileChange(
            status="modified",
            path=path,
            added=tuple(enumerate(added, start=1)),
            removed=tuple(enumerate(removed, start=1)),
        )
        for path, added, removed in files
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(detect, "SCREEN_AFTER", 0)  # small texts: screen them from the first
        with_screen = _detect(changes)
        patch.setattr(prefilter, "_engine", lambda: None)
        without = _detect(changes)
    assert with_screen == without


def test_a_small_diff_never_loads_the_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    """RE2 and the screen cost more than a few files take to scan: they wait for a large diff."""
    built: list[int] = []
    real = prefilter.screen

    def counting(patterns: list[str], flags: int = 0) -> object:
        built.append(len(patterns))
        return real(patterns, flags)

    monkeypatch.setattr(detect, "screen", counting)
    small = [FileChange("added", f"app/m{n}.py", added=[(1, "x = 1")]) for n in range(5)]
    _detect(small)
    assert built == []
    large = [FileChange("added", "app/big.py", added=[(n, "x = 1") for n in range(1, 9_000)])]
    _detect(large)
    assert built  # past SCREEN_AFTER characters the plan builds its screen


def test_the_stored_translations_of_the_built_in_line_patterns_are_the_live_ones() -> None:
    """The gate reads built-in line patterns' screen translations from a generated table (the
    translating costs ~30 ms before any scanner starts): it must say what translating says."""
    from signoff.core.risk.builtin import builtin_rules
    from signoff.core.risk.prefilter import builtin_line_patterns, translate
    from signoff.core.risk.screen_regexes import TRANSLATED

    expected = {p: translate(p, re.MULTILINE) for p in builtin_line_patterns(builtin_rules())}
    assert expected == TRANSLATED, (
        "src/signoff/core/risk/screen_regexes.py is out of date: run "
        "`.venv/bin/python scripts/stored_regexes.py && .venv/bin/ruff format src`"
    )
    assert all(superset(p, re.MULTILINE) == TRANSLATED[p] for p in TRANSLATED)
    # A slice's own pattern is translated live.
    assert superset(r"vendor\.Client\(", re.MULTILINE) == translate(
        r"vendor\.Client\(", re.MULTILINE
    )
