"""A screen in front of the line patterns: one RE2 pass per file instead of twenty regexes.

Every ordinary source file runs twenty-odd line patterns (secrets, DDL, vendor SDK imports),
and Python's regex engine reads the whole text once for each: at about 3 µs per 4 KB file and
pattern, that was most of the time a 500,000-line gate took. RE2 (``google-re2``) runs one
automaton over the text for all of them at once. It cannot replace the patterns (it has no
look-arounds, possessive quantifiers or back-references, and its ``\\w``, ``\\d`` and ``\\s``
are not Python's), so it only screens: :func:`superset` translates a Python pattern into an
RE2 pattern that matches *at least* where Python's would on ASCII text, and a file whose text
the union of the translations does not match cannot match any of them. Only when it does, or
when the text is not ASCII, or a pattern has no translation, do the Python patterns run, and
they alone decide what is found.

The translation works on the parsed pattern (``re._parser``), never on its text, and every
step widens or keeps what matches:

- look-arounds and anchors (``(?!...)``, ``\\b``, ``^``, ``$``) are dropped: they only ever
  forbid a match;
- a counted repetition ``x{m,n}`` becomes ``x+`` (``x*`` when ``m`` is 0);
- atomic groups and possessive quantifiers become plain ones;
- ``\\d``, ``\\s``, ``\\w``, ``.`` and every class become the exact set of ASCII characters
  Python's would take (text that is not ASCII never reaches the screen), case-insensitive
  letters both cases;
- a back-reference, a conditional, or a non-ASCII character under case-insensitive matching
  (the long s, U+017F, matches ``s``) has no translation: that pattern always runs.

Without ``google-re2`` (a platform with no wheel), nothing is screened and every pattern
runs, as before.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # type: ignore[import-not-found]  # the parser re compiles with
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from signoff.core.risk.model import RiskRule

ASCII = frozenset(range(128))
_DIGITS = frozenset(range(ord("0"), ord("9") + 1))
# What Python's \s takes among ASCII characters (str.isspace): \t \n \v \f \r, the four
# information separators \x1c-\x1f, and the space. RE2's \s has neither \v nor \x1c-\x1f.
_SPACES = frozenset((9, 10, 11, 12, 13, 28, 29, 30, 31, 32))
_WORD = frozenset(c for c in ASCII if chr(c).isalnum() or c == ord("_"))
_CATEGORIES = {
    "CATEGORY_DIGIT": _DIGITS,
    "CATEGORY_NOT_DIGIT": ASCII - _DIGITS,
    "CATEGORY_SPACE": _SPACES,
    "CATEGORY_NOT_SPACE": ASCII - _SPACES,
    "CATEGORY_WORD": _WORD,
    "CATEGORY_NOT_WORD": ASCII - _WORD,
}
_DROPPED = frozenset({"AT", "ASSERT", "ASSERT_NOT"})  # zero-width: dropping only widens
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})


class _UntranslatableError(Exception):
    """The pattern has something with no RE2 superset here; it runs unscreened."""


def _cased(codes: Iterable[int]) -> frozenset[int]:
    """The set with both cases of every ASCII letter in it (case-insensitive matching)."""
    found = set(codes)
    for code in list(found):
        char = chr(code)
        if char.isascii() and char.isalpha():
            found.update((ord(char.lower()), ord(char.upper())))
    return frozenset(found)


def _class(codes: frozenset[int]) -> str:
    """An RE2 character class of exactly these ASCII characters (hex escapes throughout)."""
    if not codes:
        return r"[^\x00-\x{10ffff}]"  # matches nothing, as the Python class would on ASCII
    ranges: list[str] = []
    ordered = sorted(codes)
    start = previous = ordered[0]
    for code in [*ordered[1:], -1]:
        if code == previous + 1:
            previous = code
            continue
        low, high = f"\\x{{{start:x}}}", f"\\x{{{previous:x}}}"
        ranges.append(low if start == previous else f"{low}-{high}")
        start = previous = code
    return "[" + "".join(ranges) + "]"


def _members(items: Sequence[tuple[Any, Any]], ignore_case: bool) -> frozenset[int]:
    """The ASCII characters a Python class ``[...]`` takes."""
    taken: set[int] = set()
    negate = False
    for op, av in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            if av > 127 and ignore_case:
                raise _UntranslatableError  # may fold onto an ASCII letter
            taken.add(av)
        elif name == "RANGE":
            low, high = av
            if high > 127 and ignore_case:
                raise _UntranslatableError
            taken.update(range(low, min(high, 127) + 1))
        elif name == "CATEGORY" and str(av) in _CATEGORIES:
            taken.update(_CATEGORIES[str(av)])
        else:
            raise _UntranslatableError
    ascii_taken = frozenset(taken) & ASCII
    if ignore_case:
        ascii_taken = _cased(ascii_taken)
    return ASCII - ascii_taken if negate else ascii_taken


def _sequence(nodes: Iterable[tuple[Any, Any]], flags: int) -> str:
    return "".join(_node(op, av, flags) for op, av in nodes)


def _node(op: Any, av: Any, flags: int) -> str:
    name = str(op)
    ignore_case = bool(flags & re.IGNORECASE)
    if name == "LITERAL":
        if av > 127:
            # Not in ASCII text, unless case folding takes it onto an ASCII letter.
            if ignore_case:
                raise _UntranslatableError
            return _class(frozenset())
        return _class(_cased((av,)) if ignore_case else frozenset((av,)))
    if name == "NOT_LITERAL":
        if av > 127 and ignore_case:
            raise _UntranslatableError
        return _class(ASCII - (_cased((av,)) if ignore_case else frozenset((av,))))
    if name == "ANY":
        return _class(ASCII if flags & re.DOTALL else ASCII - {10})
    if name == "IN":
        return _class(_members(av, ignore_case))
    if name in _DROPPED:
        return ""
    if name == "BRANCH":
        return "(?:" + "|".join(_sequence(branch, flags) for branch in av[1]) + ")"
    if name == "SUBPATTERN":
        _group, add_flags, del_flags, body = av
        return "(?:" + _sequence(body, (flags | add_flags) & ~del_flags) + ")"
    if name == "ATOMIC_GROUP":
        return "(?:" + _sequence(av, flags) + ")"
    if name in _REPEATS:
        low, high, body = av
        inner = "(?:" + _sequence(body, flags) + ")"
        if high == 0:
            return ""
        if low == 0:
            return inner + ("?" if high == 1 else "*")
        return inner if low == high == 1 else inner + "+"
    raise _UntranslatableError  # back-references, conditionals, anything new


@cache
def superset(pattern: str, flags: int = 0) -> str | None:
    """An RE2 pattern that matches wherever ``re.compile(pattern, flags)`` does in ASCII text
    (and maybe elsewhere too), or None when there is none to give.

    The built-in line patterns' translations (under ``re.MULTILINE``, as the detector
    compiles them) are stored (:mod:`signoff.core.risk.screen_regexes`, written by
    ``scripts/stored_regexes.py``): translating them all costs ~30 ms on every gate."""
    if flags == re.MULTILINE:
        from signoff.core.risk.screen_regexes import TRANSLATED  # noqa: PLC0415 - when screening

        if pattern in TRANSLATED:
            return TRANSLATED[pattern]
    return translate(pattern, flags)


def translate(pattern: str, flags: int = 0) -> str | None:
    """:func:`superset`, worked out from the parsed pattern, whether stored or not."""
    try:
        parsed = sre_parse.parse(pattern, flags)
    except Exception:  # noqa: BLE001 - an invalid pattern is reported where it is compiled
        return None
    effective = parsed.state.flags | flags
    if effective & re.LOCALE:
        return None
    try:
        return _sequence(parsed, effective)
    except (_UntranslatableError, RecursionError):
        return None


class Screen(Protocol):
    def search(self, text: str) -> object | None: ...


class _AsciiScreen:
    """RE2's compiled program called directly on ASCII text: the ``re2`` module's ``search``
    is a generator that maps byte offsets back to characters, ~10 µs a call, for an answer
    the screen only needs as found or not. Only ever given ASCII text (bytes are characters)."""

    __slots__ = ("_anchor", "_match")

    def __init__(self, match: Any, anchor: Any) -> None:
        self._match = match
        self._anchor = anchor

    def search(self, text: str) -> object | None:
        encoded = text.encode("ascii")
        spans = self._match(self._anchor, encoded, 0, len(encoded))
        return None if spans[0] == (-1, -1) else spans


def _fast(compiled: Screen, engine: Any) -> Screen:
    """The direct call when this ``re2`` offers it, else its public ``search``."""
    regexp = getattr(compiled, "_regexp", None)
    anchor = getattr(getattr(engine, "_Anchor", None), "UNANCHORED", None)
    match = getattr(regexp, "Match", None)
    if match is None or anchor is None:
        return compiled
    return _AsciiScreen(match, anchor)


def _re2() -> Any | None:
    try:
        import re2  # type: ignore[import-untyped]  # noqa: PLC0415 - only when screening
    except ImportError:  # no wheel for this platform: nothing is screened
        return None
    return re2


@cache
def _engine() -> Any | None:
    return _re2()


def builtin_line_patterns(rules: Sequence[RiskRule]) -> list[str]:
    """Every line pattern (added or removed lines) of ``rules``, once each, sorted."""
    return sorted(
        {pattern for rule in rules for pattern in (*rule.added_lines, *rule.removed_lines)}
    )


def warm(patterns: Sequence[str], flags: int = 0) -> None:
    """Load RE2 and translate ``patterns`` now, so that :func:`screen` finds both done."""
    if _engine() is not None:
        for pattern in patterns:
            superset(pattern, flags)


def screen(patterns: Sequence[str], flags: int = 0) -> tuple[Screen | None, tuple[bool, ...]]:
    """One RE2 search for the patterns that translate, and which ones those are.

    (None, all False) when there is nothing to screen with: RE2 missing, or no pattern
    translated. A pattern marked False has no translation and must always run.
    """
    translated = [superset(pattern, flags) for pattern in patterns]
    unscreened = (None, tuple(False for _ in patterns))
    engine = _engine()
    parts = [t for t in translated if t is not None]
    if engine is None or not parts:
        return unscreened
    options = engine.Options()
    options.max_mem = 64 << 20  # generous: a DFA that runs out falls back to a slower search
    try:
        compiled: Screen = engine.compile("|".join(f"(?:{part})" for part in parts), options)
    except Exception:  # noqa: BLE001 - RE2 refused the union: screen nothing, run everything
        return unscreened
    return _fast(compiled, engine), tuple(t is not None for t in translated)
