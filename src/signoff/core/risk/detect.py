"""Run risk rules over a diff, one file at a time, keeping only capped evidence.

Speed is the design constraint: a 5,000-file, 500,000-line change must be read in a fraction of
a second. So every pattern is compiled once; paths go through one indexed lookup
(:class:`~signoff.core.risk.paths.PatternTable`) that answers every rule's path and exclude
lists together; and a line rule runs its regex over the file's lines joined into one string,
working out line numbers only where it matched. Python's regex engine is fast when a pattern
starts with a literal and slow when it starts with ``\\b`` or a class, which is why the built-in
patterns that run on every file start with a literal. Lines are never kept: only up to
``evidence_cap`` pieces of evidence per category, and a count of the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from signoff.core.errors import ConfigError
from signoff.core.risk.builtin import builtin_rules, rule_catalogue
from signoff.core.risk.detectors import (
    DETECTORS,
    CodeDetector,
    DetectorState,
    FileView,
    verb,
)
from signoff.core.risk.literals import required_literal
from signoff.core.risk.model import (
    EVIDENCE_CAP,
    Detection,
    DetectionPart,
    Evidence,
    Recorded,
    RiskRule,
    merge_parts,
)
from signoff.core.risk.paths import PatternTable
from signoff.core.risk.prefilter import Screen, screen, warm
from signoff.core.risk.redact import redact, scrub

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from signoff.core.diff import FileChange, Lines

__all__ = ["RiskDetector", "builtin_rules", "rule_catalogue"]

MAX_TEXT = 200
# Characters a plan reads before its RE2 screen is built (about ten ordinary files).
SCREEN_AFTER = 40_000
# Distinct sets of matching path patterns remembered, each with its plan (a few dozen in a diff).
_PLAN_MEMO_LIMIT = 4096
# The detector whose evidence is reported once per diff (each new directory at its first file).
ONCE_PER_DIFF = "new-directory"
COMMENT_PREFIXES = ("#", "//", "/*", "*", "--", "<!--", "{#", "{{!", "<%#", ";", "'''", '"""')


def _trim(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


class _LinePattern:
    """A line pattern, compiled on first use.

    Compiling the hundred-odd built-in patterns costs more than a one-file diff takes to scan,
    and most never run: their rule's paths take none of the diff's files, or no file holds
    their needle. (A slice's own patterns were compiled once already, to validate them.)
    """

    __slots__ = ("_regex", "needle", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        # a literal every match contains: ``in`` first, the regex only if found
        self.needle = required_literal(source)
        self._regex: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = re.compile(self.source, re.MULTILINE)
        return self._regex

    @property
    def redacts(self) -> bool:
        """Whether it names its secret part ``(?P<secret>...)``."""
        return "secret" in self.regex.groupindex


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A rule ready to run: its path scopes as pattern set ids, its line patterns to compile."""

    rule: RiskRule
    include: int | None  # pattern set id; None: every path
    exclude: int | None
    added: tuple[_LinePattern, ...]
    removed: tuple[_LinePattern, ...]
    detector: CodeDetector | None


class _Scans:
    """The line patterns to run over one side of a file (added or removed lines), and the
    RE2 screen in front of them (see :mod:`signoff.core.risk.prefilter`): when the text is
    ASCII and the screen finds nothing, no pattern marked screened can match either.

    The screen is built once the plan has read :data:`SCREEN_AFTER` characters: loading RE2
    and compiling the screen cost more than a small diff's whole scan.
    """

    __slots__ = ("_built", "_read", "patterns", "screen")

    def __init__(self, pairs: Sequence[tuple[RiskRule, _LinePattern]]) -> None:
        self.patterns = tuple((rule, line, False) for rule, line in pairs)
        self.screen: Screen | None = None
        self._read = 0
        self._built = False

    def _build_screen(self) -> None:
        self._built = True
        sources = [line.source for _, line, _ in self.patterns]
        self.screen, screened = screen(sources, re.MULTILINE)
        marked = zip(self.patterns, screened, strict=True)
        self.patterns = tuple((rule, line, flag) for (rule, line, _), flag in marked)

    def active(self, text: str) -> Iterator[tuple[RiskRule, _LinePattern]]:
        """The patterns that may match ``text``: all, unless the screen rules some out."""
        if not self._built:
            self._read += len(text)
            if self._read >= SCREEN_AFTER:
                self._build_screen()
        cleared = self.screen is not None and text.isascii() and self.screen.search(text) is None
        for rule, line, screened in self.patterns:
            if not (cleared and screened):
                yield rule, line


@dataclass(frozen=True, slots=True)
class _Plan:
    """What to run on files with one path verdict: computed once, shared by all alike."""

    whole_file: tuple[RiskRule, ...]
    detectors: tuple[tuple[RiskRule, CodeDetector], ...]
    added: _Scans
    removed: _Scans
    needs_content: bool


def _refuse_slow_patterns(rules: Sequence[RiskRule]) -> None:
    """A slice pattern that can backtrack for ever is refused before it runs (the built-in
    ones are reviewed and benchmarked): Python's regex engine has no time limit."""
    slice_rules = [rule for rule in rules if rule.origin == "slice"]
    if not slice_rules:
        return
    # Loaded only for a slice's own rules: ~2 ms before every scan otherwise.
    from signoff.core.risk.backtracking import nested_repetition  # noqa: PLC0415

    for rule in slice_rules:
        for key, patterns in (
            ("added_lines", rule.added_lines),
            ("removed_lines", rule.removed_lines),
        ):
            for pattern in patterns:
                nested = nested_repetition(pattern)
                if nested is not None:
                    problem = (
                        f"pattern '{pattern}' repeats '{nested}', a repetition inside a "
                        "repetition, which can take hours on one line; make the inner "
                        "repetition possessive (a++, a*+) or atomic ((?>...)), see docs/risk.md"
                    )
                    raise ConfigError("signoff.toml", None, f"risk rule {rule.id!r} {key}", problem)


def _takes(compiled: _Compiled, verdicts: dict[int, bool]) -> bool:
    included = compiled.include is None or verdicts.get(compiled.include, False)
    excluded = compiled.exclude is not None and verdicts.get(compiled.exclude, False)
    return included and not excluded


def _plan(scoped: Sequence[_Compiled]) -> _Plan:
    return _Plan(
        whole_file=tuple(
            c.rule for c in scoped if c.detector is None and not (c.added or c.removed)
        ),
        detectors=tuple((c.rule, c.detector) for c in scoped if c.detector is not None),
        added=_Scans([(c.rule, line) for c in scoped if c.detector is None for line in c.added]),
        removed=_Scans(
            [(c.rule, line) for c in scoped if c.detector is None for line in c.removed]
        ),
        needs_content=any(c.detector is not None and c.detector.needs_content for c in scoped),
    )


class RiskDetector:
    """Feed it every :class:`FileChange` of a diff with :meth:`add`; read :meth:`detections`.

    ``directories_before`` is every directory of the base tree (``a``, ``a/b`` ...); ``None``
    means unknown and turns the new-directory detector off rather than calling every
    directory new.
    """

    def __init__(
        self,
        rules: Sequence[RiskRule],
        *,
        directories_before: frozenset[str] | None = None,
        evidence_cap: int = EVIDENCE_CAP,
    ) -> None:
        _refuse_slow_patterns(rules)
        pattern_sets: dict[tuple[str, ...], int] = {}
        lines: dict[str, _LinePattern] = {}

        def set_id(patterns: tuple[str, ...]) -> int | None:
            return pattern_sets.setdefault(patterns, len(pattern_sets)) if patterns else None

        def compiled(patterns: tuple[str, ...]) -> tuple[_LinePattern, ...]:
            for pattern in patterns:
                if pattern not in lines:
                    lines[pattern] = _LinePattern(pattern)
            return tuple(lines[pattern] for pattern in patterns)

        self._rules = tuple(
            _Compiled(
                rule=rule,
                include=set_id(rule.paths),
                exclude=set_id(rule.exclude),
                added=compiled(rule.added_lines),
                removed=compiled(rule.removed_lines),
                detector=DETECTORS.get(rule.detector) if rule.detector else None,
            )
            for rule in rules
            if rule.detector is None or rule.detector in DETECTORS
        )
        self._table = PatternTable(list(pattern_sets))
        self._cap = max(1, evidence_cap)  # a detection always shows why
        self._state = DetectorState(directories_before)
        self._recorded: list[Recorded] = []
        self._counts: dict[str, int] = {}
        self._kept: dict[str, int] = {}  # evidence kept per category, not counting `once` pieces
        self._order = (0, 0)  # the file being read: see Recorded
        self._files = 0
        self._last: tuple[FileChange, _Plan] | None = None
        self._plans: dict[tuple[tuple[tuple[int, bool], ...], ...], _Plan] = {}
        # the same plans by the patterns that match (cheaper to key on than the verdicts)
        self._plans_by_match: dict[tuple[frozenset[object], ...], _Plan] = {}

    def learn_directories_before(self, directories_before: frozenset[str] | None) -> None:
        """The base tree's directories, when the detector was built before they were known
        (a scanner is prepared while its change is still being resolved)."""
        self._state.directories_before = directories_before

    def prepare_screens(self) -> None:
        """Do now what the first large file would: load RE2 and translate every line pattern
        for the screens (see :class:`_Scans`), so that scanners forked from this process
        share the work instead of each doing it."""
        warm(
            [
                line.source
                for compiled in self._rules
                for line in (*compiled.added, *compiled.removed)
            ],
            re.MULTILINE,
        )

    def _plan_for(self, change: FileChange) -> _Plan:
        """What runs on this change: the rules whose paths take it and whose excludes do not."""
        if self._last is not None and self._last[0] is change:
            return self._last[1]
        table = self._table
        matching = tuple(table.matching(path) for path in change.paths)
        plan = self._plans_by_match.get(matching)
        if plan is None:
            verdicts = tuple(tuple(sorted(table.verdicts_of(m).items())) for m in matching)
            plan = self._plans.get(verdicts)
            if plan is None:  # files alike (every src/**/*.py) share one plan
                plan = _plan(
                    [c for c in self._rules if any(_takes(c, dict(found)) for found in verdicts)]
                )
                self._plans[verdicts] = plan
            if len(self._plans_by_match) > _PLAN_MEMO_LIMIT:
                self._plans_by_match.clear()
            self._plans_by_match[matching] = plan
        self._last = (change, plan)
        return plan

    def needs_content(self, change: FileChange) -> bool:
        """Whether :meth:`add` wants both versions of this file's text (dependency manifests)."""
        if change.binary or change.submodule or change.status == "deleted":
            return False
        return self._plan_for(change).needs_content

    def add(
        self,
        change: FileChange,
        *,
        old_text: str | None = None,
        new_text: str | None = None,
        order: tuple[int, int] | None = None,
    ) -> None:
        """Run every rule in scope over one file of the diff.

        ``order`` places the file's evidence among other scanners' (see :class:`Recorded`);
        without it, files are in the order they are added.
        """
        self._order = order if order is not None else (0, self._files)
        self._files += 1
        plan = self._plan_for(change)
        first_line = change.added_lines.first_number
        for rule in plan.whole_file:
            phrase = f"{verb(change)} {rule.description}"
            self._record(rule, Evidence(change.path, first_line, rule.id, _trim(phrase)))
        # A removed line is a line of the old file: its number is there, and so is its path.
        old_path = change.old_path or change.path
        if plan.detectors:
            view = FileView(change, old_text, new_text)
            for rule, detector in plan.detectors:
                if detector.wants is None or any(detector.wants(path) for path in change.paths):
                    for finding in detector.run(view, self._state):
                        path = old_path if len(finding) == 3 else change.path
                        self._record(rule, Evidence(path, finding[0], rule.id, _trim(finding[1])))
        for scans, lines, path in (
            (plan.added, change.added_lines, change.path),
            (plan.removed, change.removed_lines, old_path),
        ):
            if scans.patterns and lines:
                # ``$`` ends a line before its newline only: a CRLF line's "\r" goes first.
                lines = lines.without_carriage_returns()  # noqa: PLW2901 - the same lines
                text = lines.text
                for rule, pattern in scans.active(text):
                    if pattern.needle is not None and pattern.needle not in text:
                        continue
                    match = pattern.regex.search(text)
                    if match is not None:  # most files match nothing: no call, no line numbers
                        self._scan(rule, path, lines, pattern, match)

    def _scan(
        self, rule: RiskRule, path: str, lines: Lines, pattern: _LinePattern, first: re.Match[str]
    ) -> None:
        """One piece of evidence per matching line, comment lines skipped where the rule says.

        The lines are joined across hunks, so a match that runs over a newline is kept only
        within lines that follow each other in the file; past the evidence cap a line is only
        counted (a schema dump can match on every one of 500,000 lines).
        """
        text, regex = lines.text, pattern.regex
        match: re.Match[str] | None = first
        while match is not None:
            start = match.start()
            if text.find("\n", start, match.end()) >= 0:
                end = lines.stretch_end(start)
                if match.end() > end:  # joined to a line of another hunk: search within
                    match = regex.search(text, start, end)
                    if match is None:
                        match = regex.search(text, end + 1) if end < len(text) else None
                        continue
                    start = match.start()
            number, line, position = lines.locate(start)
            if not (rule.skip_comments and line.lstrip().startswith(COMMENT_PREFIXES)):
                if self._full(rule.category):
                    self._counts[rule.category] += 1
                else:
                    if pattern.redacts:
                        shown = redact(match.group(0), match.span(0), match.span("secret"))
                    else:
                        shown = scrub(line)
                    self._record(rule, Evidence(path, number, rule.id, _trim(shown)))
            match = regex.search(text, position) if position <= len(text) else None

    def _full(self, category: str) -> bool:
        return self._kept.get(category, 0) >= self._cap

    def _record(self, rule: RiskRule, evidence: Evidence) -> None:
        category = rule.category
        self._counts[category] = self._counts.get(category, 0) + 1
        # A new directory is reported once per diff; which copy is first is only known when
        # scanners merge, so each keeps all of its own (one per directory, few).
        once = rule.detector == ONCE_PER_DIFF
        if once or not self._full(category):
            self._recorded.append(
                Recorded(self._order, len(self._recorded), category, evidence, once)
            )
            if not once:
                self._kept[category] = self._kept.get(category, 0) + 1

    def part(self) -> DetectionPart:
        """What this scanner found, to merge with other scanners' (:func:`merge_parts`)."""
        return DetectionPart(tuple(self._recorded), tuple(self._counts.items()))

    def detections(self) -> tuple[Detection, ...]:
        """One detection per category found, in :data:`CATEGORIES` order."""
        return merge_parts([self.part()], self._cap)
