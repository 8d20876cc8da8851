"""Gitignore-style path patterns, matched fast for thousands of files and hundreds of patterns.

``pathspec`` translates each pattern to a regular expression (gitignore semantics: a pattern
without a slash matches at any depth, ``dir/`` matches everything under it, ``!`` negates, the
last matching pattern wins). Trying hundreds of those regexes on every path of a 5,000-file
diff costs most of a second, so :class:`PatternTable` indexes every pattern by a literal that
any path it matches must contain (a whole path component, a component prefix, or an
extension) and runs only the regexes whose literal the path has. The index only ever narrows
the candidates; the regex has the last word, so the semantics stay pathspec's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from signoff.core.risk.model import RiskRule

_GLOB = re.compile(r"[*?\[\\]")
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
_MIN_PREFIX = 2
_MEMO_LIMIT = 4096


class PatternError(ValueError):
    """A path pattern that is not valid gitignore syntax."""


@dataclass(slots=True, eq=False)  # one object per pattern text: compared and hashed by identity
class _Pattern:
    """One gitignore pattern of the table, with every pattern set that lists it."""

    text: str
    # The index hit alone proves the match (``**/Dockerfile``, ``*.tf``): no regex to run.
    exact: bool
    include: bool
    # (pattern set, position in it) for every set that lists this pattern.
    members: list[tuple[int, int]]
    # One path component decides it (``**/*_test.py``): see PatternTable._one_component.
    one_component: bool = False


def translate(pattern: str) -> tuple[str, bool] | None:
    """One gitignore pattern as (regex, include); None for a blank line or a comment.

    The built-in patterns' translations are stored (:mod:`signoff.core.risk.path_regexes`,
    generated from pathspec by ``scripts/stored_regexes.py``): importing pathspec costs ~35 ms,
    more than a small gate's whole scan. A slice's own patterns go through pathspec.
    """
    from signoff.core.risk.path_regexes import TRANSLATED  # noqa: PLC0415 - when rules compile

    if pattern in TRANSLATED:
        return TRANSLATED[pattern]
    return translate_with_pathspec(pattern)


def translate_with_pathspec(pattern: str) -> tuple[str, bool] | None:
    """:func:`translate` by pathspec itself, for any pattern."""
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern  # noqa: PLC0415  # 35 ms: only when rules compile

    try:
        regex, include = GitIgnoreSpecPattern.pattern_to_regex(pattern)
    except ValueError as error:
        raise PatternError(f"{pattern!r} is not a valid gitignore pattern: {error}") from None
    if regex is None or include is None:
        return None
    # pathspec marks "matched a directory" with a named group; the same name in every pattern
    # would clash if two were joined, and we never read it.
    return _NAMED_GROUP.sub("(?:", str(regex)), bool(include)


def builtin_patterns(rules: Sequence[RiskRule]) -> list[str]:
    """Every path pattern of ``rules`` as :class:`PatternTable` looks them up, sorted."""
    return sorted(
        {
            pattern.strip()
            for rule in rules
            for pattern in (*rule.paths, *rule.exclude)
            if pattern.strip() and not pattern.strip().startswith("#")
        }
    )


_GLOB_PIECE = re.compile(r"\*+|\?|\[[^\]]*\]?|\\.?")
# How pathspec starts and ends a pattern with no slash but a leading "**/": see
# PatternTable._one_component.
_ANY_DEPTH = "^(?:.+/)?"
_TO_COMPONENT_END = "(?:(?:/)|$)"
_SAFE_PIECE = re.compile(r"\[\^/\]|\\.")  # "[^/]", or an escaped character
_MAY_MATCH_A_SLASH = re.compile(r"[\[\].()|^$\\/]")  # what is left that could


def _one_segment(pattern: str) -> bool:
    """Whether the pattern names one path component at any depth (``**/*_test.py``)."""
    body = pattern.removeprefix("!").removeprefix("**/")
    return bool(body) and "/" not in body


def _key(pattern: str) -> tuple[str, str] | None:
    """The literal every path matching ``pattern`` contains, as (kind, literal).

    Kinds: ``part`` (a whole path component), ``prefix`` (a component starting so), ``ext``
    (a component's extension: exact for a plain ``*.tf``) and ``infix`` (somewhere in the
    path). None when the pattern has no usable literal (``*``): it is tried on every path.
    """
    body = pattern.removeprefix("!").strip("/")
    segments = [segment for segment in body.split("/") if segment and segment != "**"]
    literal = [segment for segment in segments if not _GLOB.search(segment)]
    if literal:
        return ("part", max(literal, key=len))
    if not segments:
        return None
    last = segments[-1]
    if re.fullmatch(r"\*\.[^.*?\[\\]+", last):
        return ("ext", last[1:])
    # Cheapest lookups first: a prefix or an extension is one test per path component; an
    # infix is one ``in`` per path, for every infix there is.
    pieces = _GLOB_PIECE.split(last)
    if len(pieces[0]) >= _MIN_PREFIX:
        return ("prefix", pieces[0])
    dot = pieces[-1].rfind(".")
    if dot >= 0 and len(pieces[-1]) - dot > 1:
        return ("ext", pieces[-1][dot:])
    longest = max(pieces, key=len)
    return ("infix", longest) if len(longest) >= _MIN_PREFIX else None


def _exact(pattern: str, key: tuple[str, str] | None) -> bool:
    """Whether finding the key in a path is the whole match, by gitignore rules.

    A slash-free literal (``Dockerfile``) matches a component of that name at any depth, and
    ``*.ext`` any component with that extension; ``**/`` in front changes nothing.
    """
    body = pattern.removeprefix("!").removeprefix("**/")
    if key is None or "/" in body:
        return False
    kind, literal = key
    if kind == "part":
        return body == literal
    return kind == "ext" and body == "*" + literal


class PatternTable:
    """Many pattern lists (one per rule scope), matched against a path in one lookup.

    Regexes are translated and compiled on first use: a diff touches few of the hundreds of
    built-in patterns, and most that it touches are decided by the index alone.
    """

    def __init__(self, pattern_sets: Sequence[tuple[str, ...]]) -> None:
        self._parts: dict[str, list[_Pattern]] = {}
        self._exts: dict[str, list[_Pattern]] = {}
        self._prefixes: dict[str, list[_Pattern]] = {}
        self._infixes: dict[str, list[_Pattern]] = {}
        self._always: list[_Pattern] = []
        self._regexes: dict[str, re.Pattern[str] | None] = {}
        self._component_regexes: dict[str, re.Pattern[str] | None] = {}
        self._proven: dict[str, _Pattern] = {}
        # Folder names repeat across a diff's files: their candidates are worked out once.
        self._seen: dict[str, list[_Pattern]] = {}
        known: dict[str, _Pattern] = {}
        for set_id, patterns in enumerate(pattern_sets):
            for order, pattern in enumerate(patterns):
                stripped = pattern.strip()
                if not stripped or stripped.startswith("#"):
                    continue
                if stripped in known:  # shared lists (tests, docs) are matched once per path
                    known[stripped].members.append((set_id, order))
                    continue
                key = _key(stripped)
                exact = _exact(stripped, key)
                entry = _Pattern(
                    stripped,
                    exact,
                    not stripped.startswith("!"),
                    [(set_id, order)],
                    one_component=not exact and _one_segment(stripped),
                )
                known[stripped] = entry
                if key is None:
                    self._always.append(entry)
                    continue
                kind, literal = key
                index = {
                    "part": self._parts,
                    "ext": self._exts,
                    "prefix": self._prefixes,
                    "infix": self._infixes,
                }[kind]
                index.setdefault(literal, []).append(entry)
        self._prefix_tuple = tuple(self._prefixes)

    def _regex(self, pattern: str) -> re.Pattern[str] | None:
        if pattern not in self._regexes:
            translated = translate(pattern)
            self._regexes[pattern] = None if translated is None else re.compile(translated[0])
        return self._regexes[pattern]

    def _one_component(self, entry: _Pattern) -> re.Pattern[str] | None:
        """What a path component must match for a one-segment pattern to match the path.

        pathspec translates ``**/X`` (and a bare ``X``: no slash means any depth) to
        ``^(?:.+/)?X(?:(?:/)|$)``: X from the start of some component to its end. So the
        pattern matches exactly when one of the path's components matches all of X, and that
        is found once per folder name instead of once per path. Only when X cannot match a
        "/" (its classes are all ``[^/]``); otherwise None, and the path's regex decides.

        (The regex's ``.`` stops at a newline and its ``$`` matches before a final one, so
        for the rare path with a newline in it pathspec would disagree, and git with
        pathspec: such a path is matched by its components, as git matches it, and as the
        patterns decided by the index alone always were.)
        """
        text = entry.text
        if text not in self._component_regexes:
            translated = translate(text)
            regex = None
            if translated is not None:
                whole = translated[0]
                middle = whole.removeprefix(_ANY_DEPTH).removesuffix(_TO_COMPONENT_END)
                shaped = len(middle) == len(whole) - len(_ANY_DEPTH) - len(_TO_COMPONENT_END)
                if shaped and not _MAY_MATCH_A_SLASH.search(_SAFE_PIECE.sub("", middle)):
                    regex = re.compile(middle)
            self._component_regexes[text] = regex
        return self._component_regexes[text]

    def _proven_match(self, entry: _Pattern) -> _Pattern:
        """The entry as a match already proven (its component matched)."""
        proven = self._proven.get(entry.text)
        if proven is None:
            proven = _Pattern(entry.text, exact=True, include=entry.include, members=entry.members)
            self._proven[entry.text] = proven
        return proven

    def _indexed(self, component: str) -> list[_Pattern]:
        """The patterns whose index literal one path component holds."""
        indexed = list(self._parts.get(component, ()))
        dot = component.rfind(".")
        if dot >= 0:
            indexed.extend(self._exts.get(component[dot:], ()))
        if self._prefix_tuple and component.startswith(self._prefix_tuple):
            for prefix, entries in self._prefixes.items():
                if component.startswith(prefix):
                    indexed.extend(entries)
        # An infix comes from one segment of its pattern, so it never spans a "/": a path
        # holds it exactly when one of its components does.
        for infix, entries in self._infixes.items():
            if infix in component:
                indexed.extend(entries)
        return indexed

    def _component_candidates(self, component: str) -> list[_Pattern]:
        """The patterns one path component calls for, those decided by the component alone
        already decided (remembered: folder names repeat)."""
        found: list[_Pattern] = []
        for entry in self._indexed(component):
            regex = self._one_component(entry) if entry.one_component else None
            if regex is None:
                found.append(entry)
            elif regex.fullmatch(component) is not None:
                found.append(self._proven_match(entry))
        if len(self._seen) > _MEMO_LIMIT:
            self._seen.clear()
        self._seen[component] = found
        return found

    def _candidates(self, path: str) -> list[_Pattern]:
        found: list[_Pattern] = list(self._always)
        seen = self._seen
        for component in path.split("/"):
            known = seen.get(component)
            found.extend(self._component_candidates(component) if known is None else known)
        return found

    def matching(self, path: str) -> frozenset[_Pattern]:
        """The patterns that match ``path``: all :meth:`verdicts` depends on, so it can stand
        for them as a key (files alike match the same patterns)."""
        found: set[_Pattern] = set()
        for pattern in self._candidates(path):
            if pattern.exact:
                found.add(pattern)
            elif pattern not in found:
                regex = self._regex(pattern.text)
                if regex is not None and regex.search(path) is not None:  # as pathspec does
                    found.add(pattern)
        return frozenset(found)

    def verdicts_of(self, matching: frozenset[_Pattern]) -> dict[int, bool]:
        """For each pattern set a pattern of which is in ``matching``: does its last one
        include? (Gitignore rules: the last matching pattern of a list wins.)"""
        result: dict[int, bool] = {}
        last: dict[int, int] = {}
        for pattern in matching:
            for set_id, order in pattern.members:
                if order > last.get(set_id, -1):
                    last[set_id] = order
                    result[set_id] = pattern.include
        return result

    def verdicts(self, path: str) -> dict[int, bool]:
        """For each pattern set a pattern of which matches ``path``: does the last one include?"""
        return self.verdicts_of(self.matching(path))


_BRACKET = re.compile(r"\[(!?\]?[^\]]*)\]")


def pattern_problem(pattern: str) -> str | None:
    """Why pathspec would refuse or ignore a pattern, checked without importing it.

    ``signoff.toml`` is read at the start of every command, and importing pathspec costs more
    than the whole check; the gate translates the patterns for real later.
    """
    stripped = pattern.strip()
    if not stripped or stripped.startswith("#"):
        return "is blank or a comment, so it matches nothing"
    if stripped in ("!", "/", "!/"):
        return "matches nothing; name a file or folder"
    trailing = len(stripped) - len(stripped.rstrip("\\"))
    if trailing % 2 == 1:
        return "ends with a lone backslash"
    unbracketed = _BRACKET.sub("", stripped.replace("\\[", ""))
    if "[" in unbracketed:
        return "has a '[' with no closing ']'"
    for body in _BRACKET.findall(stripped):
        try:
            re.compile(f"[{body.replace('!', '^', 1) if body.startswith('!') else body}]")
        except re.error as error:
            return f"has an invalid character range [{body}]: {error}"
    return None


def pattern_list_problem(patterns: Sequence[str]) -> str | None:
    """Why a whole list of patterns would match nothing, or None.

    ``!`` only takes back what an earlier pattern matched, so a list of nothing but ``!``
    patterns (``paths = ["!tests/**"]``, meant as "everything but tests") matches no file at
    all, and a rule with it never fires, silently.
    """
    meaningful = [p.strip() for p in patterns if p.strip() and not p.strip().startswith("#")]
    if meaningful and all(pattern.startswith("!") for pattern in meaningful):
        return (
            "has only '!' patterns, which take back what an earlier pattern matched, so it "
            "matches no file; start with what to include (\"**\" for every file), then the '!' ones"
        )
    return None
