# Copyright 2025 The Signoff developers
# SPDX-License-Identifier: Apache-2.0
"""Start-up benchmark: how long does ``signoff spec check one.md`` take on one ready spec?

This is the pre-commit case: one small file, so nearly all the time is the interpreter starting
and signoff importing its modules. The script times, in the same run and interleaved round by
round, the interpreter's floor (``python -c pass``), ``python -c "import json"`` and the command,
reports median and p90 of 20 runs after 2 warm-ups, and lists the ten largest cumulative import
times from ``python -X importtime`` (modules the bare interpreter imports anyway left out), so
the next engineer sees what to make lazy. The signoff sources are compiled to bytecode first
(``compileall``), as an install does.

Run ``.venv/bin/python bench/startup.py --write docs/performance.md`` to refresh this
benchmark's section of that file; without ``--write`` it prints the section.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import _report

if TYPE_CHECKING:
    from collections.abc import Sequence

NAME = "startup"
SCRIPT = "bench/startup.py"
GOAL_MS = 250.0
TOP_IMPORTS = 10

ONE_SPEC = """\
---
id: SO-1
title: Export orders as CSV
status: ready
owner: alice@example.com
risk: reversible
gates: [tests]
---

# Export orders as CSV

## Intent
Shop managers can take their order history into a spreadsheet without asking support.
Success: support tickets tagged "export" fall by half within a month of release.

## Acceptance criteria
- AC-1: When a manager clicks "Export", the system shall download the orders as a CSV file.
- AC-2: Given a shop with 3 orders, when the manager exports, then the file holds 4 rows.
- AC-3: While an export is running, the system shall show its progress in percent.

## Edge cases
- EC-1: If the shop has no orders, then the system shall download the header row only.
- EC-2: If the download fails, then the system shall show the message "Try again".

## Out of scope
- Export as Excel.
"""

_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)\s*$")


def cli_prefix() -> list[str]:
    """``<venv>/bin/signoff`` when it exists (what users run), else ``python -m signoff``."""
    script = Path(sys.executable).parent / "signoff"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "signoff"]


def python_arguments(prefix: Sequence[str]) -> list[str]:
    """The same command as arguments to ``python`` (a script path, or ``-m signoff``)."""
    return list(prefix[1:]) if prefix[0] == sys.executable else [prefix[0]]


# ---------------------------------------------------------------- wall time


@dataclass(frozen=True, slots=True)
class Timed(_report.TimedRuns):
    label: str
    command: list[str]
    seconds: list[float]
    peak_rss_kib: int


def time_commands(
    commands: Sequence[tuple[str, list[str]]], cwd: Path, runs: int, warmups: int
) -> list[Timed]:
    """Warm each command up, then run them round-robin so drift hits all of them alike."""
    for _ in range(warmups):
        for _, command in commands:
            _report.run_child(command, cwd)
    seconds: dict[str, list[float]] = defaultdict(list)
    peaks: dict[str, int] = defaultdict(int)
    for round_number in range(runs):
        shift = round_number % len(commands)
        for label, command in [*commands[shift:], *commands[:shift]]:
            child = _report.run_child(command, cwd)
            if child.exit_code != 0:
                raise _report.BenchError(f"{label} exited with {child.exit_code}:\n{child.stderr}")
            seconds[label].append(child.seconds)
            peaks[label] = max(peaks[label], child.peak_rss_kib)
    return [Timed(label, command, seconds[label], peaks[label]) for label, command in commands]


# ---------------------------------------------------------------- import times


@dataclass(frozen=True, slots=True)
class ImportCost:
    module: str
    parent: str
    self_us: float
    cumulative_us: float


def parse_importtime(stderr: str) -> dict[str, tuple[int, int, str]]:
    """``-X importtime`` output as module -> (self µs, cumulative µs, importing module).

    The importing module is "" for a top-level row: imported by the script itself, or by a
    function at run time (a lazy import), not while another module was being imported.
    """
    rows: list[tuple[str, int, int, int]] = []
    for line in stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            own, cumulative, indent, module = match.groups()
            rows.append((module, len(indent) // 2, int(own), int(cumulative)))
    parsed: dict[str, tuple[int, int, str]] = {}
    # A module's line comes after those of the modules it imports, one level shallower.
    parents: dict[int, str] = {}
    for module, depth, own, cumulative in reversed(rows):
        parents[depth] = module
        parsed[module] = (own, cumulative, parents.get(depth - 1, ""))
    return parsed


@dataclass(frozen=True, slots=True)
class ImportProfile:
    costs: list[ImportCost]  # largest cumulative first
    total_ms: float  # every import of the command, the interpreter's own included
    floor_modules: set[str]  # what `python -c pass` imports anyway
    floor_total_ms: float


def _importtime(
    command: Sequence[str], cwd: Path, runs: int
) -> tuple[dict[str, list[tuple[int, int, str]]], float]:
    """Each module's rows over ``runs`` runs of ``python -X importtime ...``; median total ms."""
    samples: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    totals: list[float] = []
    for _ in range(runs):
        child = _report.run_child([sys.executable, "-X", "importtime", *command], cwd, capture=True)
        parsed = parse_importtime(child.stderr)
        if not parsed:
            raise _report.BenchError(f"no -X importtime output (exit {child.exit_code})")
        for module, row in parsed.items():
            samples[module].append(row)
        totals.append(sum(cumulative for _, cumulative, parent in parsed.values() if not parent))
    return samples, _report.median(totals) / 1000


def import_costs(arguments: Sequence[str], cwd: Path, runs: int) -> ImportProfile:
    """Median import costs of ``python ARGUMENTS`` and of the bare interpreter."""
    floor_samples, floor_total = _importtime(["-c", "pass"], cwd, runs)
    samples, total = _importtime(arguments, cwd, runs)
    costs = [
        ImportCost(
            module=module,
            parent=rows[-1][2],
            self_us=_report.median([own for own, _, _ in rows]),
            cumulative_us=_report.median([cumulative for _, cumulative, _ in rows]),
        )
        for module, rows in samples.items()
    ]
    costs.sort(key=lambda cost: cost.cumulative_us, reverse=True)
    return ImportProfile(costs, total, set(floor_samples), floor_total)


# ---------------------------------------------------------------- the report


@dataclass(frozen=True, slots=True)
class Measured:
    command: str
    runs: int
    warmups: int
    floor: Timed
    json: Timed
    signoff: Timed
    imports: ImportProfile
    importtime_runs: int
    stale: list[str]
    changed: list[str]  # source files edited while the benchmark ran

    @property
    def passed(self) -> bool:
        return self.signoff.median_ms <= GOAL_MS

    @property
    def ratio(self) -> float:
        return self.signoff.median_ms / self.floor.median_ms

    def top_imports(self) -> list[ImportCost]:
        floor = self.imports.floor_modules
        return [cost for cost in self.imports.costs if cost.module not in floor][:TOP_IMPORTS]


def _row(timed: Timed, goal: str, verdict: str, floor: Timed) -> str:
    ratio = timed.median_ms / floor.median_ms
    return (
        f"| `{_report.display_command(timed.command)}` | {timed.median_ms:.0f} ms | "
        f"{timed.p90_ms:.0f} ms | {timed.min_ms:.0f} ms | {ratio:.1f}x | "
        f"{timed.peak_rss_kib / 1024:.0f} MiB | {goal} | {verdict} |"
    )


def render(measured: Measured) -> str:
    m = measured
    extra = m.signoff.median_ms - m.floor.median_ms
    lines = [
        *_report.header("Start-up: `signoff spec check one.md` on one ready spec", m.command),
        *_report.paragraph(
            "The pre-commit case: a slice (`init_slice`) holding one ready spec with three",
            "acceptance criteria, checked by name from the specs folder (exit 0).",
            f"Wall time from spawn to exit of {m.runs} runs after {m.warmups} warm-ups; the three",
            "commands run round-robin in the same loop, so load on the machine hits them alike.",
            "The sources were compiled to bytecode first (`compileall`, as pip and uv do at",
            "install; this machine sets PYTHONDONTWRITEBYTECODE=1); the venv's site-packages",
            "come compiled from `uv sync --compile-bytecode`.",
        ),
        "| command | median | p90 | min | median / floor | peak RSS | goal | verdict |",
        "|---|---|---|---|---|---|---|---|",
        _row(m.floor, "-", "interpreter floor", m.floor),
        _row(m.json, "-", "-", m.floor),
        _row(m.signoff, f"≤ {GOAL_MS:.0f} ms (median)", _report.verdict(m.passed), m.floor),
        "",
        f"signoff adds {extra:.0f} ms to the interpreter's floor ({m.ratio:.1f}x the floor).",
    ]
    lines += _report.warnings(m.stale, m.changed)
    lines += [
        "",
        f"### Largest import costs (`python -X importtime`, median of {m.importtime_runs} runs)",
        "",
        *_report.paragraph(
            f"Imports take {m.imports.total_ms:.0f} ms of the command, of which",
            f"{m.imports.floor_total_ms:.0f} ms are the bare interpreter's own (`python -c pass`).",
            "Below, the largest cumulative times (a module and everything it imports) among",
            "the modules the bare interpreter does not import: the candidates to import lazily.",
            "An empty importer means a top-level import: by the script, or inside a function at",
            "run time (already lazy).",
        ),
        "| module | cumulative | self | imported by |",
        "|---|---|---|---|",
        *(
            f"| `{cost.module}` | {cost.cumulative_us / 1000:.1f} ms | "
            f"{cost.self_us / 1000:.1f} ms | {f'`{cost.parent}`' if cost.parent else '-'} |"
            for cost in m.top_imports()
        ),
    ]
    return "\n".join(lines) + "\n"


def summarise(measured: Measured) -> tuple[str, ...]:
    m = measured
    top = ", ".join(
        f"{cost.module} {cost.cumulative_us / 1000:.0f} ms" for cost in m.top_imports()[:3]
    )
    return (
        (
            f"startup: signoff spec check one.md median {m.signoff.median_ms:.0f} ms, "
            f"p90 {m.signoff.p90_ms:.0f} ms (goal ≤ {GOAL_MS:.0f} ms: "
            f"{_report.verdict(m.passed)}); python -c pass {m.floor.median_ms:.0f} ms, "
            f"ratio {m.ratio:.1f}x"
        ),
        f"startup: largest imports: {top}",
        *_report.summary_warnings(NAME, m.stale, m.changed),
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=20, help="timed runs per command")
    parser.add_argument("--warmups", type=int, default=2, help="untimed runs per command first")
    parser.add_argument("--importtime-runs", type=int, default=5, help="-X importtime runs")
    parser.add_argument("--write", type=Path, help="replace this benchmark's section in FILE")
    return parser


def measure(args: argparse.Namespace, root: Path, command: str) -> Measured:
    package = _report.compile_signoff()
    sources = _report.source_fingerprint(package)
    from signoff.service.init import init_slice  # noqa: PLC0415 - after compileall

    root.mkdir(parents=True, exist_ok=True)
    init_slice(root)
    specs = root / "specs"
    (specs / "one.md").write_text(ONE_SPEC, encoding="utf-8")
    prefix = cli_prefix()
    check = [*prefix, "spec", "check", "one.md"]
    first = _report.run_child(check, specs, capture=True)
    if first.exit_code != 0:
        raise _report.BenchError(
            f"'{' '.join(check)}' exited with {first.exit_code} on a ready spec:\n"
            f"{first.stdout}{first.stderr}"
        )
    print(f"startup: timing {args.runs} runs of 3 commands", file=sys.stderr)
    floor, json, signoff = time_commands(
        [
            ("python -c pass", [sys.executable, "-c", "pass"]),
            ("python -c 'import json'", [sys.executable, "-c", "import json"]),
            ("signoff spec check one.md", check),
        ],
        specs,
        args.runs,
        args.warmups,
    )
    print("startup: -X importtime", file=sys.stderr)
    arguments = [*python_arguments(prefix), "spec", "check", "one.md"]
    imports = import_costs(arguments, specs, args.importtime_runs)
    return Measured(
        command=command,
        runs=args.runs,
        warmups=args.warmups,
        floor=floor,
        json=json,
        signoff=signoff,
        imports=imports,
        importtime_runs=args.importtime_runs,
        stale=_report.stale_bytecode(arguments, specs),
        changed=_report.changed_sources(sources, _report.source_fingerprint(package)),
    )


def run(argv: list[str] | None = None) -> _report.Outcome:
    """Measure, then write the section (``--write FILE``) or print it."""
    arguments = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(arguments)
    if args.runs < 1 or args.warmups < 0 or args.importtime_runs < 1:
        return _report.refuse(NAME, "--runs and --importtime-runs must be at least 1")
    command = _report.display_command([sys.executable, SCRIPT, *arguments])

    def measure_in_a_temporary_slice() -> Measured:
        with tempfile.TemporaryDirectory(prefix="signoff-startup-") as folder:
            return measure(args, Path(folder) / "slice", command)

    return _report.conclude(NAME, measure_in_a_temporary_slice, render, summarise, args.write)


def main(argv: list[str] | None = None) -> int:
    return run(argv).exit_code


if __name__ == "__main__":
    raise SystemExit(main())
