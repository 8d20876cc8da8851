# Copyright 2025 The Signoff developers
# SPDX-License-Identifier: Apache-2.0
"""Requirement-quality benchmark: how good are the checker's wording rules on real text?

Two public data sets (see ../shared/benchmarks/requirements/README.md, read in place, never
copied into the package):

* ReqEval (NLP4RE'20): pronoun occurrences labelled ambiguous (NOCUOUS) or clear (INNOCUOUS).
  ``find_vague_pronouns`` is scored per occurrence against the flag-every-pronoun baseline.
* PROMISE NFR: 625 real requirements, unlabelled. Every wording rule runs over each requirement
  as if it were an acceptance-criterion item; the script reports how often each rule fires and
  the precision of a fixed-seed sample of hits that a person judged by hand. The judgements live
  in ``bench/data/promise_hit_labels.json``; ``--show-sample RULE`` prints a rule's sample with
  its current labels, to add or review judgements after a word list changes.

Run ``.venv/bin/python bench/requirements_quality.py --write docs/performance.md`` to refresh the
section between this benchmark's markers in that file.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from signoff.core.specs.model import SectionKind
from signoff.core.specs.rules import CheckContext
from signoff.core.specs.rules.pronouns import find_vague_pronouns
from signoff.core.specs.rules.wording import (
    SMELLS,
    VAGUE_PRONOUN,
    WORDING_RULE_NAMES,
    WordingHit,
    wording_hits,
)
from signoff.core.standards import Standards

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks" / "requirements"
DEFAULT_LABELS = Path(__file__).resolve().parent / "data" / "promise_hit_labels.json"
COMMAND = ".venv/bin/python bench/requirements_quality.py --write docs/performance.md"
START_MARKER = "<!-- bench:requirements-quality:start -->"
END_MARKER = "<!-- bench:requirements-quality:end -->"
SAMPLE_SIZE = 20
SEED = "signoff-requirements-quality"
# Rules in code order, as the report lists them.
RULE_ORDER: tuple[str, ...] = tuple(
    name
    for _, name in sorted(
        [(smell.rule.code, smell.rule.name) for smell in SMELLS]
        + [(VAGUE_PRONOUN.code, VAGUE_PRONOUN.name)]
    )
)

_TAG = re.compile(r"<referential>(.*?)</referential>", re.IGNORECASE)
_PROMISE_ROW = re.compile(r"^(\d+),(.*),([A-Z]{1,2})\s*$")


# ---------------------------------------------------------------- ReqEval


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One labelled row of ReqEval: the sentence without tags and the tagged pronoun spans.

    A few rows tag the same pronoun twice ("their performance, and their costs"); the row carries
    one label, so it counts as one occurrence, flagged when any tagged span is flagged.
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
        parts.append(before)
        length += len(before)
        word = match.group(1)
        spans.append((length, length + len(word)))
        parts.append(word)
        length += len(word)
        position = match.end()
    parts.append(tagged[position:])
    return "".join(parts), tuple(spans)


def load_reqeval(path: Path) -> list[Occurrence]:
    """Rows of a ReqEval TSV file (some rows carry trailing tabs: split, do not use csv)."""
    occurrences: list[Occurrence] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        if not line.strip():
            continue
        columns = line.split("\t")
        ident, tagged, label = columns[0].strip(), columns[1], columns[2].strip().upper()
        if label not in ("NOCUOUS", "INNOCUOUS"):
            raise ValueError(f"{path}: row {ident} has an unknown label {label!r}")
        text, spans = strip_tags(tagged)
        if not spans:
            raise ValueError(f"{path}: row {ident} tags no pronoun")
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
    """Requirement texts of nfr.csv, in file order (index 0 is the first requirement).

    The file quotes texts with single quotes but not consistently, and escapes '%' as '\\%'.
    """
    texts: list[str] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines[1:], start=2):
        match = _PROMISE_ROW.match(line)
        if match is None:
            raise ValueError(f"{path}:{number}: not a 'project,text,class' row")
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
        """Stable across runs: requirement index, rule and the matched words."""
        return f"{self.index}|{self.rule}|{self.words.lower()}"

    def context(self, width: int = 70) -> str:
        left = max(0, self.start - width)
        right = min(len(self.text), self.start + len(self.words) + width)
        return (
            ("…" if left else "")
            + self.text[left : self.start]
            + "[["
            + self.text[self.start : self.start + len(self.words)]
            + "]]"
            + self.text[self.start + len(self.words) : right]
            + ("…" if right < len(self.text) else "")
        )


def promise_hits(texts: Sequence[str], context: CheckContext) -> dict[str, list[PromiseHit]]:
    """Every wording hit on every requirement, by rule name."""
    by_rule: dict[str, list[PromiseHit]] = {name: [] for name in RULE_ORDER}
    for index, text in enumerate(texts):
        found: list[WordingHit] = wording_hits(
            text, context, SectionKind.ACCEPTANCE_CRITERIA, WORDING_RULE_NAMES
        )
        for hit in found:
            by_rule[hit.rule.name].append(
                PromiseHit(index, hit.rule.name, hit.words, hit.start, text)
            )
    return by_rule


def sample(hits: Sequence[PromiseHit], size: int = SAMPLE_SIZE) -> list[PromiseHit]:
    """A fixed-seed sample of distinct hit keys for one rule, in requirement order."""
    first: dict[str, PromiseHit] = {}
    for hit in hits:
        first.setdefault(hit.key, hit)
    keys = sorted(first)
    if not keys:
        return []
    rng = random.Random(f"{SEED}:{hits[0].rule}")
    chosen = rng.sample(keys, min(size, len(keys)))
    return sorted((first[key] for key in chosen), key=lambda hit: (hit.index, hit.start))


@dataclass(frozen=True, slots=True)
class Label:
    smell: bool
    note: str


def load_labels(path: Path) -> dict[str, Label]:
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    labels: dict[str, Label] = {}
    for key, entry in raw["labels"].items():
        labels[key] = Label(bool(entry["smell"]), str(entry.get("note", "")))
    return labels


@dataclass(frozen=True, slots=True)
class RuleReport:
    rule: str
    hits: int
    requirements_hit: int
    sampled: int
    judged: int
    true_hits: int

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
        chosen = sample(hits)
        judged = [labels[hit.key] for hit in chosen if hit.key in labels]
        unjudged.extend(hit for hit in chosen if hit.key not in labels)
        reports.append(
            RuleReport(
                rule=name,
                hits=len(hits),
                requirements_hit=len({hit.index for hit in hits}),
                sampled=len(chosen),
                judged=len(judged),
                true_hits=sum(1 for label in judged if label.smell),
            )
        )
    return reports, unjudged


# ---------------------------------------------------------------- report


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def pronoun_table(splits: Sequence[tuple[str, list[Occurrence]]]) -> list[str]:
    rows = [
        "| file | method | occurrences | TP | FP | FN | P | R | F1 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, occurrences in splits:
        for method, flag_everything in (("flag every pronoun", True), ("vague-pronoun", False)):
            result = score(occurrences, flag_everything=flag_everything)
            rows.append(
                f"| {name} | {method} | {len(occurrences)} | {result.tp} | {result.fp} | "
                f"{result.fn} | {result.precision:.2f} | {result.recall:.2f} | {result.f1:.2f} |"
            )
    return rows


def promise_table(reports: Sequence[RuleReport], total: int) -> list[str]:
    rows = [
        "| rule | hits | requirements hit | firing rate | sampled hits | judged precision |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    codes = {smell.rule.name: smell.rule.code for smell in SMELLS}
    codes[VAGUE_PRONOUN.name] = VAGUE_PRONOUN.code
    for report in reports:
        judged = report.judged
        precision = _fmt(report.precision)
        if judged:
            precision = f"{precision} ({report.true_hits}/{judged})"
        if judged < report.sampled:
            precision += f", {report.sampled - judged} unjudged"
        rows.append(
            f"| {codes[report.rule]} {report.rule} | {report.hits} | {report.requirements_hit} | "
            f"{100 * report.requirements_hit / total:.1f}% | {report.sampled} | {precision} |"
        )
    return rows


def render(
    splits: Sequence[tuple[str, list[Occurrence]]],
    reports: Sequence[RuleReport],
    total: int,
    throughput: float,
) -> str:
    judged = sum(report.judged for report in reports)
    true_hits = sum(report.true_hits for report in reports)
    lines = [
        "## Requirement quality: wording rules on public data",
        "",
        f"Produced by `{COMMAND}` (also part of `make bench`).",
        "Data: ReqEval (NLP4RE'20, CC BY 4.0) and PROMISE NFR (CC BY-SA 3.0), read in place from",
        "`../shared/benchmarks/requirements`.",
        "",
        "### Vague pronouns on ReqEval",
        "",
        "One row per labelled occurrence (NOCUOUS = ambiguous is the positive class). An",
        "occurrence counts as flagged when `find_vague_pronouns` on the untagged sentence returns a",
        "hit on exactly the tagged span. The heuristic was tuned on `training.tsv` only; `test.tsv`",
        "holds domains the training file does not. The baseline flags every pronoun.",
        "",
        *pronoun_table(splits),
        "",
        "### Wording rules on PROMISE NFR",
        "",
        f"Each of the {total} requirements is checked as one acceptance-criterion item. Firing",
        "rate = share of requirements with at least one hit. For each rule a fixed-seed sample of",
        f"up to {SAMPLE_SIZE} distinct hits was read and judged by hand (is it a real smell in",
        "that requirement?); the labels are in `bench/data/promise_hit_labels.json` and the",
        "precision is recomputed from them on every run.",
        "",
        *promise_table(reports, total),
        "",
        f"Over all sampled hits: {true_hits}/{judged} judged real smells"
        + (f" ({true_hits / judged:.0%})." if judged else "."),
        f"Wording rules ran at {throughput:,.0f} requirements per second on this machine.",
    ]
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    """Replace the text between this benchmark's markers; leave everything else untouched."""
    if path.exists():
        current = path.read_text(encoding="utf-8")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        current = f"{START_MARKER}\n{END_MARKER}\n"
    start = current.find(START_MARKER)
    end = current.find(END_MARKER, start + len(START_MARKER)) if start != -1 else -1
    if start == -1 or end == -1:
        separator = "" if not current or current.endswith("\n") else "\n"
        current = f"{current}{separator}{START_MARKER}\n{END_MARKER}\n"
        start = current.find(START_MARKER)
        end = current.find(END_MARKER, start)
    updated = current[: start + len(START_MARKER)] + "\n" + section + current[end:]
    path.write_text(updated, encoding="utf-8")


# ---------------------------------------------------------------- command line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="folder holding reqeval/ and promise-nfr/ (default: %(default)s)",
    )
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS, help="hit judgements file")
    parser.add_argument("--write", type=Path, help="replace this benchmark's section in FILE")
    parser.add_argument(
        "--show-sample",
        metavar="RULE",
        help="print the sampled PROMISE hits of RULE ('all' for every rule) with their labels",
    )
    parser.add_argument(
        "--show-pronouns",
        choices=("training", "test"),
        help="print every ReqEval occurrence of a file with its label and the heuristic's verdict",
    )
    return parser


def _show_pronouns(occurrences: Sequence[Occurrence]) -> None:
    for occurrence in occurrences:
        flagged = flagged_by_heuristic(occurrence)
        verdict = {
            (True, True): "TP",
            (True, False): "FP",
            (False, True): "FN",
            (False, False): "TN",
        }[flagged, occurrence.ambiguous]
        reasons = [
            hit.reason
            for hit in find_vague_pronouns(occurrence.text)
            if (hit.start, hit.end) in occurrence.spans
        ]
        start, end = occurrence.spans[0]
        marked = occurrence.text[:start] + "[[" + occurrence.text[start:end] + "]]"
        marked += occurrence.text[end:]
        print(f"{verdict} {occurrence.ident}: {marked}" + (f"  <- {reasons[0]}" if reasons else ""))


def _show_sample(by_rule: dict[str, list[PromiseHit]], labels: dict[str, Label], rule: str) -> None:
    names = RULE_ORDER if rule == "all" else (rule,)
    for name in names:
        print(f"## {name}")
        for hit in sample(by_rule[name]):
            label = labels.get(hit.key)
            mark = "?" if label is None else ("Y" if label.smell else "N")
            print(f"{mark} {hit.key!r}: {hit.context()}")
            if label is not None and label.note:
                print(f"    note: {label.note}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    data: Path = args.data
    reqeval = data / "reqeval"
    promise = data / "promise-nfr" / "nfr.csv"
    for required in (reqeval / "training.tsv", reqeval / "test.tsv", promise):
        if not required.exists():
            print(f"error: {required} not found (pass --data DIR)", file=sys.stderr)
            return 2
    splits = [
        ("test.tsv", load_reqeval(reqeval / "test.tsv")),
        ("training.tsv", load_reqeval(reqeval / "training.tsv")),
    ]
    if args.show_pronouns:
        _show_pronouns(dict(splits)[f"{args.show_pronouns}.tsv"])
        return 0

    texts = load_promise(promise)
    context = CheckContext(Standards("bench"))
    began = time.perf_counter()
    by_rule = promise_hits(texts, context)
    elapsed = time.perf_counter() - began
    labels = load_labels(args.labels)
    if args.show_sample:
        if args.show_sample != "all" and args.show_sample not in RULE_ORDER:
            print(f"error: unknown rule {args.show_sample!r}", file=sys.stderr)
            return 2
        _show_sample(by_rule, labels, args.show_sample)
        return 0

    reports, unjudged = rule_reports(by_rule, labels)
    section = render(splits, reports, len(texts), len(texts) / elapsed if elapsed else 0.0)
    print(section)
    if unjudged:
        print(
            f"warning: {len(unjudged)} sampled hits have no label in {args.labels}; "
            "see --show-sample all",
            file=sys.stderr,
        )
    if args.write is not None:
        write_section(args.write, section)
        print(f"wrote {args.write}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
