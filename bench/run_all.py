# Copyright 2025 The Signoff developers
# SPDX-License-Identifier: Apache-2.0
"""Run every benchmark in sequence; each writes its own section of docs/performance.md.

``make bench`` runs ``.venv/bin/python bench/run_all.py``: throughput (10,000 specs in one run),
start-up (``signoff spec check one.md``), the ledger (1,000,000 events appended, then the board and
the open questions, on SQLite and PostgreSQL), the gate (``signoff gate`` on a 5,000-file change
against ``git diff --numstat``), risk-detection quality on the labelled changes in
``bench/risk_cases/``, then, when the script is present,
``bench/requirements_quality.py --write docs/performance.md`` (wording rules on public data).
Each section between its ``<!-- bench:NAME -->`` markers is replaced; the rest of the file is
left alone. Exit 0 when every goal is met, 1 when a goal is missed, 2 when a benchmark could not
run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import _report
import gate
import ledger
import risk_quality
import startup
import throughput

BENCH = Path(__file__).resolve().parent
REQUIREMENTS_QUALITY = BENCH / "requirements_quality.py"
# Lines of the requirements-quality section worth repeating in the summary.
_QUALITY_SUMMARY = ("Vague pronouns on ReqEval", "Over all sampled hits", "Wording rules ran at")


def requirements_quality(write: Path) -> _report.Outcome:
    """``bench/requirements_quality.py --write FILE``, as its own process (it owns its section)."""
    name = "requirements-quality"
    if not REQUIREMENTS_QUALITY.is_file():
        return _report.Outcome(name, "", ("requirements-quality: skipped (no script)",), 0)
    command = [sys.executable, str(REQUIREMENTS_QUALITY), "--write", str(write)]
    print(f"running {_report.display_command(command)}", file=sys.stderr)
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    sys.stderr.write(completed.stderr)
    lines = [
        f"requirements-quality: {line.strip()}"
        for line in completed.stdout.splitlines()
        if line.startswith(_QUALITY_SUMMARY)
    ]
    if completed.returncode != 0:
        lines.append(f"requirements-quality: exited with {completed.returncode}")
    return _report.Outcome(name, completed.stdout, tuple(lines), completed.returncode)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--write",
        type=Path,
        default=_report.DEFAULT_DOC,
        help="the file whose sections to replace (default: docs/performance.md)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    write: Path = args.write.resolve()
    shown = _report.display_command([str(write)])
    began = time.perf_counter()
    outcomes: list[_report.Outcome] = []
    for name, run, extra in (
        ("throughput", throughput.run, []),
        ("startup", startup.run, []),
        ("ledger", ledger.run, []),
        ("gate", gate.run, []),
        ("risk_quality", risk_quality.run, []),
        # The held-out labelled set: rules are never tuned against it (bench/risk_holdout/).
        ("risk_quality", risk_quality.run, ["--section", "risk-holdout"]),
    ):
        print(f"running bench/{name}.py {' '.join(extra)} --write {shown}", file=sys.stderr)
        outcomes.append(run([*extra, "--write", str(write)]))
    outcomes.append(requirements_quality(write))
    print()
    print(f"summary ({time.perf_counter() - began:.0f} s, sections written to {shown}):")
    for outcome in outcomes:
        for line in outcome.summary:
            print(f"  {line}")
    return max(outcome.exit_code for outcome in outcomes)


if __name__ == "__main__":
    raise SystemExit(main())
