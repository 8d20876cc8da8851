"""bench/ledger.py: its generated events mean what it plants, and a small run writes its section."""

from __future__ import annotations

import importlib.util
import random
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from signoff.core.events import (
    QUESTION_ASKED,
    RESOLUTIONS,
    Event,
    NewEvent,
    fold_questions,
    fold_stage,
    resolution_key,
)

if TYPE_CHECKING:
    from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "ledger.py"


def _load() -> ModuleType:
    """bench/ledger.py is a script next to bench/_report.py: load it by path."""
    name = "signoff_bench_ledger"
    if name in sys.modules:
        return sys.modules[name]
    sys.path.insert(0, str(SCRIPT.parent))  # for its `import _report`
    spec = importlib.util.spec_from_file_location(name, SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def _recorded(number: int, new: NewEvent) -> Event:
    return Event(
        id=number,
        kind=new.kind,
        spec_id=new.spec_id,
        actor=new.actor,
        occurred_at=new.occurred_at,
        recorded_at=datetime.now(UTC),
        idempotency_key=new.idempotency_key,
        subject=new.subject,
        payload=new.payload,
    )


def test_budgets_add_up_and_give_every_spec_an_event() -> None:
    bench = _load()
    for events, specs in ((1_000, 1_000), (1_001, 1_000), (99_999, 700), (5, 1)):
        shares = bench.budgets(random.Random(events), events, specs)  # noqa: S311 - test data
        assert len(shares) == specs
        assert sum(shares) == events
        assert min(shares) >= 1


def test_planted_stages_and_open_questions_match_the_reference_folds() -> None:
    bench = _load()
    planted = bench.Planted()
    rng = random.Random("test")  # noqa: S311 - test data, not secrets
    stream: list[NewEvent] = list(bench.all_events(rng, 12_000, 150, planted))
    assert len(stream) == 12_000
    keys = [new.idempotency_key for new in stream]
    assert len(set(keys)) == len(keys)
    asked = [(new.spec_id, new.subject) for new in stream if new.kind == QUESTION_ASKED]
    assert len(set(asked)) == len(asked)  # the unique index on (spec_id, subject)
    assert all(
        new.idempotency_key.startswith(f"ask:{new.spec_id}:")
        and (new.subject or "").startswith("Q-")
        for new in stream
        if new.kind == QUESTION_ASKED
    )
    by_spec: dict[str, list[Event]] = defaultdict(list)
    for number, new in enumerate(stream, 1):
        if new.kind in RESOLUTIONS:
            assert new.subject is not None
            assert new.idempotency_key == resolution_key(new.spec_id, new.subject)
        by_spec[new.spec_id].append(_recorded(number, new))
    assert len(by_spec) == 150
    stages = {spec_id: fold_stage(events) for spec_id, events in by_spec.items()}
    assert stages == planted.stages
    still_open = {
        (question.spec_id, question.ref)
        for events in by_spec.values()
        for question in fold_questions(events)
        if question.is_open
    }
    assert still_open == planted.open_pairs()
    share = len(still_open) / len(asked)
    assert 0.1 <= share <= 0.2
    assert set(planted.stages.values()) == set(bench.STAGES)
    assert sum(planted.kinds.values()) == 12_000


def test_a_small_run_writes_its_section(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nHand-written prose.\n", encoding="utf-8")
    command = [
        sys.executable,
        str(SCRIPT),
        "--events",
        "3000",
        "--specs",
        "60",
        "--batch",
        "500",
        "--runs",
        "2",
        "--no-postgres",
        "--write",
        str(doc),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Performance\n\nHand-written prose.\n")
    start, end = text.index("<!-- bench:ledger:start -->"), text.index("<!-- bench:ledger:end -->")
    section = text[start:end]
    assert "## Ledger: appending 3,000 events" in section
    assert "60 specs, stages as planted" in section
    assert section.count("open questions, as planted") == 2  # questions() and the fast path
    assert "not run: `--no-postgres` given" in section
    assert "FAIL" not in section
    assert "ledger: SQLite board" in done.stdout
