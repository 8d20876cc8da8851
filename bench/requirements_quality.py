# Copyright 2025 The Signoff developers
# SPDX-License-Identifier: Apache-2.0
"""Requirement-quality benchmark: how well do the checker's wording rules do on real text?

Two public data sets, read in place from ``../shared/benchmarks/requirements`` (or ``--data
DIR``) and never copied into the package:

* ReqEval (NLP4RE'20): pronoun occurrences labelled ambiguous (NOCUOUS) or clear (INNOCUOUS).
  ``find_vague_pronouns`` is scored per occurrence against flagging every pronoun.
* PROMISE NFR: 625 real requirements, with no smell labels. Every wording rule reads each
  requirement as an acceptance-criterion item; the script reports how often each rule fires
  and the precision of a fixed-seed sample of up to 20 hits per rule, judged by hand. The
  judgements are in ``bench/data/promise_hit_labels.json``, keyed by requirement index, rule and
  matched words, so the precision is recomputed on every run. After a word list changes, run
  with ``--show-sample all`` to see the new sample with its labels ("?" = not judged yet).

Run ``.venv/bin/python bench/requirements_quality.py --write docs/performance.md`` to refresh
this benchmark's section of that file; without ``--write`` it prints the section. Exit codes:
0 every goal met, 1 a goal missed (the pronoun rule does not beat the baseline on test.tsv in
precision and F1, or a sampled hit is not judged), 2 the data is missing.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import _report
from signoff.core.specs.model import SectionKind
from signoff.core.specs.rules import CheckContext
from signoff.core.specs.rules.pronouns import find_vague_pronouns
from signoff.core.specs.rules.wording import (
    SMELLS,
    VAGUE_PRONOUN,
    WORDING_RULE_NAMES,
    wording_hits,
)
from signoff.core.standards import Standards

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

NAME = "requirements-quality"
SCRIPT = "bench/requirements_quality.py"
DEFAULT_DATA = _report.ROOT.parent / "shared" / "benchmarks" / "requirements"
DEFAULT_LABELS = Path(__file__).resolve().parent / "data" / "promise_hit_labels.json"
SAMPLE_SIZE = 20
SEED = "signoff-requirements-quality"
CODES: dict[str, str] = {smell.rule.name: smell.rule.code for smell in SMELLS} | {
    VAGUE_PRONOUN.name: VAGUE_PRONOUN.code
}
RULE_ORDER: tuple[str, ...] = tuple(sorted(CODES, key=CODES.__getitem__))

_TAG = re.compile(r"<referential>(.*?)</referential>", re.IGNORECASE)
_PROMISE_ROW = re.compile(r"^(\d+),(.*),([A-Z]{1,2})\s*$")


# ---------------------------------------------------------------- ReqEval


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One labelled row of ReqEval: the sentence without tags and the tagged pronoun spans.

    Eight rows (7 in training, 1 in test) tag the same pronoun twice ("their performance, and
    their costs"); the row has one label, so it counts as one occurrence, flagged when any of its
    tagged spans is flagged.
    """

    ident: str
    text: str
    spans: tuple[tuple[int, int], ...]
    ambiguous: bool


def strip_tags(tagged: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The sentence without ``<referential>`` tags, and the spans the tags wrapped."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    position = 0
    for match in _TAG.finditer(tagged):
        before = tagged[position : match.start()]
        word = match.group(1)
        parts += [before, word]
        spans.append((length + len(before), length + len(before) + len(word)))
        length += len(before) + len(word)
        position = match.end()
    parts.append(tagged[position:])
    return "".join(parts), tuple(spans)


def load_reqeval(path: Path) -> list[Occurrence]:
    """Rows of a ReqEval TSV file (some rows carry trailing tabs: split, do not use csv)."""
    occurrences: list[Occurrence] = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if not line.strip():
            continue
        columns = line.split("\t")
        ident, tagged, label = columns[0].strip(), columns[1], columns[2].strip().upper()
        if label not in ("NOCUOUS", "INNOCUOUS"):
            raise _report.BenchError(f"{path}: row {ident} has an unknown label {label!r}")
        text, spans = strip_tags(tagged)
        if not spans:
            raise _report.BenchError(f"{path}: row {ident} tags no pronoun")
        occurrences.append(Occurrence(ident, text, spans, ambiguous=label == "NOCUOUS"))
    return occurrences


@dataclass(frozen=True, slots=True)
class Scores:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def flagged_by_heuristic(occurrence: Occurrence) -> bool:
    """Whether ``find_vague_pronouns`` returns a hit on exactly a tagged span."""
    hits = {(hit.start, hit.end) for hit in find_vague_pronouns(occurrence.text)}
    return any(span in hits for span in occurrence.spans)


def score(occurrences: Iterable[Occurrence], *, flag_everything: bool = False) -> Scores:
    tp = fp = fn = tn = 0
    for occurrence in occurrences:
        flagged = flag_everything or flagged_by_heuristic(occurrence)
        if flagged and occurrence.ambiguous:
            tp += 1
        elif flagged:
            fp += 1
        elif occurrence.ambiguous:
            fn += 1
        else:
            tn += 1
    return Scores(tp, fp, fn, tn)


# ---------------------------------------------------------------- PROMISE NFR


def load_promise(path: Path) -> list[str]:
    """Requirement texts of nfr.csv in file order (index 0 is the first requirement).

    The file quotes texts with single quotes, not always, escapes '%' as '\\%' and has a few
    literal '\\t'; whitespace is collapsed.
    """
    texts: list[str] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines[1:], start=2):
        match = _PROMISE_ROW.match(line)
        if match is None:
            raise _report.BenchError(f"{path}:{number}: not a 'project,text,class' row")
        text = match.group(2).strip().strip("'").replace("\\%", "%").replace("\\t", " ")
        texts.append(" ".join(text.split()))
    return texts


@dataclass(frozen=True, slots=True)
class PromiseHit:
    index: int
    rule: str
    words: str
    start: int
    text: str

    @property
    def key(self) -> str:
        """Stable across runs: requirement index, rule and the matched words (lower case)."""
        return f"{self.index}|{self.rule}|{self.words.lower()}"

    def context(self, width: int = 90) -> str:
        left = max(0, self.start - width)
        end = self.start + len(self.words)
        right = min(len(self.text), end + width)
        return (
            ("…" if left else "")
            + f"{self.text[left : self.start]}[[{self.text[self.start : end]}]]"
            + self.text[end:right]
            + ("…" if right < len(self.text) else "")
        )


def promise_hits(texts: Sequence[str], context: CheckContext) -> dict[str, list[PromiseHit]]:
    """Every wording hit on every requirement, by rule name."""
    by_rule: dict[str, list[PromiseHit]] = {name: [] for name in RULE_ORDER}
    for index, text in enumerate(texts):
        for hit in wording_hits(text, context, SectionKind.ACCEPTANCE_CRITERIA, WORDING_RULE_NAMES):
            by_rule[hit.rule.name].append(
                PromiseHit(index, hit.rule.name, hit.words, hit.start, text)
            )
    return by_rule


def sample(hits: Sequence[PromiseHit], size: int = SAMPLE_SIZE) -> list[PromiseHit]:
    """A fixed-seed sample of distinct hit keys of one rule, in requirement order."""
    first: dict[str, PromiseHit] = {}
    for hit in hits:
        first.setdefault(hit.key, hit)
    if not first:
        return []
    rng = random.Random(f"{SEED}:{hits[0].rule}")
    chosen = rng.sample(sorted(first), min(size, len(first)))
    return sorted((first[key] for key in chosen), key=lambda hit: (hit.index, hit.start))


@dataclass(frozen=True, slots=True)
class Label:
    smell: bool
    note: str


def load_labels(path: Path) -> dict[str, Label]:
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {
        key: Label(bool(entry["smell"]), str(entry.get("note", "")))
        for key, entry in raw["labels"].items()
    }


@dataclass(frozen=True, slots=True)
class RuleReport:
    rule: str
    hits: int
    requirements_hit: int
    sampled: int
    judged: int
    true_hits: int
    retired: int  # judged hits of earlier word lists that this rule no longer produces
    retired_true: int

    @property
    def precision(self) -> float | None:
        return self.true_hits / self.judged if self.judged else None


def rule_reports(
    by_rule: dict[str, list[PromiseHit]], labels: dict[str, Label]
) -> tuple[list[RuleReport], list[PromiseHit]]:
    """Per-rule figures, and the sampled hits that nobody has judged yet."""
    reports: list[RuleReport] = []
    unjudged: list[PromiseHit] = []
    for name in RULE_ORDER:
        hits = by_rule[name]
        current = {hit.key for hit in hits}
        chosen = sample(hits)
        judged = [labels[hit.key] for hit in chosen if hit.key in labels]
        unjudged.extend(hit for hit in chosen if hit.key not in labels)
        retired = [
            label
            for key, label in labels.items()
            if key.split("|")[1] == name and key not in current
        ]
        reports.append(
            RuleReport(
                rule=name,
                hits=len(hits),
                requirements_hit=len({hit.index for hit in hits}),
                sampled=len(chosen),
                judged=len(judged),
                true_hits=sum(label.smell for label in judged),
                retired=len(retired),
                retired_true=sum(label.smell for label in retired),
            )
        )
    return reports, unjudged


# ---------------------------------------------------------------- the report


@dataclass(frozen=True, slots=True)
class Measured:
    command: str
    splits: tuple[tuple[str, Sequence[Occurrence]], ...]
    reports: tuple[RuleReport, ...]
    unjudged: tuple[PromiseHit, ...]
    requirements: int
    seconds: float

    def pronoun_scores(self, split: str) -> tuple[Scores, Scores]:
        occurrences = dict(self.splits)[split]
        return score(occurrences), score(occurrences, flag_everything=True)

    @property
    def beats_baseline(self) -> bool:
        heuristic, baseline = self.pronoun_scores("test.tsv")
        return heuristic.precision > baseline.precision and heuristic.f1 > baseline.f1

    @property
    def passed(self) -> bool:
        return self.beats_baseline and not self.unjudged


def _pronoun_table(measured: Measured) -> list[str]:
    rows = [
        "| file | method | occurrences | TP | FP | FN | P | R | F1 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, occurrences in measured.splits:
        heuristic, baseline = measured.pronoun_scores(name)
        for method, result in (("flag every pronoun", baseline), ("vague-pronoun", heuristic)):
            rows.append(
                f"| {name} | {method} | {len(occurrences)} | {result.tp} | {result.fp} | "
                f"{result.fn} | {result.precision:.2f} | {result.recall:.2f} | {result.f1:.2f} |"
            )
    return rows


def _promise_table(measured: Measured) -> list[str]:
    rows = [
        "| rule | hits | requirements hit | firing rate | sampled hits | judged precision |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for report in measured.reports:
        precision = "n/a"
        if report.precision is not None:
            precision = f"{report.precision:.2f} ({report.true_hits}/{report.judged})"
        if report.judged < report.sampled:
            precision += f", **{report.sampled - report.judged} not judged**"
        rate = 100 * report.requirements_hit / measured.requirements
        rows.append(
            f"| {CODES[report.rule]} {report.rule} | {report.hits} | {report.requirements_hit} | "
            f"{rate:.1f}% | {report.sampled} | {precision} |"
        )
    return rows


def _retired_line(measured: Measured) -> str:
    retired = [report for report in measured.reports if report.retired]
    if not retired:
        return ""
    total = sum(report.retired for report in retired)
    real = sum(report.retired_true for report in retired)
    parts = ", ".join(
        f"{report.rule} {report.retired - report.retired_true}/{report.retired}"
        for report in retired
    )
    return (
        f"Tuning audit: the labels file also judges {total} hits of the first word lists that "
        f"the final lists no longer produce; {total - real} of them were not smells "
        f"(not-smell/judged per rule: {parts})."
    )


def render(measured: Measured) -> str:
    heuristic, baseline = measured.pronoun_scores("test.tsv")
    judged = sum(report.judged for report in measured.reports)
    true_hits = sum(report.true_hits for report in measured.reports)
    rate = measured.requirements / measured.seconds if measured.seconds else 0.0
    overall = f" ({true_hits / judged:.0%})" if judged else ""
    lines = [
        *_report.header("Requirement quality: wording rules on public data", measured.command),
        "Data, read in place from `../shared/benchmarks/requirements`: ReqEval (NLP4RE'20,",
        "CC BY 4.0) and PROMISE NFR (Cleland-Huang et al., CC BY-SA 3.0).",
        "",
        "### Vague pronouns on ReqEval",
        "",
        "One row per labelled occurrence; ambiguous (NOCUOUS) is the positive class. An",
        "occurrence counts as flagged when `find_vague_pronouns` on the untagged sentence returns",
        "a hit on exactly the tagged span (8 rows tag a pronoun twice under one label: flagged",
        "if either is). The heuristic was tuned on `training.tsv` only; `test.tsv` adds domains",
        "the training file lacks. The baseline flags every pronoun.",
        "",
        *_pronoun_table(measured),
        "",
        (
            f"On test.tsv the rule {'beats' if measured.beats_baseline else 'does NOT beat'} "
            f"the baseline in precision ({heuristic.precision:.2f} vs {baseline.precision:.2f}) "
            f"and F1 ({heuristic.f1:.2f} vs {baseline.f1:.2f}): "
            f"{_report.verdict(measured.beats_baseline)}."
        ),
        "",
        "### Wording rules on PROMISE NFR",
        "",
        f"Each of the {measured.requirements} requirements is checked as one acceptance-criterion",
        "item (so `negative` reads them too). Firing rate = share of requirements with at least",
        f"one hit. Per rule, a fixed-seed sample of up to {SAMPLE_SIZE} distinct hits was read and",
        "judged by hand: is it a real smell in that requirement (would the rule's hint make it",
        "clearer or testable)? The labels are in `bench/data/promise_hit_labels.json`; the",
        "precision is recomputed from them on every run. One person judged the hits, the one",
        "who tuned the word lists on this corpus, so read the figures as optimistic; a rule",
        "with a handful of hits says little either way. vague-pronoun is judged stricter here",
        "(could a careful reader pick another referent?) than ReqEval's annotators were (any",
        "doubt by either annotator makes a pronoun ambiguous).",
        "",
        *_promise_table(measured),
        "",
        f"Over all sampled hits: {true_hits}/{judged} judged real smells{overall}.",
    ]
    audit = _retired_line(measured)
    if audit:
        lines.append(audit)
    lines.append(
        f"Wording rules ran at {rate:,.0f} requirements per second here (all rules, "
        "`wording_hits`, one process)."
    )
    return "\n".join(lines) + "\n"


def summarise(measured: Measured) -> tuple[str, ...]:
    """The lines printed after ``--write`` (``bench/run_all.py`` repeats some of them)."""
    heuristic, baseline = measured.pronoun_scores("test.tsv")
    judged = sum(report.judged for report in measured.reports)
    true_hits = sum(report.true_hits for report in measured.reports)
    rate = measured.requirements / measured.seconds if measured.seconds else 0.0
    lines = [
        (
            f"Vague pronouns on ReqEval test.tsv: P {heuristic.precision:.2f} "
            f"R {heuristic.recall:.2f} F1 {heuristic.f1:.2f}, flag-every-pronoun baseline "
            f"P {baseline.precision:.2f} F1 {baseline.f1:.2f}: "
            f"{'pass' if measured.beats_baseline else 'FAIL'}"
        ),
        f"Over all sampled hits: {true_hits}/{judged} PROMISE wording hits judged real smells",
        f"Wording rules ran at {rate:,.0f} requirements per second",
    ]
    if measured.unjudged:
        lines.append(
            f"Not judged: {len(measured.unjudged)} sampled hits have no label; "
            "run with --show-sample all"
        )
    return tuple(lines)


# ---------------------------------------------------------------- command line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="folder with reqeval/ and promise-nfr/ (default: ../shared/benchmarks/requirements)",
    )
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS, help="hit judgements file")
    parser.add_argument("--write", type=Path, help="replace this benchmark's section in FILE")
    parser.add_argument(
        "--show-sample",
        metavar="RULE",
        help="print the sampled PROMISE hits of RULE ('all': every rule) with their labels",
    )
    parser.add_argument(
        "--show-pronouns",
        choices=("training", "test"),
        help="print each ReqEval occurrence of a file with its label and the rule's verdict",
    )
    return parser


def _show_pronouns(occurrences: Sequence[Occurrence]) -> None:
    for occurrence in occurrences:
        hits = find_vague_pronouns(occurrence.text)
        flagged = flagged_by_heuristic(occurrence)
        verdict = ("T" if flagged == occurrence.ambiguous else "F") + ("P" if flagged else "N")
        reasons = [hit.reason for hit in hits if (hit.start, hit.end) in occurrence.spans]
        start, end = occurrence.spans[0]
        text = occurrence.text
        marked = f"{text[:start]}[[{text[start:end]}]]{text[end:]}"
        print(f"{verdict} {occurrence.ident}: {marked}" + (f"  <- {reasons[0]}" if reasons else ""))


def _show_sample(by_rule: dict[str, list[PromiseHit]], labels: dict[str, Label], rule: str) -> None:
    for name in RULE_ORDER if rule == "all" else (rule,):
        print(f"## {name}")
        for hit in sample(by_rule[name]):
            label = labels.get(hit.key)
            mark = "?" if label is None else ("Y" if label.smell else "N")
            print(f"{mark} {hit.key!r}: {hit.context()}")
            if label is not None and label.note:
                print(f"    note: {label.note}")


def measure(args: argparse.Namespace, command: str) -> Measured | None:
    """Score the rules; ``None`` when a --show option printed instead."""
    data: Path = args.data
    reqeval = data / "reqeval"
    promise = data / "promise-nfr" / "nfr.csv"
    for required in (reqeval / "training.tsv", reqeval / "test.tsv", promise):
        if not required.is_file():
            raise _report.BenchError(f"{required} not found (pass --data DIR)")
    splits = (
        ("test.tsv", load_reqeval(reqeval / "test.tsv")),
        ("training.tsv", load_reqeval(reqeval / "training.tsv")),
    )
    if args.show_pronouns:
        _show_pronouns(dict(splits)[f"{args.show_pronouns}.tsv"])
        return None
    texts = load_promise(promise)
    context = CheckContext(Standards("bench"))
    promise_hits(texts[:50], context)  # warm up: compiled patterns, caches
    began = time.perf_counter()
    by_rule = promise_hits(texts, context)
    seconds = time.perf_counter() - began
    labels = load_labels(args.labels)
    if args.show_sample:
        if args.show_sample != "all" and args.show_sample not in RULE_ORDER:
            raise _report.BenchError(f"unknown rule {args.show_sample!r}")
        _show_sample(by_rule, labels, args.show_sample)
        return None
    reports, unjudged = rule_reports(by_rule, labels)
    return Measured(command, splits, tuple(reports), tuple(unjudged), len(texts), seconds)


def run(argv: list[str] | None = None) -> _report.Outcome:
    """Measure, then write the section (``--write FILE``) or print it."""
    arguments = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(arguments)
    command = _report.display_command([sys.executable, SCRIPT, *arguments])
    return _report.conclude(NAME, lambda: measure(args, command), render, summarise, args.write)


def main(argv: list[str] | None = None) -> int:
    return run(argv).exit_code


if __name__ == "__main__":
    raise SystemExit(main())
