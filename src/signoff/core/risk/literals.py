"""The literal text a regular expression cannot match without: a cheap test before the regex.

``needle in text`` runs several times faster than a regex search when the needle is long,
so a line pattern that starts with a long literal (``-----BEGIN``, ``hooks.slack.com``) is
first looked for with ``in``, and the regex runs only on files that have it. The extraction is
deliberately conservative: when in doubt (inline flags, alternation around the prefix, a
quantifier on it) it returns nothing and the regex simply runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

_META = frozenset(".^$*+?{}[]\\|()")
_QUANTIFIERS = ("?", "*", "{")
MIN_NEEDLE = 6


def _literal_run(pattern: str, position: int) -> tuple[str, int]:
    """The literal characters from ``position`` on, and where they stop."""
    run: list[str] = []
    while position < len(pattern):
        char = pattern[position]
        if char == "\\":
            if position + 1 >= len(pattern) or pattern[position + 1].isalnum():
                break  # \b, \w, \d, \n ...: not a plain character
            run.append(pattern[position + 1])
            position += 2
            continue
        if char in _META:
            break
        run.append(char)
        position += 1
    return "".join(run), position


def class_end(pattern: str, position: int) -> int:
    """Where the character class opening at ``position`` ends (one past its ``]``)."""
    position += 1
    if pattern.startswith("^", position):
        position += 1
    if pattern.startswith("]", position):
        position += 1  # a leading ] is a member, not the end
    while position < len(pattern):
        if pattern[position] == "\\":
            position += 2
            continue
        if pattern[position] == "]":
            return position + 1
        position += 1
    return position


def _structure(pattern: str, position: int) -> Iterator[tuple[int, str, int]]:
    """Walk the pattern from ``position``: (index, character, group depth before it) for every
    character outside escapes and character classes, which both hide ``(``, ``)`` and ``|``."""
    level = 0
    while position < len(pattern):
        char = pattern[position]
        if char == "\\":
            position += 2
            continue
        if char == "[":
            position = class_end(pattern, position)
            continue
        yield position, char, level
        if char == "(":
            level += 1
        elif char == ")":
            level -= 1
        position += 1


def _group_end(pattern: str, position: int) -> int:
    """One past the ``)`` that closes the group opening at ``position``."""
    for index, char, level in _structure(pattern, position):
        if char == ")" and level == 1:
            return index + 1
    return len(pattern)


def _alternation_within(pattern: str, depth: int) -> bool:
    """Whether a ``|`` sits at group depth ``depth`` or shallower anywhere in the pattern."""
    return any(char == "|" and level <= depth for _, char, level in _structure(pattern, 0))


def required_literal(pattern: str) -> str | None:
    """A literal every match of ``pattern`` contains (at least ``MIN_NEEDLE`` long), or None."""
    if pattern.startswith("(?") and pattern[2:3] not in ("P", ":"):
        return None  # inline flags (case-insensitive ...) or look-arounds
    position = depth = 0
    while pattern.startswith(("(?P<", "(?:"), position):
        closed = _group_end(pattern, position)
        if pattern.startswith(_QUANTIFIERS, closed):
            return None  # an optional group requires nothing
        if pattern.startswith("(?P<", position):
            position = pattern.index(">", position) + 1
        else:
            position += 3
        depth += 1
    if _alternation_within(pattern, depth):
        return None
    run, end = _literal_run(pattern, position)
    if end < len(pattern) and pattern.startswith(_QUANTIFIERS, end):
        run = run[:-1]  # the last character is optional
    return run if len(run) >= MIN_NEEDLE else None
