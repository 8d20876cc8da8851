# Copyright 2025 The Signoff developers
# SPDX-License-Identifier: Apache-2.0
"""Gate benchmark: ``signoff gate`` on a 5,000-file, 500,000-line change, next to ``git diff``.

In a real git repository the script commits, on a branch ``head`` off ``main``, a synthetic
change of 5,000 new files of 100 lines each (code-like Python, TypeScript and Go in nested
folders, plus a handful of files that risk rules should catch: a Django migration, a Dockerfile,
a Kubernetes Deployment, a locale catalog, a package.json, an auth module), and the first
quarter of those files on a branch ``head-quarter`` (and one file on ``head-one``, to show the
fixed cost of a gate run). It then times, in the same run and
interleaved round by round, ``git diff --numstat main head`` (the baseline: git reading the
same change) and ``signoff gate --base main --head head --format json``, at both sizes, and
reports:

* the median wall-time ratio gate / numstat at full size (goal: at most 3x);
* the gate's peak resident memory at full size (goal: at most 200 MB) and at a quarter of the
  size: the two must be about equal (goal: full at most 25% above quarter), since the diff is
  streamed, never held whole.

The slice's ``signoff.toml`` defines one review gate and no command gate, so the figures time
the gate itself, not a test suite. The repository is written with ``git fast-import`` (no
working-tree churn), then checked out at ``main``.

Run ``.venv/bin/python bench/gate.py --write docs/performance.md`` to refresh this benchmark's
section of that file; without ``--write`` it prints the section. ``--files``, ``--lines`` and
``--runs`` make it small; ``--quick`` is a small run in a few seconds.

The helpers that build slices (``fast_import``, ``slice_files``, ``gate_command``,
``read_verdict``) are shared with ``bench/risk_quality.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import _report

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

NAME = "gate"
SCRIPT = "bench/gate.py"
GOAL_RATIO = 3.0
GOAL_PEAK_MB = 200.0
FLAT_TOLERANCE = 0.25  # full-size peak may exceed the quarter-size peak by this share
SEED = "signoff-gate"
SPEC_ID = "SO-1"
BASE = "main"
HEAD = "head"
QUARTER = "head-quarter"
ONE = "head-one"  # one ordinary file: what the gate costs before the size of the diff counts
COMMIT_TIME = 1_767_225_600  # 2026-01-01 00:00 UTC: fixed, so every build hashes the same
VERDICT_CODES = {0: "pass", 1: "fail", 2: "blocked", 3: "pending"}

# ---------------------------------------------------------------- building slices

# Only a review gate: a command gate would time `make test`, not the gate.
STANDARDS = """\
# Benchmark slice: one review gate, no command gate, so only the gate itself is timed.
[slice]
name = "bench"
owners = ["lead@example.com"]
specs_dir = "specs"

[approvers]
leads = ["lead@example.com"]

[gates.agent-review]
kind = "review"
sample_rate = 0.25
seed = "bench"

[policy]
reversible = ["agent-review"]
irreversible = ["agent-review"]
"""

SPEC = f"""\
---
id: {SPEC_ID}
title: Change under measurement
status: in-progress
owner: lead@example.com
risk: reversible
gates: [agent-review]
---

# Change under measurement

## Intent
Shop managers can export their orders so they stop asking support for spreadsheets.
Success: support tickets tagged "export" fall by half within a month of release.

## Acceptance criteria
- AC-1: When a manager clicks "Export", the system shall download the orders as a CSV file.

## Edge cases
- EC-1: If the shop has no orders, then the system shall download the header row only.

## Out of scope
- Export as Excel.
"""


def slice_files() -> dict[str, str]:
    """The files that make a folder a signoff slice for the gate: standards, one spec."""
    return {
        "signoff.toml": STANDARDS,
        f"specs/{SPEC_ID}-change-under-measurement.md": SPEC,
        ".signoff/.gitignore": "# Signoff's local state (ledger, locks): not for git.\n*\n",
    }


def git(repo: Path, *arguments: str) -> str:
    """Run git in ``repo``; its stdout, or a BenchError with its stderr."""
    done = subprocess.run(
        ["git", *arguments], cwd=repo, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        command = " ".join(["git", *arguments])
        raise _report.BenchError(f"{command} failed in {repo}: {done.stderr.strip()}")
    return done.stdout


def init_repo(repo: Path) -> None:
    """An empty repository on ``main`` with a local identity (no global config needed)."""
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", BASE)
    git(repo, "config", "user.name", "Bench Lead")
    git(repo, "config", "user.email", "lead@example.com")
    git(repo, "config", "commit.gpgsign", "false")


class FastImport:
    """A ``git fast-import`` stream: blobs and commits written straight into the object store.

    Paths are plain (no quotes, spaces or newlines), which ``check_path`` enforces.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._marks = 0

    def blob(self, content: bytes) -> int:
        """Store ``content``; the mark a later commit refers to it by."""
        self._marks += 1
        self._stream.write(b"blob\nmark :%d\n" % self._marks)
        self._data(content)
        return self._marks

    def commit(
        self,
        branch: str,
        message: str,
        files: Mapping[str, bytes | int],
        *,
        parent: str | None = None,
        deletes: Sequence[str] = (),
        author: str = "Bench Lead <lead@example.com>",
    ) -> None:
        """Commit onto ``refs/heads/BRANCH``: ``files`` as content or a blob mark."""
        write = self._stream.write
        write(f"commit refs/heads/{branch}\n".encode())
        write(f"author {author} {COMMIT_TIME} +0000\n".encode())
        write(f"committer {author} {COMMIT_TIME} +0000\n".encode())
        self._data(message.encode())
        if parent is not None:
            write(f"from refs/heads/{parent}\n".encode())
        for path in deletes:
            write(f"D {check_path(path)}\n".encode())
        for path, content in files.items():
            if isinstance(content, int):
                write(f"M 100644 :{content} {check_path(path)}\n".encode())
            else:
                write(f"M 100644 inline {check_path(path)}\n".encode())
                self._data(content)

    def _data(self, content: bytes) -> None:
        self._stream.write(b"data %d\n" % len(content))
        self._stream.write(content)
        self._stream.write(b"\n")


def check_path(path: str) -> str:
    """``path`` if fast-import can take it unquoted and git would store it as given."""
    parts = path.split("/")
    if (
        not path
        or path.startswith('"')
        or any(character in path for character in ' \t\n\\"')
        or any(part in ("", ".", "..", ".git") for part in parts)
    ):
        raise _report.BenchError(f"unsupported path in a benchmark change: {path!r}")
    return path


@contextlib.contextmanager
def fast_import(repo: Path) -> Iterator[FastImport]:
    """Write into ``repo`` with one ``git fast-import``; check it out at ``main`` afterwards."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            ["git", "fast-import", "--quiet", "--done"],
            cwd=repo,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        assert process.stdin is not None  # noqa: S101 - opened with PIPE
        try:
            yield FastImport(process.stdin)
            process.stdin.write(b"done\n")
        finally:
            process.stdin.close()
            code = process.wait()
        if code != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()
            raise _report.BenchError(f"git fast-import failed in {repo}: {message}")
    git(repo, "reset", "-q", "--hard", BASE)


def encoded(files: Mapping[str, str]) -> dict[str, bytes]:
    return {path: text.encode() for path, text in files.items()}


# ---------------------------------------------------------------- running the gate


def cli_prefix() -> list[str]:
    """``<venv>/bin/signoff`` when it exists (what users run), else ``python -m signoff``."""
    script = Path(sys.executable).parent / "signoff"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "signoff"]


def gate_command(base: str, head: str) -> list[str]:
    """``signoff gate`` on ``base..head`` for the slice's one spec, as JSON."""
    return [
        *cli_prefix(),
        "gate",
        "--base",
        base,
        "--head",
        head,
        "--spec",
        SPEC_ID,
        "--format",
        "json",
    ]


@dataclass(frozen=True, slots=True)
class Verdict:
    """The parts of a ``signoff gate --format json`` document the benchmarks read."""

    verdict: str
    files: int
    detected: dict[str, list[dict[str, Any]]]  # category -> evidence


def _blocked_reasons(document: Mapping[str, Any]) -> str:
    """Why a blocked verdict could not decide: its ``reasons``, else its blocked gates."""
    reasons = [str(reason) for reason in document.get("reasons") or []]
    reasons += [
        f"{gate.get('name')}: {gate.get('detail')}"
        for gate in document.get("gates") or []
        if isinstance(gate, dict) and gate.get("status") == "blocked"
    ]
    return "; ".join(reasons) or "no reason given"


def read_verdict(exit_code: int, stdout: str, stderr: str, what: str) -> Verdict:
    """The verdict document, or a BenchError saying why the gate could not decide.

    ``blocked`` (exit 2) means the gate could not decide: that is a failure to measure, not a
    measurement, so it is an error here, with the gate's own reason.
    """
    last = (stderr.strip().splitlines() or ["(no output)"])[-1]
    try:
        document = json.loads(stdout)
        verdict = str(document["verdict"])
    except (ValueError, KeyError, TypeError) as error:
        raise _report.BenchError(
            f"{what}: exit {exit_code}, no verdict document ({error!r}): {last}"
        ) from None
    if verdict == "blocked":
        raise _report.BenchError(f"{what}: blocked ({_blocked_reasons(document)})")
    if VERDICT_CODES.get(exit_code) != verdict:
        raise _report.BenchError(f"{what}: verdict {verdict!r} but exit code {exit_code}")
    try:
        files = document["diff"]["files"]
        count = len(files) if isinstance(files, list) else int(files)
        detected = {
            str(item["category"]): list(item.get("evidence") or [])
            for item in document["risk"]["detected"]
        }
    except (ValueError, KeyError, TypeError) as error:
        raise _report.BenchError(
            f"{what}: the {verdict} verdict lacks diff.files or risk.detected ({error!r})"
        ) from None
    return Verdict(verdict=verdict, files=count, detected=detected)


# ---------------------------------------------------------------- the synthetic change

NOUNS = (
    "order", "invoice", "customer", "cart", "price", "stock", "shipment", "refund", "report",
    "basket", "coupon", "warehouse", "parcel", "label", "supplier", "catalog", "review", "tax",
)  # fmt: skip
VERBS = (
    "load", "build", "merge", "split", "count", "render", "sort", "group", "apply", "check",
    "format", "parse", "collect", "update", "resolve", "estimate", "archive", "export",
)  # fmt: skip
SERVICES = ("billing", "catalog", "checkout", "fulfilment", "pricing", "returns", "search")
LAYERS = ("domain", "api", "jobs", "adapters", "views")


def _name(rng: random.Random) -> str:
    return f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}"


def _python_block(rng: random.Random) -> list[str]:
    noun, other = rng.choice(NOUNS), rng.choice(NOUNS)
    limit = rng.randint(2, 900)
    return [
        f"def {_name(rng)}({noun}s, {other}=None, limit={limit}):",
        f'    """{rng.choice(VERBS).capitalize()} the {noun}s of one {other}."""',
        "    result = []",
        f"    for item in {noun}s[:limit]:",
        f"        if item.{other}_id == getattr({other}, 'id', None):",
        f"            result.append(({rng.choice(VERBS)}(item), item.{noun}_total))",
        f"    # {rng.choice(VERBS)} before {rng.choice(VERBS)}: callers expect a stable order",
        f"    return sorted(result, key=lambda pair: pair[1])[: limit // {rng.randint(2, 9)}]",
        "",
    ]


def _typescript_block(rng: random.Random) -> list[str]:
    noun, other = rng.choice(NOUNS), rng.choice(NOUNS)
    camel = rng.choice(VERBS) + noun.capitalize()
    return [
        f"export function {camel}({noun}s: {noun.capitalize()}[], {other}Id: string): number {{",
        f"  const matching = {noun}s.filter((item) => item.{other}Id === {other}Id);",
        f"  // {rng.choice(VERBS)} the {noun}s first, then total them",
        f"  return matching.reduce((sum, item) => sum + item.amount * {rng.randint(1, 99)}, 0);",
        "}",
        "",
    ]


def _go_block(rng: random.Random) -> list[str]:
    noun, other = rng.choice(NOUNS), rng.choice(NOUNS)
    title = rng.choice(VERBS).capitalize() + noun.capitalize()
    return [
        f"func {title}(items []{noun.capitalize()}, {other}ID int64) (int64, error) {{",
        "\tvar total int64",
        "\tfor _, item := range items {",
        f"\t\tif item.{other.capitalize()}ID != {other}ID {{",
        "\t\t\tcontinue",
        "\t\t}",
        f"\t\ttotal += item.Amount * {rng.randint(1, 99)}",
        "\t}",
        "\treturn total, nil",
        "}",
        "",
    ]


_BLOCKS = {"py": _python_block, "ts": _typescript_block, "go": _go_block}
_HEADERS = {
    "py": ["from __future__ import annotations", ""],
    "ts": ['import type { Amount } from "../types";', ""],
    "go": ["package {package}", ""],
}


def code_file(rng: random.Random, extension: str, lines: int, package: str) -> str:
    """``lines`` lines of code-like text in one language, ending with a newline."""
    body = [line.replace("{package}", package) for line in _HEADERS[extension]]
    block = _BLOCKS[extension]
    while len(body) < lines:
        body.extend(block(rng))
    return "\n".join(body[:lines]) + "\n"


def _padded(head: Sequence[str], filler: str, lines: int) -> str:
    body = list(head)
    body += [filler.format(n=number) for number in range(1, lines - len(body) + 1)]
    return "\n".join(body[:lines]) + "\n"


def _package_json(lines: int) -> str:
    """A new package.json (every dependency in it is new), ``lines`` long."""
    head = ["{", '  "name": "checkout",', '  "private": true,', '  "dependencies": {']
    tail = ['    "left-pad": "1.3.0"', "  }", "}"]
    count = lines - len(head) - len(tail)
    middle = [f'    "@shop/checkout-part-{n}": "1.0.{n}",' for n in range(1, count + 1)]
    return "\n".join([*head, *middle, *tail]) + "\n"


def risky_files(lines: int) -> dict[str, str]:
    """Files that risk rules should flag, each ``lines`` long, as a real change would hold."""
    return {
        "services/billing/migrations/0042_invoice_due_index.py": _padded(
            [
                "from django.db import migrations, models",
                "",
                "class Migration(migrations.Migration):",
                '    dependencies = [("billing", "0041_invoice_notes")]',
                "    operations = [",
            ],
            '        migrations.AddIndex(model_name="invoice", index=models.Index('
            'fields=["due_{n}"], name="invoice_due_{n}_idx")),',
            lines,
        ),
        "Dockerfile": _padded(
            ["FROM python:3.12-slim", "WORKDIR /app", "COPY . ."],
            "RUN python -m compileall -q services/part_{n}",
            lines,
        ),
        "deploy/k8s/billing-deployment.yaml": _padded(
            [
                "apiVersion: apps/v1",
                "kind: Deployment",
                "metadata:",
                "  name: billing",
                "spec:",
                "  template:",
                "    metadata:",
                "      annotations:",
            ],
            '        example.com/build-step-{n}: "done"',
            lines,
        ),
        "config/locales/en.yml": _padded(
            ["en:", "  checkout:"],
            '    step_{n}: "Step {n}: check your basket"',
            lines,
        ),
        "services/checkout/package.json": _package_json(lines),
        "services/auth/session_store.py": _padded(
            ['"""Where login sessions are kept between requests."""', ""],
            "SESSION_TTL_SECONDS_{n} = {n} * 60",
            lines,
        ),
    }


@dataclass(frozen=True, slots=True)
class Change:
    files: int
    lines: int
    quarter_files: int
    risky: tuple[str, ...]

    @property
    def added(self) -> int:
        return self.files * self.lines

    @property
    def quarter_added(self) -> int:
        return self.quarter_files * self.lines

    def files_of(self, size: str) -> int:
        return {"full": self.files, "quarter": self.quarter_files, "one": 1}[size]


def synthetic_paths(
    rng: random.Random, count: int, root: str = "services"
) -> list[tuple[str, str, str]]:
    """``count`` distinct (path, extension, Go package) in nested folders under ``root``."""
    paths: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    while len(paths) < count:
        service, layer = rng.choice(SERVICES), rng.choice(LAYERS)
        module = f"{rng.choice(NOUNS)}{rng.randint(1, 40)}"
        extension = rng.choice(("py", "py", "ts", "go"))
        folder = f"{root}/{service}/{layer}/{module}"
        path = f"{folder}/{_name(rng)}_{len(paths)}.{extension}"
        if path not in seen:
            seen.add(path)
            paths.append((path, extension, module))
    return paths


def build_change_repo(repo: Path, files: int, lines: int) -> Change:
    """``main`` (a slice); ``head`` adds ``files`` files of ``lines`` lines; ``head-quarter``
    the first quarter of them (at least the risky ones); ``head-one`` one ordinary file."""
    init_repo(repo)
    rng = random.Random(SEED)
    risky = risky_files(lines)
    quarter = max(files // 4, len(risky))
    base = {
        **slice_files(),
        "README.md": "# Shop services\n\nOne folder per service under services/.\n",
        **{
            path: code_file(rng, extension, 30, package)
            for path, extension, package in synthetic_paths(random.Random("base"), 20, "lib")
        },
    }
    with fast_import(repo) as stream:
        stream.commit(BASE, "Shop services\n", encoded(base))
        marks: dict[str, int] = {}
        for path, text in risky.items():
            marks[path] = stream.blob(text.encode())
        for path, extension, package in synthetic_paths(rng, files - len(risky)):
            marks[path] = stream.blob(code_file(rng, extension, lines, package).encode())
        message = f"Add {files} files\n\nSpec: {SPEC_ID}\n"
        stream.commit(HEAD, message, marks, parent=BASE)
        first = dict(list(marks.items())[:quarter])
        stream.commit(QUARTER, message, first, parent=BASE)
        last = dict(list(marks.items())[-1:])
        stream.commit(ONE, f"Add one file\n\nSpec: {SPEC_ID}\n", last, parent=BASE)
    return Change(files=files, lines=lines, quarter_files=quarter, risky=tuple(risky))


# ---------------------------------------------------------------- measuring


@dataclass(frozen=True, slots=True)
class Timed(_report.TimedRuns):
    label: str
    command: list[str]
    size: str  # "full", "quarter" or "one"
    seconds: list[float]
    peak_rss_kib: int

    @property
    def peak_mb(self) -> float:
        return self.peak_rss_kib * 1024 / 1e6


def numstat_totals(stdout: str) -> tuple[int, int]:
    """(files, added lines) from ``git diff --numstat`` output."""
    files = added = 0
    for line in stdout.splitlines():
        count = line.split("\t", 1)[0]
        files += 1
        added += int(count) if count.isdigit() else 0
    return files, added


def check_outputs(repo: Path, change: Change) -> dict[str, Verdict]:
    """One untimed run of each command: the figures only count if the outputs are right."""
    verdicts: dict[str, Verdict] = {}
    for size, head in (("full", HEAD), ("quarter", QUARTER), ("one", ONE)):
        files = change.files_of(size)
        numstat = _report.run_child(["git", "diff", "--numstat", BASE, head], repo, capture=True)
        expected = (files, files * change.lines)
        if numstat.exit_code != 0 or numstat_totals(numstat.stdout) != expected:
            raise _report.BenchError(
                f"git diff --numstat {BASE} {head} gave {numstat_totals(numstat.stdout)} "
                f"(files, added lines), expected {expected}: {numstat.stderr.strip()}"
            )
        run = _report.run_child(gate_command(BASE, head), repo, capture=True)
        verdict = read_verdict(run.exit_code, run.stdout, run.stderr, f"signoff gate ({size})")
        if verdict.files != files:
            raise _report.BenchError(
                f"signoff gate ({size}) saw {verdict.files} files, the change has {files}"
            )
        verdicts[size] = verdict
    return verdicts


def time_rounds(repo: Path, runs: int, warmups: int) -> list[Timed]:
    """Warm up, then run the commands round-robin so drift hits all of them alike."""
    commands = [
        ("numstat", "full", ["git", "diff", "--numstat", BASE, HEAD]),
        ("gate", "full", gate_command(BASE, HEAD)),
        ("numstat", "quarter", ["git", "diff", "--numstat", BASE, QUARTER]),
        ("gate", "quarter", gate_command(BASE, QUARTER)),
        ("gate", "one", gate_command(BASE, ONE)),
    ]
    for _ in range(warmups):
        for _, _, command in commands:
            _report.run_child(command, repo)
    seconds: dict[tuple[str, str], list[float]] = defaultdict(list)
    peaks: dict[tuple[str, str], int] = defaultdict(int)
    for round_number in range(runs):
        shift = round_number % len(commands)
        for label, size, command in [*commands[shift:], *commands[:shift]]:
            child = _report.run_child(command, repo)
            if child.exit_code not in (0, 1, 3):
                raise _report.BenchError(
                    f"{label} ({size}) exited with {child.exit_code}: {child.stderr.strip()}"
                )
            seconds[label, size].append(child.seconds)
            peaks[label, size] = max(peaks[label, size], child.peak_rss_kib)
    return [
        Timed(label, command, size, seconds[label, size], peaks[label, size])
        for label, size, command in commands
    ]


@dataclass(frozen=True, slots=True)
class Measured:
    command: str
    change: Change
    runs: int
    warmups: int
    timed: list[Timed]
    verdicts: dict[str, Verdict]
    changed: Sequence[str]  # source files edited while the benchmark ran

    def get(self, label: str, size: str) -> Timed:
        return next(t for t in self.timed if t.label == label and t.size == size)

    def ratio(self, size: str) -> float:
        return self.get("gate", size).median_ms / self.get("numstat", size).median_ms

    @property
    def marginal_ratio(self) -> float:
        """The full-size gate less its fixed cost (the one-file run), over numstat."""
        extra = self.get("gate", "full").median_ms - self.get("gate", "one").median_ms
        return extra / self.get("numstat", "full").median_ms

    @property
    def growth(self) -> float:
        """How much more memory the full-size gate took than the quarter-size one."""
        quarter = self.get("gate", "quarter").peak_rss_kib
        return self.get("gate", "full").peak_rss_kib / quarter - 1 if quarter else float("inf")

    @property
    def ratio_ok(self) -> bool:
        return self.ratio("full") <= GOAL_RATIO

    @property
    def peak_ok(self) -> bool:
        return self.get("gate", "full").peak_mb <= GOAL_PEAK_MB

    @property
    def flat_ok(self) -> bool:
        return self.growth <= FLAT_TOLERANCE

    @property
    def passed(self) -> bool:
        return self.ratio_ok and self.peak_ok and self.flat_ok


def measure(args: argparse.Namespace, folder: Path, command: str) -> Measured:
    package = _report.compile_signoff()
    sources = _report.source_fingerprint(package)
    repo = folder / "slice"
    print(
        f"gate: writing {args.files:,} files x {args.lines} lines with fast-import", file=sys.stderr
    )
    change = build_change_repo(repo, args.files, args.lines)
    verdicts = check_outputs(repo, change)
    print(f"gate: timing {args.runs} rounds of 5 commands", file=sys.stderr)
    timed = time_rounds(repo, args.runs, args.warmups)
    return Measured(
        command=command,
        change=change,
        runs=args.runs,
        warmups=args.warmups,
        timed=timed,
        verdicts=verdicts,
        changed=_report.changed_sources(sources, _report.source_fingerprint(package)),
    )


# ---------------------------------------------------------------- the report


def _row(measured: Measured, timed: Timed) -> str:
    files = measured.change.files_of(timed.size)
    shown = _report.display_command(timed.command)
    if timed.label == "numstat":
        ratio = "baseline"
    elif timed.size == "one":
        ratio = "fixed cost"
    else:
        ratio = f"{measured.ratio(timed.size):.2f}x"
    return (
        f"| `{shown}` | {files:,} / {files * measured.change.lines:,} | "
        f"{timed.median_ms:,.0f} ms | {timed.p90_ms:,.0f} ms | {timed.min_ms:,.0f} ms | "
        f"{ratio} | {timed.peak_mb:,.1f} MB |"
    )


def render(measured: Measured) -> str:
    m = measured
    c = m.change
    full, quarter, one = m.get("gate", "full"), m.get("gate", "quarter"), m.get("gate", "one")
    detected = ", ".join(f"`{name}`" for name in sorted(m.verdicts["full"].detected)) or "none"
    lines = [
        *_report.header(f"Gate: {c.files:,} files / {c.added:,} added lines", m.command),
        *_report.paragraph(
            f"A real git repository: `{BASE}` holds a slice (a `signoff.toml` with one review",
            "gate and no command gate, one spec) and 20 source files; the branch",
            f"`{HEAD}` adds {c.files:,} files of {c.lines} lines each ({c.added:,} lines) in",
            "nested `services/<service>/<layer>/<module>/` folders: code-like Python, TypeScript",
            f"and Go from a fixed seed (`{SEED}`), plus {len(c.risky)} files that risk rules",
            f"should flag ({', '.join(f'`{path}`' for path in c.risky)}).",
            f"`{QUARTER}` adds the first {c.quarter_files:,} of them (the risky ones included),",
            f"`{ONE}` one ordinary file of {c.lines} lines.",
            f"The verdict on `{HEAD}` was `{m.verdicts['full'].verdict}`, detected: {detected}.",
        ),
        *_report.paragraph(
            f"Median, p90 and fastest of {m.runs} runs after {m.warmups} warm-up, the five",
            "commands taking turns round by round; each is timed from fork to exit. Peak RSS is",
            "`ru_maxrss` from `wait4` on the command (the largest of the process and the",
            "children it waited for, such as the `git diff` the gate streams from), the",
            "highest over the runs.",
        ),
        "| command | files / added lines | median | p90 | min | median / numstat | peak RSS |",
        "|---|---|---|---|---|---|---|",
        *(_row(m, timed) for timed in m.timed),
        "",
        "| goal | measured | verdict |",
        "|---|---|---|",
        (
            f"| gate / `git diff --numstat` at full size ≤ {GOAL_RATIO:.0f}x (medians) | "
            f"{m.ratio('full'):.2f}x | {_report.verdict(m.ratio_ok)} |"
        ),
        (
            f"| gate peak RSS at full size ≤ {GOAL_PEAK_MB:.0f} MB | {full.peak_mb:,.1f} MB | "
            f"{_report.verdict(m.peak_ok)} |"
        ),
        (
            f"| memory flat in the size of the diff: full ≤ quarter + {FLAT_TOLERANCE:.0%} | "
            f"{quarter.peak_mb:,.1f} MB → {full.peak_mb:,.1f} MB ({m.growth:+.0%}) | "
            f"{_report.verdict(m.flat_ok)} |"
        ),
        "",
        *_report.paragraph(
            f"Where the time goes: the gate on the one-file change takes {one.median_ms:,.0f} ms",
            "(start-up, imports, reading the slice, the ledger); the full change takes",
            f"{full.median_ms - one.median_ms:,.0f} ms more. Of the {m.ratio('full'):.2f}x,",
            f"{m.ratio('full') - m.marginal_ratio:.2f}x is that fixed cost and",
            f"{m.marginal_ratio:.2f}x the work that grows with the diff.",
        ),
    ]
    lines.pop()  # the paragraph's closing blank line
    lines += _report.warnings([], m.changed)
    return "\n".join(lines) + "\n"


def summarise(measured: Measured) -> tuple[str, ...]:
    m = measured
    full, quarter = m.get("gate", "full"), m.get("gate", "quarter")
    ratio = _report.verdict(m.ratio_ok)
    return (
        (
            f"gate: {m.change.files:,} files / {m.change.added:,} lines: gate "
            f"{full.median_ms:,.0f} ms, numstat {m.get('numstat', 'full').median_ms:,.0f} ms, "
            f"ratio {m.ratio('full'):.2f}x (goal ≤ {GOAL_RATIO:.0f}x: {ratio})"
        ),
        (
            f"gate: peak RSS {full.peak_mb:,.1f} MB (goal ≤ {GOAL_PEAK_MB:.0f} MB: "
            f"{_report.verdict(m.peak_ok)}), quarter size {quarter.peak_mb:,.1f} MB "
            f"({m.growth:+.0%}, flat: {_report.verdict(m.flat_ok)})"
        ),
        *_report.summary_warnings(NAME, [], m.changed),
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--files", type=int, default=5_000, help="files the change adds")
    parser.add_argument("--lines", type=int, default=100, help="lines in each added file")
    parser.add_argument("--runs", type=int, default=5, help="timed rounds")
    parser.add_argument("--warmups", type=int, default=1, help="untimed rounds first")
    parser.add_argument(
        "--quick", action="store_true", help="a small run: 400 files of 20 lines, 2 rounds"
    )
    parser.add_argument("--write", type=Path, help="replace this benchmark's section in FILE")
    return parser


def run(argv: list[str] | None = None) -> _report.Outcome:
    """Measure, then write the section (``--write FILE``) or print it."""
    arguments = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(arguments)
    if args.quick:
        args.files, args.lines, args.runs = 400, 20, 2
    if args.files < 2 * len(risky_files(10)) or args.lines < 10:
        return _report.refuse(NAME, f"need --files ≥ {2 * len(risky_files(10))} and --lines ≥ 10")
    if args.runs < 1 or args.warmups < 0:
        return _report.refuse(NAME, "--runs must be at least 1 and --warmups at least 0")
    command = _report.display_command([sys.executable, SCRIPT, *arguments])

    return _report.conclude_in_folder(
        NAME, lambda folder: measure(args, folder, command), render, summarise, args.write
    )


def main(argv: list[str] | None = None) -> int:
    return run(argv).exit_code


if __name__ == "__main__":
    raise SystemExit(main())
