"""A slice pattern that could take exponential time: a repetition inside a repetition.

Python's regex engine backtracks and has no time limit. A pattern such as ``(a+)+$`` or
``(\\w+\\s?)*$`` tries every way of cutting a line between the inner and the outer repetition
before it gives up, which on one line of forty characters is longer than any CI job runs; the
detector searches all of a file's added lines at once, so one line in a diff is enough. The
patterns come from ``signoff.toml``, written by people, so they are checked before they run.

The check is structural and conservative: an unbounded (or long: ``{n,m}`` with m of 10 or
more) repetition whose body holds another one, neither of them possessive (``a++``, ``a*+``)
nor inside an atomic group (``(?>...)``), both of which never give back what they matched.
It can refuse a pattern that is in fact fine (``(\\w+\\.)+com``, whose dots keep the cuts
apart); the fix it names is harmless there too. It cannot prove a pattern safe:
overlapping alternatives under one repetition (``(a|ab)*``) are not found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from signoff.core.risk.literals import class_end

_COUNTED = re.compile(r"\{(\d*)(?:(,)(\d*))?\}")
_LONG = 10  # a counted repetition with this many tries or more can blow up like ``*``


@dataclass(slots=True)
class _Group:
    """A group open while a pattern is read: where it started and what it holds."""

    start: int
    atomic: bool
    repeats_inside: bool = False  # holds a repetition that may give back what it matched


def _quantifier(pattern: str, position: int) -> tuple[bool, int] | None:
    """The quantifier at ``position``: (unbounded or long, where it ends), or None."""
    char = pattern[position : position + 1]
    if char in ("*", "+"):
        return True, position + 1
    if char == "?":
        return False, position + 1
    counted = _COUNTED.match(pattern, position)
    if counted is None or not (counted.group(1) or counted.group(3)):
        return None  # a "{" that is a plain character
    low, comma, high = counted.groups()
    if comma:
        return not high or int(high) >= _LONG, counted.end()
    return int(low) >= _LONG, counted.end()


def _atom_end(pattern: str, position: int) -> int:
    """One past the atom (a character, an escape or a class) that starts at ``position``."""
    if pattern[position] == "\\":
        return position + 2
    if pattern[position] == "[":
        return class_end(pattern, position)
    return position + 1


def nested_repetition(pattern: str) -> str | None:
    """The first repeated group that repeats inside, as written (``(a+)+``); None if none.

    ``pattern`` must compile (the config reader checks that first).
    """
    stack = [_Group(0, atomic=False)]
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if char == "(":
            if pattern.startswith("(?#", position):  # a comment: nothing inside counts
                position = pattern.index(")", position) + 1
            else:
                stack.append(_Group(position, atomic=pattern.startswith("(?>", position)))
                position += 1
            continue
        if char in "|^$":
            position += 1
            continue
        start, closed = position, None
        if char == ")" and len(stack) > 1:
            closed = stack.pop()
            start, position = closed.start, position + 1
        else:
            position = _atom_end(pattern, position)
        inner = closed is not None and closed.repeats_inside and not closed.atomic
        found = _quantifier(pattern, position)
        repeats = False
        if found is not None:
            long, position = found
            mark = pattern[position : position + 1]
            position += mark in ("+", "?")  # possessive or lazy
            if mark == "+":  # possessive: never gives back, and nothing inside it does
                inner = False
            elif long and inner:
                return pattern[start:position]
            else:
                repeats = long
        stack[-1].repeats_inside |= repeats or inner
    return None
