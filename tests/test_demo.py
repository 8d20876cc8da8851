"""scripts/demo.py (``make demo``) runs end to end and shows what it promises a newcomer."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest

from signoff.core.specs.rules.wording import WORDING_RULE_NAMES

if TYPE_CHECKING:
    from collections.abc import Callable

DEMO = Path(__file__).resolve().parent.parent / "scripts" / "demo.py"

STRUCTURE_RULES_SHOWN = (
    "front-matter",
    "missing-section",
    "criterion-id",
    "unverifiable-criterion",
    "risk-unclassified",
    "risk-inconsistent",
    "unknown-gate",
    "placeholder",
    "context-missing-path",
)


def _build_slice() -> Callable[[Path], None]:
    """``build_slice`` from scripts/demo.py (a script, not a package, so loaded by path)."""
    spec = importlib.util.spec_from_file_location("signoff_demo_script", DEMO)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return cast("Callable[[Path], None]", module.build_slice)


def _plain_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("FORCE_COLOR", None)
    env.pop("SIGNOFF_DATABASE_URL", None)  # each slice uses its own SQLite ledger
    env.pop("SIGNOFF_ACTOR", None)
    env["NO_COLOR"] = "1"
    return env


@pytest.fixture(scope="module")
def demo_output(tmp_path_factory: pytest.TempPathFactory) -> str:
    # The demo keeps its slice for a person to explore; under test it lands in pytest's tmp.
    env = _plain_env()
    env["TMPDIR"] = str(tmp_path_factory.mktemp("demo"))
    completed = subprocess.run(
        [sys.executable, str(DEMO)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout + completed.stderr


@pytest.mark.slow
def test_demo_shows_ready_and_not_ready_specs(demo_output: str) -> None:
    for spec_id in ("SO-1", "SO-2"):
        assert re.search(rf"^ready\s+{spec_id}\b", demo_output, re.MULTILINE), spec_id
    for spec_id in ("SO-3", "SO-4", "SO-6", "SO-7"):
        assert re.search(rf"^not ready\s+{spec_id}\b", demo_output, re.MULTILINE), spec_id
    # SO-5's front matter does not parse, so the check names it by its path.
    assert re.search(r"^not ready\s+\S*SO-5-", demo_output, re.MULTILINE)
    assert "exit code: 1" in demo_output
    assert "exit code: 0" in demo_output
    assert "Traceback" not in demo_output
    assert "internal error" not in demo_output


@pytest.mark.slow
def test_demo_output_names_the_rules_it_teaches(demo_output: str) -> None:
    missing = [name for name in STRUCTURE_RULES_SHOWN if name not in demo_output]
    assert not missing
    assert "missing-unwanted-case" in demo_output or "too-large" in demo_output
    wording_shown = sorted(name for name in WORDING_RULE_NAMES if name in demo_output)
    assert len(wording_shown) >= 3, wording_shown


@pytest.mark.slow
def test_demo_keeps_the_slice_and_says_where(demo_output: str) -> None:
    root = _slice_root(demo_output)
    assert (root / "signoff.toml").is_file()
    assert (root / ".git").is_dir()
    assert len(list((root / "specs").glob("SO-*.md"))) == 8


def _slice_root(demo_output: str) -> Path:
    match = re.search(r"try: cd (\S+) && signoff spec check", demo_output)
    assert match is not None
    return Path(match.group(1))


@pytest.mark.slow
def test_demo_files_questions_as_the_agent(demo_output: str) -> None:
    assert "$ signoff sync" in demo_output
    assert re.search(r"^new\s+SO-2\s+[0-9a-f]{12}\s+specs/SO-2-", demo_output, re.MULTILINE)
    asks = re.findall(
        r"^\$ SIGNOFF_ACTOR=agent-claude@example\.com signoff clarify ask (SO-\d+) .*--from agent",
        demo_output,
        re.MULTILINE,
    )
    assert asks == ["SO-2", "SO-2", "SO-3"]
    assert "filed SO-2/Q-1 (agent)" in demo_output
    assert "(recommended)" in demo_output
    # The inbox, and the open-question error that keeps SO-2 from being ready meanwhile.
    assert re.search(r"^SO-2/Q-1\s+\d+[smhd]\s+open\s+\(agent\)", demo_output, re.MULTILINE)
    assert re.search(r"^specs/SO-2-\S+:\d+: open-question Q-1", demo_output, re.MULTILINE)
    assert re.search(r"^not ready\s+SO-2\b", demo_output, re.MULTILINE)


@pytest.mark.slow
def test_demo_answers_defers_and_rejects(demo_output: str) -> None:
    assert "SO-2/Q-1 answered: specs/SO-2-refunds-table.md under ## Clarifications" in demo_output
    assert "SO-2/Q-2 deferred: specs/SO-2-refunds-table.md as A-1 under ## Assumptions" in (
        demo_output
    )
    assert "SO-3/Q-1 rejected" in demo_output
    # The diff of the spec files: the new sections, and SO-3 back to draft.
    assert "+## Clarifications" in demo_output
    assert re.search(r"^\+### \d{4}-\d\d-\d\d$", demo_output, re.MULTILINE)
    assert "+- Q-1 (agent) EC-2: where should backfill_skipped.csv be written? → " in demo_output
    assert "+## Assumptions" in demo_output
    assert "+- A-1 (deferred Q-2) An index on order_id" in demo_output
    assert "-status: ready\n+status: draft" in demo_output


@pytest.mark.slow
def test_demo_moves_the_answered_spec_and_refuses_the_rejected_one(demo_output: str) -> None:
    assert "no open questions" in demo_output
    assert "SO-2: draft -> ready (specs/SO-2-refunds-table.md)" in demo_output
    refusal = re.search(r"^signoff: error: SO-3 cannot be ready: (.*)$", demo_output, re.MULTILINE)
    assert refusal is not None
    assert "since Q-1 was rejected" in refusal.group(1)
    assert "exit code: 1" in demo_output[refusal.end() :]


@pytest.mark.slow
def test_demo_shows_each_spec_timeline(demo_output: str) -> None:
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d UTC"
    for line in (
        rf"{stamp}\s+alice@example\.com\s+revised: [0-9a-f]{{12}} Add refunds table",
        rf"{stamp}\s+agent-claude@example\.com\s+Q-1 asked \(agent\): EC-2",
        rf"{stamp}\s+alice@example\.com\s+Q-1 answered: The ops bucket",
        rf"{stamp}\s+alice@example\.com\s+Q-2 deferred as A-1",
        rf"{stamp}\s+alice@example\.com\s+moved draft -> ready",
        rf"{stamp}\s+alice@example\.com\s+moved ready -> draft — Q-1 rejected: AC-2",
    ):
        assert re.search(rf"^{line}", demo_output, re.MULTILINE), line


@pytest.mark.slow
def test_demo_leaves_the_triaged_specs_on_disk(demo_output: str) -> None:
    specs = _slice_root(demo_output) / "specs"
    answered = (specs / "SO-2-refunds-table.md").read_text(encoding="utf-8")
    assert "\nstatus: ready\n" in answered
    assert answered.index("## Clarifications") < answered.index("## Assumptions")
    assert answered.endswith(
        "- A-1 (deferred Q-2) An index on order_id; add others only when a query needs them.\n"
    )
    rejected = (specs / "SO-3-order-confirmation-email.md").read_text(encoding="utf-8")
    assert "\nstatus: draft\n" in rejected
    assert "## Clarifications" not in rejected


@pytest.mark.slow
def test_demo_gates_changes_pass_escalated_approved_then_void(demo_output: str) -> None:
    gates = demo_output[demo_output.index("Gates: the policy") :]
    verdicts = re.findall(
        r"^(\*\*)?(PASS|PENDING|FAIL|BLOCKED)(\*\*)? +·? ?(SO-\d+)", gates, re.MULTILINE
    )
    assert [(verdict, spec) for _, verdict, _, spec in verdicts] == [
        ("PASS", "SO-1"),
        ("PENDING", "SO-8"),
        ("PASS", "SO-8"),
        ("PENDING", "SO-8"),
        ("PENDING", "SO-3"),
    ]
    assert "SO-8 is declared reversible, but src/checkout/migrations/0043" in gates
    assert "not sampled: value" in gates
    assert re.search(
        r"void: alice@example\.com approved diff [0-9a-f]{12}, but the change is now", gates
    )
    assert re.search(r"\| copy \| `src/checkout/emails/order_confirmation\.txt:\d+`", gates)
    assert re.search(r"^ledger intact: \d+ chained rows", gates, re.MULTILINE)
    assert "exit code: 3" in gates


def test_ready_specs_draw_no_errors(tmp_path: Path) -> None:
    _build_slice()(tmp_path)
    completed = subprocess.run(
        [sys.executable, "-m", "signoff", "spec", "check", "--format", "json", "SO-1", "SO-2"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=_plain_env(),
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    report = json.loads(completed.stdout)
    assert report["summary"]["errors"] == 0
    assert report["summary"]["checked"] == 2
    assert report["summary"]["ready"] == 2
    assert all(spec["ready"] for spec in report["specs"])
