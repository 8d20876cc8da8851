# Copyright 2025 The Signoff developers
# SPDX-License-Identifier: Apache-2.0
"""Risk-detection quality: ``signoff gate`` on labelled changes from six stacks' layouts.

The labelled set lives in ``bench/risk_cases/`` (one TOML file per stack: Django, Rails, Node,
Terraform, Kubernetes with Helm, Go; format and labelling guidelines in its README). For each
stack the script writes one real git repository with ``git fast-import``: ``main`` holds the
stack's base tree and a signoff slice (``signoff.toml`` with one review gate, one spec), and each
case is a branch ``case/<id>`` off ``main`` with the case's change committed. In each repository
it runs ``signoff gate --base main --head case/<id> --spec SO-1 --format json``, reads the
categories under ``risk.detected``, and scores them against the labels:

* precision, recall and F1 per category and micro-averaged over all six;
* no-risk specificity: the share of cases labelled with no category where nothing was detected;
* the misses and false alarms by case id, with the gate's evidence for each false alarm, so the
  author of the rules can act on them.

Stacks run in parallel (one thread per repository, each running its cases in turn, so no two
gates share a ledger at once).

Run ``.venv/bin/python bench/risk_quality.py --write docs/performance.md`` to refresh this
benchmark's section of that file; without ``--write`` it prints the section. ``--cases DIR``
reads another folder of case files and ``--stack NAME`` keeps one stack (repeatable).

``--section risk-holdout`` measures the held-out set in ``bench/risk_holdout/`` instead (same
format and guidelines, never used to tune the rules, see its README) and writes it under its own
marker, so ``docs/performance.md`` reports the in-sample and the held-out figures side by side.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import _report
import gate as slices

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

NAME = "risk-quality"
SCRIPT = "bench/risk_quality.py"
CASES_DIR = Path(__file__).resolve().parent / "risk_cases"
HOLDOUT_DIR = Path(__file__).resolve().parent / "risk_holdout"
CATEGORIES = ("schema", "deploy", "security", "copy", "vendor", "architecture")
STACKS = ("django", "rails", "node", "terraform", "kubernetes", "go")
GATE_TIMEOUT_SECONDS = 120

# ---------------------------------------------------------------- the sections


@dataclass(frozen=True, slots=True)
class Section:
    """One labelled set's section of docs/performance.md: its marker, its heading, its cases."""

    name: str  # the marker: <!-- bench:NAME:start -->
    heading: str  # what the section's title calls the set
    cases: Path  # the folder read when --cases is not given
    about: str  # how the labels relate to the rules, for the reader of the figures


SECTIONS = {
    section.name: section
    for section in (
        Section(
            NAME,
            "labelled set",
            CASES_DIR,
            "The rules were revised while looking at this set's failures, so these figures are "
            "in-sample; the held-out set's section is the honest measurement.",
        ),
        Section(
            "risk-holdout",
            "held-out set",
            HOLDOUT_DIR,
            "This set was written after the rules, from other repository layouts, by a reviewer "
            "who had not read them, and it is never used to change them: these figures say how "
            "the rules do on changes they were not tuned on.",
        ),
    )
}


# ---------------------------------------------------------------- the labelled cases

_CASE_KEYS = frozenset(
    {"id", "labels", "rationale", "ambiguous", "delete", "base", "rename", "edit", "write"}
)
_FILE_KEYS = frozenset({"stack", "description", "base", "case"})
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class CaseFileError(ValueError):
    """A case file that cannot be used: names the file, the case and the fix."""


@dataclass(frozen=True, slots=True)
class Edit:
    path: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled change: what it does to the base tree, and what a reviewer says it carries."""

    id: str
    stack: str
    labels: frozenset[str]
    rationale: str
    ambiguous: str | None = None
    base: Mapping[str, str] = field(default_factory=dict)
    renames: Mapping[str, str] = field(default_factory=dict)
    deletes: tuple[str, ...] = ()
    edits: tuple[Edit, ...] = ()
    writes: Mapping[str, str] = field(default_factory=dict)

    @property
    def branch(self) -> str:
        return f"case/{self.id}"


@dataclass(frozen=True, slots=True)
class Stack:
    name: str
    description: str
    base: Mapping[str, str]
    cases: tuple[Case, ...]

    def main_tree(self) -> dict[str, str]:
        """The tree on ``main``: the stack's base and every case's extra base files."""
        tree = dict(self.base)
        for case in self.cases:
            tree.update(case.base)
        return tree


def _fail(source: str, case_id: str | None, problem: str) -> CaseFileError:
    where = f"{source}: case {case_id}" if case_id else source
    return CaseFileError(f"{where}: {problem}")


def _text(value: object, source: str, case_id: str | None, key: str) -> str:
    if not isinstance(value, str):
        raise _fail(source, case_id, f"{key} must be a string, not {type(value).__name__}")
    return value


def _files(value: object, source: str, case_id: str | None, key: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _fail(source, case_id, f"[{key}] must be a table of path = content")
    return {
        _path(path, source, case_id, key): _text(content, source, case_id, f"{key}.{path}")
        for path, content in value.items()
    }


def _path(path: str, source: str, case_id: str | None, key: str) -> str:
    try:
        return slices.check_path(path)
    except _report.BenchError as error:
        raise _fail(source, case_id, f"[{key}] {error}") from None


def parse_labels(
    value: object, source: str = "<labels>", case_id: str | None = None
) -> frozenset[str]:
    """A case's labels: a list of distinct categories (empty for a change with no risk)."""
    if not isinstance(value, list) or not all(isinstance(label, str) for label in value):
        raise _fail(source, case_id, "labels must be a list of category names ([] for none)")
    unknown = [label for label in value if label not in CATEGORIES]
    if unknown:
        raise _fail(source, case_id, f"unknown label {unknown[0]!r}; use {', '.join(CATEGORIES)}")
    if len(set(value)) != len(value):
        raise _fail(source, case_id, "a label is listed twice")
    return frozenset(value)


def _edits(value: object, source: str, case_id: str) -> tuple[Edit, ...]:
    if not isinstance(value, list):
        raise _fail(source, case_id, "edit must be an array of tables ([[case.edit]])")
    edits = []
    for entry in value:
        if not isinstance(entry, dict) or set(entry) != {"path", "old", "new"}:
            raise _fail(source, case_id, "each [[case.edit]] has exactly path, old and new")
        edits.append(
            Edit(
                path=_text(entry["path"], source, case_id, "edit.path"),
                old=_text(entry["old"], source, case_id, "edit.old"),
                new=_text(entry["new"], source, case_id, "edit.new"),
            )
        )
    return tuple(edits)


def parse_case(raw: object, stack: str, source: str) -> Case:
    if not isinstance(raw, dict):
        raise _fail(source, None, "each [[case]] must be a table")
    case_id = _text(raw.get("id"), source, None, "id")
    if not _ID.fullmatch(case_id) or not case_id.startswith(f"{stack}-"):
        raise _fail(
            source, case_id, f"the id must be lowercase words joined by -, after '{stack}-'"
        )
    unknown = sorted(set(raw) - _CASE_KEYS)
    if unknown:
        raise _fail(source, case_id, f"unknown key {unknown[0]!r}; see bench/risk_cases/README.md")
    rationale = _text(raw.get("rationale"), source, case_id, "rationale").strip()
    if not rationale:
        raise _fail(source, case_id, "the rationale is empty; say why the labels are right")
    ambiguous = raw.get("ambiguous")
    deletes = raw.get("delete", [])
    renames = raw.get("rename", {})
    if not isinstance(deletes, list) or not all(isinstance(path, str) for path in deletes):
        raise _fail(source, case_id, "delete must be a list of paths")
    if not isinstance(renames, dict) or not all(isinstance(new, str) for new in renames.values()):
        raise _fail(source, case_id, "[case.rename] must be a table of old path = new path")
    for old, new in renames.items():
        _path(old, source, case_id, "case.rename")
        _path(new, source, case_id, "case.rename")
    return Case(
        id=case_id,
        stack=stack,
        labels=parse_labels(raw.get("labels"), source, case_id),
        rationale=rationale,
        ambiguous=None if ambiguous is None else _text(ambiguous, source, case_id, "ambiguous"),
        base=_files(raw.get("base", {}), source, case_id, "case.base"),
        renames=dict(renames),
        deletes=tuple(deletes),
        edits=_edits(raw.get("edit", []), source, case_id),
        writes=_files(raw.get("write", {}), source, case_id, "case.write"),
    )


def apply_case(tree: Mapping[str, str], case: Case) -> dict[str, str]:
    """The tree after ``case``: renames, deletes, edits, then writes (raises on a bad step)."""
    after = dict(tree)
    source = f"{case.stack}.toml"
    for old, new in case.renames.items():
        if old not in after or new in after:
            raise _fail(source, case.id, f"cannot rename {old} to {new}: missing source or taken")
        after[new] = after.pop(old)
    for path in case.deletes:
        if after.pop(path, None) is None:
            raise _fail(source, case.id, f"cannot delete {path}: not in the base tree")
    for edit in case.edits:
        text = after.get(edit.path)
        if text is None or text.count(edit.old) != 1 or not edit.old:
            found = 0 if text is None else text.count(edit.old)
            raise _fail(
                source, case.id, f"edit of {edit.path}: `old` occurs {found} times, not once"
            )
        after[edit.path] = text.replace(edit.old, edit.new)
    after.update(case.writes)
    if after == dict(tree):
        raise _fail(source, case.id, "the change changes nothing")
    return after


def expected_name_status(tree: Mapping[str, str], case: Case) -> set[tuple[str, ...]]:
    """What ``git diff --name-status -M`` should print for the case, as (status, paths...)."""
    after = apply_case(tree, case)
    renamed_from, renamed_to = set(case.renames), set(case.renames.values())
    expected: set[tuple[str, ...]] = {("R", old, new) for old, new in case.renames.items()}
    for path in sorted(set(tree) | set(after)):
        if path in renamed_from or path in renamed_to:
            continue
        if path not in tree:
            expected.add(("A", path))
        elif path not in after:
            expected.add(("D", path))
        elif tree[path] != after[path]:
            expected.add(("M", path))
    return expected


def load_stack(path: Path) -> Stack:
    """One case file, validated: every case applies cleanly to the base tree."""
    source = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise CaseFileError(f"{source}: cannot read it: {error}") from None
    unknown = sorted(set(raw) - _FILE_KEYS)
    if unknown:
        raise _fail(source, None, f"unknown top-level key {unknown[0]!r}")
    stack = _text(raw.get("stack"), source, None, "stack")
    if stack != path.stem:
        raise _fail(source, None, f"stack = {stack!r} but the file is named {path.name}")
    base = _files(raw.get("base", {}), source, None, "base")
    cases_raw = raw.get("case", [])
    if not isinstance(cases_raw, list) or not cases_raw:
        raise _fail(source, None, "no [[case]] tables")
    cases = tuple(parse_case(entry, stack, source) for entry in cases_raw)
    loaded = Stack(
        stack, _text(raw.get("description", ""), source, None, "description"), base, cases
    )
    main: dict[str, str] = dict(base)
    for case in cases:
        for extra, content in case.base.items():
            if main.setdefault(extra, content) != content:
                raise _fail(source, case.id, f"[case.base] {extra} differs from another case's")
    for case in cases:
        apply_case(main, case)
    return loaded


def load_stacks(folder: Path, only: Sequence[str] = ()) -> list[Stack]:
    """Every ``*.toml`` case file in ``folder`` (or those named in ``only``); ids unique."""
    paths = sorted(folder.glob("*.toml"))
    if only:
        missing = sorted(set(only) - {path.stem for path in paths})
        if missing:
            raise CaseFileError(f"{folder}: no case file for stack {missing[0]!r}")
        paths = [path for path in paths if path.stem in only]
    if not paths:
        raise CaseFileError(f"{folder}: no *.toml case files")
    stacks = [load_stack(path) for path in paths]
    seen: set[str] = set()
    for stack in stacks:
        for case in stack.cases:
            if case.id in seen:
                raise CaseFileError(f"{stack.name}.toml: case {case.id}: the id is used twice")
            seen.add(case.id)
    return stacks


# ---------------------------------------------------------------- repositories


def build_repo(stack: Stack, repo: Path) -> None:
    """``main`` with the stack's tree and a slice; one branch ``case/<id>`` per case."""
    slices.init_repo(repo)
    main = stack.main_tree()
    overlap = set(main) & set(slices.slice_files())
    if overlap:
        raise CaseFileError(f"{stack.name}.toml: the base may not hold {min(overlap)}")
    with slices.fast_import(repo) as stream:
        message = f"{stack.description}\n"
        stream.commit(slices.BASE, message, slices.encoded({**main, **slices.slice_files()}))
        for case in stack.cases:
            after = apply_case(main, case)
            changed = {path: text for path, text in after.items() if main.get(path) != text}
            gone = [path for path in main if path not in after]
            stream.commit(
                case.branch,
                f"{case.rationale}\n\nSpec: {slices.SPEC_ID}\n",
                slices.encoded(changed),
                parent=slices.BASE,
                deletes=gone,
                author="Case Author <author@example.com>",
            )


def name_status(repo: Path, base: str, head: str) -> set[tuple[str, ...]]:
    """``git diff --name-status -M`` as (status letter, paths...), similarity dropped."""
    output = slices.git(repo, "diff", "--name-status", "-M", base, head)
    return {
        (fields[0][0], *fields[1:])
        for fields in (line.split("\t") for line in output.splitlines() if line)
    }


# ---------------------------------------------------------------- running the gate


@dataclass(frozen=True, slots=True)
class Detection:
    """What the gate said about one case, or why it could not say."""

    case: Case
    detected: frozenset[str] = frozenset()
    evidence: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    verdict: str = ""
    seconds: float = 0.0
    error: str | None = None


def detect(repo: Path, case: Case) -> Detection:
    command = slices.gate_command(slices.BASE, case.branch)
    began = time.perf_counter()
    try:
        done = subprocess.run(
            command,
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=GATE_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Detection(case, error=f"no verdict within {GATE_TIMEOUT_SECONDS} s")
    seconds = time.perf_counter() - began
    try:
        verdict = slices.read_verdict(done.returncode, done.stdout, done.stderr, case.id)
    except _report.BenchError as error:
        return Detection(case, seconds=seconds, error=str(error))
    return Detection(
        case,
        detected=frozenset(verdict.detected),
        evidence=verdict.detected,
        verdict=verdict.verdict,
        seconds=seconds,
    )


def detect_stack(stack: Stack, folder: Path) -> list[Detection]:
    repo = folder / stack.name
    build_repo(stack, repo)
    print(f"risk-quality: {stack.name}: {len(stack.cases)} cases", file=sys.stderr)
    return [detect(repo, case) for case in stack.cases]


# ---------------------------------------------------------------- scores


@dataclass(frozen=True, slots=True)
class Tally:
    """True positives, false positives and false negatives for one category (or all)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        """None when nothing was detected: precision is undefined, not 0 or 1."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """None when no case carries the category."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        """2TP / (2TP + FP + FN): 0 when either side is empty but not both, None when both are."""
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else None

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


@dataclass(frozen=True, slots=True)
class Scores:
    per_category: Mapping[str, Tally]
    misses: tuple[tuple[str, str], ...]  # (case id, category) labelled but not detected
    false_alarms: tuple[tuple[str, str], ...]  # (case id, category) detected but not labelled
    cases: int
    exact: int  # cases whose detected set equals the labels
    no_risk: int  # cases labelled with no category
    no_risk_clean: int  # of those, with nothing detected

    @property
    def micro(self) -> Tally:
        total = Tally()
        for tally in self.per_category.values():
            total += tally
        return total

    @property
    def specificity(self) -> float | None:
        """Share of no-risk cases where nothing was detected (None without such cases)."""
        return self.no_risk_clean / self.no_risk if self.no_risk else None


def score(
    expected: Mapping[str, frozenset[str]],
    detected: Mapping[str, frozenset[str]],
    categories: Iterable[str] = CATEGORIES,
) -> Scores:
    """Compare detected categories with labels, case by case (keys are case ids).

    Every case in ``expected`` must be in ``detected``. A detected category outside
    ``categories`` still counts, as a false alarm under its own name.
    """
    names = list(categories)
    names += sorted({c for found in detected.values() for c in found} - set(names))
    counts = {name: [0, 0, 0] for name in names}
    misses: list[tuple[str, str]] = []
    false_alarms: list[tuple[str, str]] = []
    for case_id in sorted(expected):
        labels, found = expected[case_id], detected[case_id]
        for name in names:
            if name in labels and name in found:
                counts[name][0] += 1
            elif name in found:
                counts[name][1] += 1
                false_alarms.append((case_id, name))
            elif name in labels:
                counts[name][2] += 1
                misses.append((case_id, name))
    no_risk = [case_id for case_id, labels in expected.items() if not labels]
    return Scores(
        per_category={name: Tally(*tally) for name, tally in counts.items()},
        misses=tuple(misses),
        false_alarms=tuple(false_alarms),
        cases=len(expected),
        exact=sum(expected[case_id] == detected[case_id] for case_id in expected),
        no_risk=len(no_risk),
        no_risk_clean=sum(not detected[case_id] for case_id in no_risk),
    )


# ---------------------------------------------------------------- measuring


@dataclass(frozen=True, slots=True)
class Measured:
    command: str
    stacks: list[Stack]
    detections: list[Detection]
    scores: Scores
    changed: Sequence[str]  # source files edited while the benchmark ran
    section: Section = SECTIONS[NAME]
    cases_dir: Path = CASES_DIR

    @property
    def title(self) -> str:
        """The section's heading: names the set when it is not the default one."""
        stacks = "stack" if len(self.stacks) == 1 else "stacks"
        which = "" if self.section.name == NAME else f", {self.section.heading}"
        changes = len(self.detections)
        return f"Risk detection{which}: {changes} labelled changes from {len(self.stacks)} {stacks}"

    @property
    def errors(self) -> list[Detection]:
        return [d for d in self.detections if d.error is not None]

    @property
    def passed(self) -> bool:
        """Every case got a verdict; the figures themselves have no goal yet."""
        return not self.errors


def pick_section(name: str | None, cases: Path | None) -> tuple[Section, Path]:
    """The section to write and the folder to read.

    Without ``--section`` the folder decides: ``--cases bench/risk_holdout`` is the held-out set,
    so its figures never land under the in-sample marker by mistake.
    """
    if name is None:
        chosen = cases.resolve() if cases is not None else CASES_DIR
        name = next((s.name for s in SECTIONS.values() if s.cases == chosen), NAME)
    section = SECTIONS[name]
    return section, section.cases if cases is None else cases


def measure(args: argparse.Namespace, folder: Path, command: str) -> Measured:
    section, cases_dir = pick_section(args.section, args.cases)
    try:
        stacks = load_stacks(cases_dir, args.stack or ())
    except CaseFileError as error:
        raise _report.BenchError(str(error)) from None
    package = _report.compile_signoff()
    sources = _report.source_fingerprint(package)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        per_stack = list(pool.map(lambda stack: detect_stack(stack, folder), stacks))
    detections = [detection for found in per_stack for detection in found]
    measured = [d for d in detections if d.error is None]
    if not measured:
        raise _report.BenchError(f"the gate gave no verdict on any case: {detections[0].error}")
    scores = score(
        {d.case.id: d.case.labels for d in measured}, {d.case.id: d.detected for d in measured}
    )
    return Measured(
        command=command,
        stacks=stacks,
        detections=detections,
        scores=scores,
        changed=_report.changed_sources(sources, _report.source_fingerprint(package)),
        section=section,
        cases_dir=cases_dir,
    )


# ---------------------------------------------------------------- the report


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _tally_row(name: str, tally: Tally, labelled: int) -> str:
    return (
        f"| {name} | {labelled} | {tally.tp} | {tally.fp} | {tally.fn} | "
        f"{_figure(tally.precision)} | {_figure(tally.recall)} | {_figure(tally.f1)} |"
    )


def _evidence(detection: Detection, category: str) -> str:
    items = detection.evidence.get(category, [])
    shown = []
    for item in items[:2]:
        line = item.get("line")
        where = f"{item.get('path')}:{line}" if line else str(item.get("path"))
        shown.append(f"`{where}` ({item.get('rule')})")
    more = f" and {len(items) - 2} more" if len(items) > 2 else ""
    return ", ".join(shown) + more if shown else "no evidence given"


def _by_case(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for case_id, category in pairs:
        grouped.setdefault(case_id, []).append(category)
    return grouped


def _labels(case: Case) -> str:
    return ", ".join(name for name in CATEGORIES if name in case.labels) or "none"


def _ambiguity(case: Case) -> str:
    return f" (Ambiguous: {case.ambiguous})" if case.ambiguous else ""


def _folder(path: Path) -> str:
    """A case folder as a reader finds it: relative to the project root when inside it."""
    try:
        shown = path.resolve().relative_to(_report.ROOT).as_posix()
    except ValueError:
        shown = path.as_posix()
    return shown.rstrip("/") + "/"


def render(measured: Measured) -> str:
    m = measured
    s = m.scores
    by_id = {d.case.id: d for d in m.detections}
    labelled = {
        name: sum(name in d.case.labels for d in m.detections if d.error is None)
        for name in s.per_category
    }
    total_cases = len(m.detections)
    no_risk_total = sum(not d.case.labels for d in m.detections)
    seconds = sorted(d.seconds for d in m.detections if d.error is None)
    lines = [
        *_report.header(m.title, m.command),
        *_report.paragraph(
            f"The {m.section.heading} is `{_folder(m.cases_dir)}` "
            f"({', '.join(st.name for st in m.stacks)}):",
            f"{total_cases} changes built as branches of one real git repository per stack,",
            f"{no_risk_total} of them ({no_risk_total / total_cases:.0%}) with no irreversible",
            "risk (refactors, tests, docs, comments, CSS, version bumps, fixtures, paths that",
            "only look risky). The labels were written from the category definitions, not from",
            "the rules; the README there gives the guidelines and the ambiguous calls. Each case",
            f"is judged by `signoff gate --base {slices.BASE} --head case/<id> --spec",
            f"{slices.SPEC_ID} --format json`; a category counts as detected when it appears",
            "under `risk.detected`.",
            m.section.about if m.cases_dir.resolve() == m.section.cases else "",
        ),
        "| category | cases labelled | TP | FP | FN | precision | recall | F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *(_tally_row(name, tally, labelled[name]) for name, tally in s.per_category.items()),
        _tally_row("**micro-average**", s.micro, sum(labelled.values())),
        "",
        *_report.paragraph(
            f"No-risk specificity: {s.no_risk_clean} of {s.no_risk} changes labelled with no",
            f"category had nothing detected ({_figure(s.specificity)}).",
            f"Exact match: {s.exact} of {s.cases} changes got exactly their labels",
            f"({s.exact / s.cases:.0%}).",
            f"The gate took {_report.median(seconds) * 1000:,.0f} ms per change (median, start-up",
            "included).",
        ),
        "| stack | cases | no risk | exact | misses | false alarms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for stack in m.stacks:
        ids = {case.id for case in stack.cases}
        done = [by_id[case_id] for case_id in sorted(ids) if by_id[case_id].error is None]
        lines.append(
            f"| {stack.name} | {len(stack.cases)} | "
            f"{sum(not case.labels for case in stack.cases)} | "
            f"{sum(d.detected == d.case.labels for d in done)} | "
            f"{sum(case_id in ids for case_id, _ in s.misses)} | "
            f"{sum(case_id in ids for case_id, _ in s.false_alarms)} |"
        )
    lines += ["", "### Misses (labelled, not detected)", ""]
    lines += [
        f"- `{case_id}`: {', '.join(categories)}. {by_id[case_id].case.rationale}"
        + _ambiguity(by_id[case_id].case)
        for case_id, categories in _by_case(s.misses).items()
    ] or ["None."]
    lines += ["", "### False alarms (detected, not labelled)", ""]
    lines += [
        f"- `{case_id}`: "
        + "; ".join(f"{name} from {_evidence(by_id[case_id], name)}" for name in categories)
        + f". Labelled {_labels(by_id[case_id].case)}: {by_id[case_id].case.rationale}"
        + _ambiguity(by_id[case_id].case)
        for case_id, categories in _by_case(s.false_alarms).items()
    ] or ["None."]
    if m.errors:
        lines += ["", "### No verdict", ""]
        lines += [f"- **FAIL** `{d.case.id}`: {d.error}" for d in m.errors]
    lines += _report.warnings([], m.changed)
    return "\n".join(lines) + "\n"


def summarise(measured: Measured) -> tuple[str, ...]:
    s = measured.scores
    micro = s.micro
    name = measured.section.name
    return (
        (
            f"{name}: {s.cases} changes: micro precision {_figure(micro.precision)}, "
            f"recall {_figure(micro.recall)}, F1 {_figure(micro.f1)}; no-risk specificity "
            f"{_figure(s.specificity)}; {len(s.misses)} misses, {len(s.false_alarms)} false alarms"
        ),
        *(f"{name}: NO VERDICT on {d.case.id}: {d.error}" for d in measured.errors),
        *_report.summary_warnings(name, [], measured.changed),
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--section",
        choices=sorted(SECTIONS),
        help=(
            f"which set, and the marker its section is written under: {NAME} (in-sample, "
            "bench/risk_cases) or risk-holdout (held-out, bench/risk_holdout); default: the "
            f"section whose folder --cases names, else {NAME}"
        ),
    )
    parser.add_argument(
        "--cases", type=Path, help="folder of case files (default: the section's own folder)"
    )
    parser.add_argument(
        "--stack", action="append", help="only this stack's file (repeatable; default: all)"
    )
    parser.add_argument(
        "--jobs", type=int, default=_report.cpu_count(), help="stacks judged at once"
    )
    parser.add_argument("--write", type=Path, help="replace this benchmark's section in FILE")
    return parser


def run(argv: list[str] | None = None) -> _report.Outcome:
    """Measure, then write the section (``--write FILE``) or print it."""
    arguments = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(arguments)
    section, _ = pick_section(args.section, args.cases)
    if args.jobs < 1:
        return _report.refuse(section.name, "--jobs must be at least 1")
    command = _report.display_command([sys.executable, SCRIPT, *arguments])

    return _report.conclude_in_folder(
        section.name, lambda folder: measure(args, folder, command), render, summarise, args.write
    )


def main(argv: list[str] | None = None) -> int:
    return run(argv).exit_code


if __name__ == "__main__":
    raise SystemExit(main())
