# Copyright 2025 The Signoff developers
# SPDX-License-Identifier: Apache-2.0
"""Ledger benchmark: append 1,000,000 events, then derive the board and the inbox from them.

For each backend, SQLite (the default, a file) and PostgreSQL (a throwaway cluster on 127.0.0.1
started by ``scripts/postgres.py``), it:

* appends a realistic mix of events over 10,000 specs with ``Ledger.append_many`` in batches
  of 10,000, generated lazily, in a child process whose peak resident memory is measured: per
  spec, revisions (``spec.revised``: a 64-hex hash, title, path, owner, status), moves
  (``spec.moved``: from, to, reason), questions asked (``question.asked``, subject ``Q-<n>``)
  and, for about 85% of them, resolved (answered, deferred or rejected, keyed by
  ``resolution_key``); the specs' events interleave, as a team's would;
* times, median of several runs, ``Ledger.board()`` (goal: at most 200 ms on SQLite),
  ``Ledger.questions(only_open=True)`` and, on SQLite, the stdlib fast path
  ``open_questions_sqlite``, next to ``SELECT count(*) FROM events`` on the same backend for
  scale, and checks every answer against the stages and open questions it planted.

Run ``.venv/bin/python bench/ledger.py --write docs/performance.md`` to refresh this
benchmark's section of that file; without ``--write`` it prints the section. ``--events`` and
``--specs`` make it small; ``--postgres-url`` uses an existing, empty database instead of
starting a cluster; ``--no-postgres`` skips PostgreSQL, and ``--require-postgres`` makes a
PostgreSQL that cannot be started an error (exit 2) instead of a row that says why.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import json
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import _report

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from types import ModuleType

    from signoff.adapters.store.ledger import Ledger
    from signoff.adapters.store.url import LedgerLocation
    from signoff.core.events import NewEvent

NAME = "ledger"
SCRIPT = "bench/ledger.py"
GOAL_BOARD_MS = 200.0
SEED = "signoff-ledger"
POSTGRES_SCRIPT = _report.ROOT / "scripts" / "postgres.py"
CHILD_FLAG = "--append-child"

# ---------------------------------------------------------------- realistic events

FLOW = ("draft", "ready", "in-progress", "in-review", "approved", "merged", "released")
STAGES = (*FLOW, "abandoned")  # signoff.core.specs.model.STATUSES, checked in measure()
ACTIVE_SPECS = 200  # specs with events in flight at once: their events interleave
REVISED_RATIO = (0.15, 0.35)  # of a spec's events that are not questions: moves
QUESTION_RATIO = (0.2, 0.4)  # of a spec's events: questions asked
RESOLVED = 0.85  # chance that a question gets resolved
UNMOVED = 0.2  # specs never moved: their stage is their latest revision's status
HAND_EDITED = 0.1  # revisions whose status someone edited by hand

VERBS = ("Export", "Import", "Archive", "Search", "Share", "Refund", "Invite", "Approve", "Sync")
OBJECTS = (
    "orders", "invoices", "customer notes", "support tickets", "shipping labels", "price lists",
    "stock levels", "audit entries", "delivery slots", "gift cards", "return requests",
)  # fmt: skip
PEOPLE = ("alice", "bob", "chen", "dana", "emeka", "farah", "goran", "hana")
SOURCES = ("agent", "lead", "checker")
QUESTIONS = (
    "Should {obj} in draft state count?",
    "Which time zone do the {obj} dates use?",
    "What happens to {obj} older than a year?",
    "Who may {verb} {obj} for another team?",
    "Is there a limit on how many {obj} one request can hold?",
    "Must the {obj} list show deleted entries?",
)  # fmt: skip
OPTIONS = ("Yes", "No", "Only for admins", "Ask the owner", "Keep the current behaviour")
ANSWERS = (
    "No, drafts are excluded.", "UTC, shown in the viewer's zone.", "They are archived.",
    "Team leads only.", "At most 500 per request.", "No, hidden by default.",
)  # fmt: skip
REASONS = (
    "the intent does not say who this is for",
    "the criteria contradict each other",
    "out of scope for this spec",
)  # fmt: skip

REVISE, MOVE, ASK, RESOLVE = range(4)


@dataclass(slots=True)
class Planted:
    """What the generated events add up to: the answers the reads must give."""

    stages: dict[str, str] = field(default_factory=dict)
    open_questions: dict[str, list[int]] = field(default_factory=dict)
    kinds: Counter[str] = field(default_factory=Counter)

    def open_pairs(self) -> set[tuple[str, str]]:
        return {
            (spec_id, f"Q-{number}")
            for spec_id, numbers in self.open_questions.items()
            for number in numbers
        }

    @property
    def open_count(self) -> int:
        return sum(len(numbers) for numbers in self.open_questions.values())


class Clock:
    """When things happen: one shared clock, a few seconds to a few minutes per event."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.now = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)

    def tick(self) -> datetime:
        self.now += timedelta(seconds=self.rng.randint(1, 300))
        return self.now


def budgets(rng: random.Random, events: int, specs: int) -> list[int]:
    """How many events each spec gets: at least one, busy and quiet specs, ``events`` in all."""
    weights = [rng.uniform(0.2, 1.8) for _ in range(specs)]
    spare, total = events - specs, sum(weights)
    shares = [1 + int(spare * weight / total) for weight in weights]
    for index in range(events - sum(shares)):  # fewer than ``specs`` lost to rounding
        shares[index] += 1
    return shares


def _hex64(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def _plan(rng: random.Random, budget: int) -> list[tuple[float, int, int]]:
    """A spec's events in time order, as (when, what, question number)."""
    asked = int(budget * rng.uniform(*QUESTION_RATIO))
    resolved = {number for number in range(1, asked + 1) if rng.random() < RESOLVED}
    if asked + len(resolved) > budget - 1:  # a tiny budget: revisions only
        asked, resolved = 0, set()
    rest = budget - asked - len(resolved)  # revisions and moves, at least one revision
    moves = 0 if rng.random() < UNMOVED else int(rest * rng.uniform(*REVISED_RATIO))
    plan = [(0.0, REVISE, 0)]
    plan += [(rng.random(), REVISE, 0) for _ in range(rest - moves - 1)]
    plan += [(rng.random(), MOVE, 0) for _ in range(moves)]
    for number, when in enumerate(sorted(rng.random() for _ in range(asked)), 1):
        plan.append((when, ASK, number))
        if number in resolved:
            plan.append((rng.uniform(when, 1.0), RESOLVE, number))
    plan.sort()
    return plan


def _next_stage(rng: random.Random, stage: str) -> str:
    if stage in FLOW[:-1] and rng.random() < 0.5:
        return FLOW[FLOW.index(stage) + 1]
    return rng.choice([other for other in STAGES if other != stage])


class SpecHistory:
    """One spec's events, made one at a time, and the stage and open questions they leave."""

    def __init__(self, rng: random.Random, number: int, clock: Clock) -> None:
        self.rng, self.clock = rng, clock
        self.spec_id = f"SO-{number}"
        self.verb, self.obj = rng.choice(VERBS), rng.choice(OBJECTS)
        self.title = f"{self.verb} {self.obj}"
        self.path = f"specs/{self.spec_id}-{'-'.join(self.title.lower().split())}.md"
        self.owner = f"{rng.choice(PEOPLE)}@example.com"
        self.status = "draft" if rng.random() < 0.8 else "ready"  # what the file says
        self.stage, self.moved = self.status, False  # what the board must say
        self.previous_hash: str | None = None
        self.revisions = self.moves = self.assumptions = 0
        self.open: list[int] = []

    def _new(
        self, kind: str, key: str, payload: dict[str, object], subject: str | None = None
    ) -> NewEvent:
        from signoff.core.events import NewEvent  # noqa: PLC0415 - after compileall

        return NewEvent(
            kind=kind,
            spec_id=self.spec_id,
            actor=f"{self.rng.choice(PEOPLE)}@example.com",
            occurred_at=self.clock.tick(),
            idempotency_key=key,
            subject=subject,
            payload=payload,
        )

    def revise(self) -> NewEvent:
        from signoff.core.events import SPEC_REVISED  # noqa: PLC0415

        self.revisions += 1
        if self.revisions > 1 and self.rng.random() < HAND_EDITED:
            self.status = self.rng.choice(STAGES)
        if not self.moved:
            self.stage = self.status
        digest = _hex64(self.rng)
        payload: dict[str, object] = {
            "hash": digest,
            "previous_hash": self.previous_hash,
            "title": self.title,
            "path": self.path,
            "owner": self.owner,
            "status": self.status,
            "substantial": self.rng.random() < 0.3,
        }
        self.previous_hash = digest
        return self._new(SPEC_REVISED, f"revise:{self.spec_id}:{self.revisions}:{digest}", payload)

    def move(self) -> NewEvent:
        from signoff.core.events import SPEC_MOVED  # noqa: PLC0415

        self.moves += 1
        target = _next_stage(self.rng, self.stage)
        reason = self.rng.choice(("", *REASONS))
        payload: dict[str, object] = {"from": self.stage, "to": target, "reason": reason}
        self.stage = self.status = target
        self.moved = True
        return self._new(SPEC_MOVED, f"move:{self.spec_id}:{self.moves}:{target}", payload)

    def ask(self, number: int) -> NewEvent:
        from signoff.core.events import QUESTION_ASKED  # noqa: PLC0415

        rng = self.rng
        source = rng.choice(SOURCES)
        text = rng.choice(QUESTIONS).format(verb=self.verb.lower(), obj=self.obj)
        options = rng.sample(OPTIONS, rng.choice((0, 0, 2, 3)))
        fingerprint = hashlib.sha256(f"{source}\n{text}\n{number}".encode()).hexdigest()[:20]
        payload: dict[str, object] = {
            "text": text,
            "source": source,
            "options": options,
            "recommended": rng.randint(1, len(options)) if options else None,
            "cites": f"AC-{rng.randint(1, 6)}" if rng.random() < 0.3 else None,
        }
        self.open.append(number)
        key = f"ask:{self.spec_id}:{fingerprint}"
        return self._new(QUESTION_ASKED, key, payload, subject=f"Q-{number}")

    def resolve(self, number: int) -> NewEvent:
        from signoff.core.events import (  # noqa: PLC0415
            QUESTION_ANSWERED,
            QUESTION_DEFERRED,
            QUESTION_REJECTED,
            resolution_key,
        )

        self.open.remove(number)
        roll = self.rng.random()
        payload: dict[str, object]
        if roll < 0.6:
            kind, payload = QUESTION_ANSWERED, {"answer": self.rng.choice(ANSWERS)}
        elif roll < 0.85:
            self.assumptions += 1
            kind, payload = QUESTION_DEFERRED, {"note": None, "assumption": f"A-{self.assumptions}"}
        else:
            kind = QUESTION_REJECTED
            payload = {"reason": self.rng.choice(REASONS), "hash": _hex64(self.rng)}
        ref = f"Q-{number}"
        return self._new(kind, resolution_key(self.spec_id, ref), payload, subject=ref)


def spec_events(
    rng: random.Random, number: int, budget: int, clock: Clock, planted: Planted
) -> Iterator[NewEvent]:
    """One spec's events, made one at a time; records its stage and open questions."""
    history = SpecHistory(rng, number, clock)
    for _, what, question in _plan(rng, budget):
        if what == REVISE:
            event = history.revise()
        elif what == MOVE:
            event = history.move()
        elif what == ASK:
            event = history.ask(question)
        else:
            event = history.resolve(question)
        planted.kinds[event.kind] += 1
        yield event
    planted.stages[history.spec_id] = history.stage
    if history.open:
        planted.open_questions[history.spec_id] = history.open


def all_events(rng: random.Random, events: int, specs: int, planted: Planted) -> Iterator[NewEvent]:
    """``events`` events over ``specs`` specs, a few hundred specs in flight at a time."""
    clock = Clock(rng)
    shares = budgets(rng, events, specs)
    waiting = iter(range(1, specs + 1))
    active = [
        spec_events(rng, number, shares[number - 1], clock, planted)
        for number in islice(waiting, ACTIVE_SPECS)
    ]
    while active:
        index = rng.randrange(len(active))
        try:
            yield next(active[index])
        except StopIteration:
            number = next(waiting, None)
            if number is None:
                active[index] = active[-1]
                active.pop()
            else:
                active[index] = spec_events(rng, number, shares[number - 1], clock, planted)


def batches(events: Iterable[NewEvent], size: int) -> Iterator[list[NewEvent]]:
    iterator = iter(events)
    while batch := list(islice(iterator, size)):
        yield batch


# ---------------------------------------------------------------- the append (child process)


def _location(url: str) -> LedgerLocation:
    from signoff.adapters.store.url import URL_VARIABLE, resolve_location  # noqa: PLC0415

    return resolve_location(Path.cwd(), {URL_VARIABLE: url})


def append_child(args: argparse.Namespace) -> int:
    """Open the ledger at ``args.append_child`` (a URL), append, print what happened as JSON."""
    from signoff.adapters.store.ledger import open_ledger  # noqa: PLC0415

    ledger = open_ledger(_location(args.append_child))
    planted = Planted()
    stream = all_events(random.Random(SEED), args.events, args.specs, planted)
    seconds: list[float] = []
    sizes: list[int] = []
    rss_kib: list[int] = []
    new = 0
    began = time.perf_counter()
    for batch in batches(stream, args.batch):
        start = time.perf_counter()
        new += ledger.append_many(batch)
        seconds.append(time.perf_counter() - start)
        sizes.append(len(batch))
        rss_kib.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    wall = time.perf_counter() - began
    count = ledger.count()
    ledger.close()
    report = {
        "new": new,
        "count": count,
        "wall": wall,
        "seconds": seconds,
        "sizes": sizes,
        "rss_kib": rss_kib,
        "stages": planted.stages,
        "open": planted.open_questions,
        "kinds": dict(planted.kinds),
    }
    json.dump(report, sys.stdout)
    return 0


@dataclass(frozen=True, slots=True)
class Appended:
    events: int
    wall: float  # generating the events and appending them
    seconds: list[float]  # in append_many, per batch
    sizes: list[int]
    rss_kib: list[int]  # ru_maxrss after each batch
    peak_rss_kib: int  # of the whole child, from wait4
    planted: Planted

    @property
    def append_seconds(self) -> float:
        return sum(self.seconds)

    @property
    def rate(self) -> float:
        return self.events / self.append_seconds

    def rate_of(self, first: bool) -> float:
        """Events per second over the first (or last) tenth of the batches."""
        share = max(1, len(self.seconds) // 10)
        part = slice(0, share) if first else slice(-share, None)
        return sum(self.sizes[part]) / sum(self.seconds[part])


def run_append(url: str, args: argparse.Namespace, cwd: Path) -> Appended:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        CHILD_FLAG,
        url,
        "--events",
        str(args.events),
        "--specs",
        str(args.specs),
        "--batch",
        str(args.batch),
    ]
    child = _report.run_child(command, cwd, capture=True)
    if child.exit_code != 0:
        raise _report.BenchError(f"the append exited with {child.exit_code}:\n{child.stderr}")
    report = json.loads(child.stdout)
    if report["new"] != args.events or report["count"] != args.events:
        raise _report.BenchError(
            f"appended {args.events:,} events with distinct keys, but append_many counted "
            f"{report['new']:,} new and the ledger holds {report['count']:,}"
        )
    planted = Planted(report["stages"], report["open"], Counter(report["kinds"]))
    return Appended(
        events=args.events,
        wall=report["wall"],
        seconds=report["seconds"],
        sizes=report["sizes"],
        rss_kib=report["rss_kib"],
        peak_rss_kib=child.peak_rss_kib,
        planted=planted,
    )


# ---------------------------------------------------------------- the reads


@dataclass(frozen=True, slots=True)
class Read(_report.TimedRuns):
    label: str  # markdown
    seconds: list[float]
    result: str  # what it returned, in words
    wrong: str | None  # why the answer is wrong, when it is
    baseline: bool = False


@dataclass(frozen=True, slots=True)
class Measure:
    label: str
    call: Callable[[], object]
    check: Callable[[Any], tuple[str, str | None]]  # (result in words, why it is wrong)
    baseline: bool = False


def _differences(expected: dict[str, str], got: dict[str, str]) -> str:
    missing = sorted(expected.keys() - got.keys())
    extra = sorted(got.keys() - expected.keys())
    differ = sorted(key for key in expected.keys() & got.keys() if expected[key] != got[key])
    parts = []
    if missing:
        parts.append(f"{len(missing):,} specs missing (e.g. {missing[0]})")
    if extra:
        parts.append(f"{len(extra):,} specs not planted (e.g. {extra[0]})")
    if differ:
        key = differ[0]
        parts.append(
            f"{len(differ):,} stages differ (e.g. {key}: {got[key]}, planted {expected[key]})"
        )
    return "; ".join(parts)


def check_board(planted: Planted) -> Callable[[Any], tuple[str, str | None]]:
    def check(board: dict[str, str]) -> tuple[str, str | None]:
        words = f"{len(board):,} specs"
        if board == planted.stages:
            return f"{words}, stages as planted", None
        return words, _differences(planted.stages, board)

    return check


def check_pairs(
    planted: Planted, pairs_of: Callable[[Any], list[tuple[str, str]]]
) -> Callable[[Any], tuple[str, str | None]]:
    expected = planted.open_pairs()

    def check(found: Any) -> tuple[str, str | None]:
        pairs = pairs_of(found)
        words = f"{len(pairs):,} open questions"
        if len(pairs) == len(expected) and set(pairs) == expected:
            return f"{words}, as planted", None
        missing, extra = len(expected - set(pairs)), len(set(pairs) - expected)
        return words, (
            f"planted {len(expected):,}: {missing:,} missing, {extra:,} not open, "
            f"{len(pairs) - len(set(pairs)):,} listed twice"
        )

    return check


def check_count(events: int) -> Callable[[Any], tuple[str, str | None]]:
    def check(count: int) -> tuple[str, str | None]:
        return f"{count:,} events", None if count == events else f"appended {events:,}"

    return check


def time_reads(measures: Sequence[Measure], runs: int, warmups: int) -> list[Read]:
    """Check each answer once (that call also warms up), then time them round-robin."""
    checked = [measure.check(measure.call()) for measure in measures]
    for _ in range(warmups - 1):
        for measure in measures:
            measure.call()
    seconds: list[list[float]] = [[] for _ in measures]
    for round_number in range(runs):
        shift = round_number % len(measures)
        order = [*range(shift, len(measures)), *range(shift)]
        for index in order:
            began = time.perf_counter()
            measures[index].call()
            seconds[index].append(time.perf_counter() - began)
    return [
        Read(measure.label, times, result, wrong, measure.baseline)
        for measure, times, (result, wrong) in zip(measures, seconds, checked, strict=True)
    ]


def _open_pairs_of_events(found: list[Any]) -> list[tuple[str, str]]:
    return [(event.spec_id, event.subject or "") for event in found]


def _open_pairs_of_quick(found: dict[str, list[Any]]) -> list[tuple[str, str]]:
    return [
        (spec_id, question.ref) for spec_id, questions in found.items() for question in questions
    ]


def sqlite_count(path: Path) -> int:
    """The stdlib baseline: open the file read-only, as the fast path does, and count."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return int(connection.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        connection.close()


def ledger_measures(ledger: Ledger, planted: Planted, events: int) -> list[Measure]:
    return [
        Measure(
            "baseline: `ledger.count()` (`SELECT count(*) FROM events`)",
            ledger.count,
            check_count(events),
            baseline=True,
        ),
        Measure("**`ledger.board()`**", ledger.board, check_board(planted)),
        Measure(
            "`ledger.questions(only_open=True)`",
            lambda: ledger.questions(only_open=True),
            check_pairs(planted, _open_pairs_of_events),
        ),
    ]


def quick_measures(path: Path, planted: Planted, events: int) -> list[Measure]:
    from signoff.adapters.store.quick import open_questions_sqlite  # noqa: PLC0415

    return [
        Measure(
            "baseline: stdlib `sqlite3`, read-only, `SELECT count(*) FROM events`",
            lambda: sqlite_count(path),
            check_count(events),
            baseline=True,
        ),
        Measure(
            "`open_questions_sqlite(path)` (stdlib fast path of `spec check`)",
            lambda: open_questions_sqlite(path),
            check_pairs(planted, _open_pairs_of_quick),
        ),
    ]


def query_plans(ledger: Ledger) -> dict[str, list[str]]:
    """The plans of the statements ``board()`` and ``questions(only_open=True)`` run."""
    from sqlalchemy import event  # noqa: PLC0415

    statements: list[tuple[str, str, Any]] = []
    current = [""]

    def record(*args: Any) -> None:
        statement, parameters = args[2], args[3]
        if statement.lstrip().upper().startswith("SELECT") and "events" in statement:
            statements.append((current[0], statement, parameters))

    event.listen(ledger.engine, "before_cursor_execute", record)
    try:
        current[0] = "board()"
        ledger.board()
        current[0] = "questions(only_open=True)"
        ledger.questions(only_open=True)
    finally:
        event.remove(ledger.engine, "before_cursor_execute", record)
    plans: dict[str, list[str]] = {}
    with ledger.engine.connect() as connection:
        for label, statement, parameters in statements:
            lines = plans.setdefault(label, [])
            if lines:
                lines.append("")
            if connection.dialect.name == "sqlite":
                rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
                depth: dict[int, int] = {0: 0}
                for node, parent, _, detail in rows:
                    depth[node] = depth.get(parent, 0) + 1
                    lines.append(f"{'  ' * (depth[node] - 1)}{detail}")
            else:
                rows = connection.exec_driver_sql(f"EXPLAIN (COSTS OFF) {statement}", parameters)
                lines += [str(row[0]) for row in rows]
    return plans


# ---------------------------------------------------------------- the backends


@dataclass(frozen=True, slots=True)
class Backend:
    name: str  # SQLite | PostgreSQL
    detail: str  # version and settings
    appended: Appended | None
    reads: list[Read]
    plans: dict[str, list[str]]
    size_bytes: int
    not_run: str | None = None  # why it did not run

    def board(self) -> Read | None:
        return next((read for read in self.reads if "board()" in read.label), None)

    def baseline(self, read: Read) -> Read:
        """The baseline row that precedes ``read`` in the table."""
        index = self.reads.index(read)
        return next(row for row in reversed(self.reads[: index + 1]) if row.baseline)


def measure_sqlite(args: argparse.Namespace, folder: Path) -> Backend:
    from signoff.adapters.store.ledger import open_ledger  # noqa: PLC0415

    path = folder / "ledger.db"
    print(f"ledger: appending {args.events:,} events to SQLite ({path})", file=sys.stderr)
    appended = run_append(f"sqlite:///{path}", args, folder)
    size = sum(file.stat().st_size for file in folder.glob("ledger.db*"))
    ledger = open_ledger(_location(f"sqlite:///{path}"), migrate=False)
    try:
        print(f"ledger: timing reads on SQLite, {args.runs} runs", file=sys.stderr)
        measures = [
            *ledger_measures(ledger, appended.planted, args.events),
            *quick_measures(path, appended.planted, args.events),
        ]
        reads = time_reads(measures, args.runs, args.warmups)
        plans = query_plans(ledger)
    finally:
        ledger.close()
    detail = f"SQLite {sqlite3.sqlite_version}, WAL, synchronous=NORMAL (the ledger's settings)"
    return Backend("SQLite", detail, appended, reads, plans, size)


def load_postgres_script() -> ModuleType:
    """``scripts/postgres.py`` is a script, not a package: load it by path, once."""
    name = "signoff_postgres_script"
    if name in sys.modules:
        return sys.modules[name]
    if not POSTGRES_SCRIPT.is_file():
        raise _report.BenchError(f"{POSTGRES_SCRIPT.relative_to(_report.ROOT)} is missing")
    spec = importlib.util.spec_from_file_location(name, POSTGRES_SCRIPT)
    if spec is None or spec.loader is None:
        raise _report.BenchError(f"cannot load {POSTGRES_SCRIPT}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def postgres_server(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    """A PostgreSQL URL to an empty database, and how the server was had; stopped afterwards."""
    if args.postgres_url:
        yield args.postgres_url, "the server `--postgres-url` names"
        return
    script = load_postgres_script()
    base = Path(tempfile.mkdtemp(prefix="signoff-bench-pg-"))
    try:
        print("ledger: starting a throwaway PostgreSQL cluster", file=sys.stderr)
        try:
            script.ensure_installed()
            cluster = script.start_cluster(base)
        except (script.PostgresUnavailableError, OSError) as error:
            raise _report.BenchError(str(error).splitlines()[0]) from None
        try:
            yield (
                cluster.url,
                (
                    "a throwaway cluster from `scripts/postgres.py` on 127.0.0.1 (fsync=off, "
                    "synchronous_commit=off, full_page_writes=off: a test server)"
                ),
            )
        finally:
            cluster.stop()
            if cluster.socket_dir != base / "socket":
                shutil.rmtree(cluster.socket_dir, ignore_errors=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def measure_postgres(args: argparse.Namespace, folder: Path, url: str, how: str) -> Backend:
    from signoff.adapters.store.ledger import open_ledger  # noqa: PLC0415

    print(f"ledger: appending {args.events:,} events to PostgreSQL", file=sys.stderr)
    location = _location(url)
    ledger = open_ledger(location, migrate=False)
    try:
        if ledger.revision() is not None:
            raise _report.BenchError(
                f"{location.display} already holds a ledger; give an empty one"
            )
    finally:
        ledger.close()
    appended = run_append(url, args, folder)
    ledger = open_ledger(location, migrate=False)
    try:
        # Autovacuum does this on its own within a minute of a bulk load; done here so that every
        # run reads with the same statistics and visibility map.
        with ledger.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
            db.exec_driver_sql("VACUUM ANALYZE events")
            version = str(db.exec_driver_sql("SHOW server_version").scalar_one()).split()[0]
            size = int(db.exec_driver_sql("SELECT pg_total_relation_size('events')").scalar_one())
        print(f"ledger: timing reads on PostgreSQL, {args.runs} runs", file=sys.stderr)
        reads = time_reads(
            ledger_measures(ledger, appended.planted, args.events), args.runs, args.warmups
        )
        plans = query_plans(ledger)
    finally:
        ledger.close()
    detail = f"PostgreSQL {version}, {how}; `VACUUM ANALYZE events` after the load"
    return Backend("PostgreSQL", detail, appended, reads, plans, size)


# ---------------------------------------------------------------- the report


@dataclass(frozen=True, slots=True)
class Measured:
    command: str
    events: int
    specs: int
    batch: int
    runs: int
    warmups: int
    backends: list[Backend]
    changed: Sequence[str]  # source files edited while the benchmark ran

    @property
    def sqlite(self) -> Backend:
        return self.backends[0]

    @property
    def planted(self) -> Planted:
        assert self.sqlite.appended is not None  # noqa: S101 - SQLite always runs
        return self.sqlite.appended.planted

    @property
    def board_ms(self) -> float:
        board = self.sqlite.board()
        return float("inf") if board is None else board.median_ms

    @property
    def wrong(self) -> list[str]:
        return [
            f"{backend.name} {read.label}: {read.wrong}"
            for backend in self.backends
            for read in backend.reads
            if read.wrong
        ]

    @property
    def passed(self) -> bool:
        return self.board_ms <= GOAL_BOARD_MS and not self.wrong


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def _append_row(backend: Backend) -> str:
    a = backend.appended
    if a is None:
        return f"| {backend.name} | not run: {backend.not_run} | - | - | - | - | - |"
    first_batch = a.rss_kib[0] if a.rss_kib else 0
    return (
        f"| {backend.name} | **{a.rate:,.0f} events/s** ({a.append_seconds:.1f} s) | "
        f"{a.rate_of(first=True):,.0f} / {a.rate_of(first=False):,.0f} events/s | "
        f"{a.wall:.1f} s | {_mib(a.peak_rss_kib)} | {_mib(first_batch)} → "
        f"{_mib(a.rss_kib[-1] if a.rss_kib else 0)} | {backend.size_bytes / 1e6:,.0f} MB |"
    )


def _read_rows(backend: Backend) -> list[str]:
    if not backend.reads:
        return [f"| {backend.name} | not run: {backend.not_run} | - | - | - | - | - | - | - |"]
    rows = []
    for read in backend.reads:
        base = backend.baseline(read)
        ratio = "-" if read.baseline else f"{read.median_ms / base.median_ms:,.1f}x"
        is_goal = backend.name == "SQLite" and "board()" in read.label
        goal = f"≤ {GOAL_BOARD_MS:.0f} ms (median)" if is_goal else "-"
        if read.wrong:
            verdict = f"**FAIL**: wrong answer ({read.wrong})"
        elif is_goal:
            verdict = _report.verdict(read.median_ms <= GOAL_BOARD_MS)
        else:
            verdict = "baseline" if read.baseline else "-"
        rows.append(
            f"| {backend.name} | {read.label} | {read.median_ms:,.1f} ms | {read.p90_ms:,.1f} ms | "
            f"{read.min_ms:,.1f} ms | {ratio} | {read.result} | {goal} | {verdict} |"
        )
    return rows


def render(measured: Measured) -> str:
    m = measured
    planted = m.planted
    kinds = ", ".join(f"`{kind}` {n:,}" for kind, n in sorted(planted.kinds.items()))
    asked = planted.kinds["question.asked"]
    stages = Counter(planted.stages.values())
    spread = ", ".join(f"{stage} {stages[stage]:,}" for stage in STAGES)
    lines = [
        *_report.header(
            f"Ledger: appending {m.events:,} events, then the board and the inbox", m.command
        ),
        *_report.paragraph(
            f"A new ledger per backend gets {m.events:,} events over {m.specs:,} specs (seed",
            f"`{SEED}`), made lazily and appended with `Ledger.append_many` in batches of",
            f"{m.batch:,}. The mix: {kinds}. About {ACTIVE_SPECS} specs are in flight at a time,",
            "so each spec's events are spread over the whole ledger, as a team's would be.",
            "Revisions carry a 64-hex hash, title, path, owner and status (some edited by hand);",
            "moves carry from, to and reason; questions `Q-<n>` carry text, source, options and",
            "are keyed `ask:<spec>:<fingerprint>`; resolutions are keyed",
            "`resolve:<spec>:<Q-n>` (`resolution_key`).",
            f"Planted: {planted.open_count:,} of {asked:,} questions left open",
            f"({planted.open_count / max(asked, 1):.0%}); stages {spread}",
            f"({UNMOVED:.0%} of the specs are never moved: their stage is their latest",
            "revision's status).",
        ),
        *_report.paragraph(
            "Backends: " + "; ".join(f"{b.name}: {b.detail}" for b in m.backends if b.detail) + ".",
            "The append runs in a child process; its rate counts the time inside `append_many`",
            "only (the wall time also makes the events). Peak RSS is the child's `ru_maxrss`",
            "from `wait4`; the next column is the child's high-water mark after its first batch",
            "and after its last: equal means memory stays flat in the number of events.",
        ),
        (
            "| backend | append (in `append_many`) | first / last tenth of the batches | wall, "
            "with making the events | peak RSS | RSS after first → last batch | size on disk |"
        ),
        "|---|---|---|---|---|---|---|",
        *(_append_row(backend) for backend in m.backends),
        "",
        *_report.paragraph(
            f"Reads: median of {m.runs} runs after {m.warmups} warm-up, in-process, each opening",
            "its own connection as the CLI does; the measures take turns within each round, so",
            "load from other work on the machine hits them alike. Every answer is checked",
            "against what was planted: the board must give every spec its planted stage, the",
            "open questions must be exactly the planted ones. The count baselines show what",
            "reading the whole ledger's index costs on the same backend.",
        ),
        "| backend | read | median | p90 | min | median / baseline | answer | goal | verdict |",
        "|---|---|---|---|---|---|---|---|---|",
        *(row for backend in m.backends for row in _read_rows(backend)),
    ]
    lines += _report.warnings([], m.changed)
    plans = [(b.name, label, plan) for b in m.backends for label, plan in b.plans.items()]
    if plans:
        lines += [
            "",
            "### Query plans",
            "",
            *_report.paragraph(
                "What the databases do for the reads above: `EXPLAIN QUERY PLAN` on SQLite,",
                "`EXPLAIN (COSTS OFF)` on PostgreSQL, for the statements the calls execute",
                "(captured from SQLAlchemy, one block per statement).",
            ),
        ]
        for name, label, plan in plans:
            lines += [f"{name}, `{label}`:", "", "```text", *plan, "```", ""]
        lines.pop()
    return "\n".join(lines) + "\n"


def summarise(measured: Measured) -> tuple[str, ...]:
    m = measured
    appends, reads = [], []
    for backend in m.backends:
        a = backend.appended
        if a is None:
            appends.append(f"{backend.name} not run ({backend.not_run})")
            continue
        appends.append(f"{backend.name} {a.rate:,.0f} events/s, peak RSS {_mib(a.peak_rss_kib)}")
        reads += [
            f"{backend.name} {read.label.strip('*').split('`')[1]} {read.median_ms:,.0f} ms"
            for read in backend.reads
            if not read.baseline
        ]
    verdict = _report.verdict(m.board_ms <= GOAL_BOARD_MS)
    return (
        f"ledger: append {m.events:,} events: {'; '.join(appends)}",
        f"ledger: SQLite board {m.board_ms:,.0f} ms (goal ≤ {GOAL_BOARD_MS:.0f} ms: {verdict})",
        f"ledger: medians: {', '.join(reads)}",
        *(f"ledger: WRONG ANSWER: {wrong}" for wrong in m.wrong),
        *_report.summary_warnings(NAME, [], m.changed),
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000, help="events to append")
    parser.add_argument("--specs", type=int, default=10_000, help="specs they are about")
    parser.add_argument("--batch", type=int, default=10_000, help="events per append_many")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per read")
    parser.add_argument("--warmups", type=int, default=1, help="untimed runs per read first")
    parser.add_argument("--write", type=Path, help="replace this benchmark's section in FILE")
    parser.add_argument("--postgres-url", help="an empty PostgreSQL database to use instead")
    postgres = parser.add_mutually_exclusive_group()
    postgres.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    postgres.add_argument(
        "--require-postgres",
        action="store_true",
        help="exit 2 when PostgreSQL cannot be started, instead of reporting why",
    )
    parser.add_argument(CHILD_FLAG, help=argparse.SUPPRESS)
    return parser


def measure(args: argparse.Namespace, folder: Path, command: str) -> Measured:
    package = _report.compile_signoff()
    sources = _report.source_fingerprint(package)
    from signoff.core.specs.model import STATUSES  # noqa: PLC0415 - after compileall

    if set(STATUSES) != set(STAGES):
        raise _report.BenchError(f"the stages changed: {', '.join(STATUSES)}; update STAGES")
    (folder / "sqlite").mkdir()
    backends = [measure_sqlite(args, folder / "sqlite")]
    if args.no_postgres:
        backends.append(Backend("PostgreSQL", "", None, [], {}, 0, "`--no-postgres` given"))
    else:
        try:
            with postgres_server(args) as (url, how):
                (folder / "postgres").mkdir()
                backends.append(measure_postgres(args, folder / "postgres", url, how))
        except _report.BenchError as error:
            if args.require_postgres:
                raise
            reason = str(error).splitlines()[0]
            print(f"ledger: PostgreSQL not run: {reason}", file=sys.stderr)
            backends.append(Backend("PostgreSQL", "", None, [], {}, 0, reason))
    return Measured(
        command=command,
        events=args.events,
        specs=args.specs,
        batch=args.batch,
        runs=args.runs,
        warmups=args.warmups,
        backends=backends,
        changed=_report.changed_sources(sources, _report.source_fingerprint(package)),
    )


def run(argv: list[str] | None = None) -> _report.Outcome:
    """Measure, then write the section (``--write FILE``) or print it."""
    arguments = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(arguments)
    if args.append_child is not None:
        return _report.Outcome(NAME, "", (), exit_code=append_child(args))
    if args.specs < 1 or args.events < args.specs or args.batch < 1:
        return _report.refuse(NAME, "need --specs ≥ 1, --events ≥ --specs and --batch ≥ 1")
    if args.runs < 1 or args.warmups < 1:
        return _report.refuse(NAME, "--runs and --warmups must be at least 1")
    command = _report.display_command([sys.executable, SCRIPT, *arguments])

    return _report.conclude_in_folder(
        NAME, lambda folder: measure(args, folder, command), render, summarise, args.write
    )


def main(argv: list[str] | None = None) -> int:
    return run(argv).exit_code


if __name__ == "__main__":
    raise SystemExit(main())
