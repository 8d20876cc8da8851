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
        timeout=120,
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
    match = re.search(r"try: cd (\S+) && signoff spec check", demo_output)
    assert match is not None
    root = Path(match.group(1))
    assert (root / "signoff.toml").is_file()
    assert (root / ".git").is_dir()
    assert len(list((root / "specs").glob("SO-*.md"))) == 7


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
