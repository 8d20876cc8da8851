"""bench/gate.py and bench/risk_quality.py: the labelled set, the scores, the repositories, and
small runs of both benchmarks against the real ``signoff gate``."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signoff.adapters.standards_file import parse_standards

if TYPE_CHECKING:
    from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CATEGORIES = ("schema", "deploy", "security", "copy", "vendor", "architecture")


def _load(name: str) -> ModuleType:
    """A bench script, loaded by path (its `import _report` and `import gate` need bench/)."""
    module_name = f"signoff_bench_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(module_name, BENCH / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def _quality() -> ModuleType:
    return _load("risk_quality")


def _gate() -> ModuleType:
    return _load("gate")


def _bench_error() -> type[Exception]:
    """bench/_report.py's BenchError (imported by the bench scripts as `_report`)."""
    _gate()
    error: type[Exception] = sys.modules["_report"].BenchError
    return error


def _git(repo: Path, *arguments: str) -> str:
    done = subprocess.run(["git", *arguments], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


# ---------------------------------------------------------------- scores


def test_tally_figures_on_hand_counts() -> None:
    tally = _quality().Tally(tp=3, fp=1, fn=2)
    assert tally.precision == pytest.approx(0.75)
    assert tally.recall == pytest.approx(0.6)
    assert tally.f1 == pytest.approx(2 * 0.75 * 0.6 / (0.75 + 0.6))
    assert tally + _quality().Tally(1, 2, 3) == _quality().Tally(4, 3, 5)


@pytest.mark.parametrize(
    ("tp", "fp", "fn", "figures"),
    [
        (0, 0, 0, (None, None, None)),  # nothing labelled, nothing detected: undefined, not 1
        (0, 0, 4, (None, 0.0, 0.0)),  # never detected: precision undefined, recall 0
        (0, 3, 0, (0.0, None, 0.0)),  # only false alarms: recall undefined, precision 0
        (2, 0, 0, (1.0, 1.0, 1.0)),
    ],
)
def test_tally_zero_divisions_are_undefined_not_guessed(
    tp: int, fp: int, fn: int, figures: tuple[float | None, float | None, float | None]
) -> None:
    tally = _quality().Tally(tp, fp, fn)
    assert (tally.precision, tally.recall, tally.f1) == figures


def test_score_counts_per_category_micro_and_names_the_cases() -> None:
    expected = {
        "a": frozenset({"schema", "vendor"}),
        "b": frozenset(),
        "c": frozenset({"deploy"}),
        "d": frozenset(),
    }
    detected = {
        "a": frozenset({"schema"}),
        "b": frozenset({"security"}),
        "c": frozenset({"deploy"}),
        "d": frozenset(),
    }
    scores = _quality().score(expected, detected)
    tally = _quality().Tally
    assert scores.per_category["schema"] == tally(1, 0, 0)
    assert scores.per_category["vendor"] == tally(0, 0, 1)
    assert scores.per_category["security"] == tally(0, 1, 0)
    assert scores.per_category["deploy"] == tally(1, 0, 0)
    assert scores.per_category["copy"] == tally(0, 0, 0)
    assert scores.micro == tally(2, 1, 1)
    assert scores.misses == (("a", "vendor"),)
    assert scores.false_alarms == (("b", "security"),)
    assert (scores.cases, scores.exact) == (4, 2)
    assert (scores.no_risk, scores.no_risk_clean, scores.specificity) == (2, 1, 0.5)


def test_score_keeps_an_unknown_detected_category_as_a_false_alarm() -> None:
    scores = _quality().score({"a": frozenset()}, {"a": frozenset({"licence"})})
    assert scores.per_category["licence"] == _quality().Tally(0, 1, 0)
    assert scores.false_alarms == (("a", "licence"),)
    assert scores.specificity == 0.0


def test_score_has_no_specificity_without_no_risk_cases() -> None:
    scores = _quality().score({"a": frozenset({"copy"})}, {"a": frozenset({"copy"})})
    assert scores.specificity is None
    assert scores.micro.f1 == 1.0


_label_sets = st.frozensets(st.sampled_from(CATEGORIES))


@given(
    st.dictionaries(st.text("abcdef", min_size=1, max_size=4), st.tuples(_label_sets, _label_sets))
)
def test_score_accounts_for_every_label_and_every_detection(
    cases: dict[str, tuple[frozenset[str], frozenset[str]]],
) -> None:
    expected = {case_id: labels for case_id, (labels, _) in cases.items()}
    detected = {case_id: found for case_id, (_, found) in cases.items()}
    scores = _quality().score(expected, detected)
    micro = scores.micro
    assert micro.tp + micro.fn == sum(len(labels) for labels in expected.values())
    assert micro.tp + micro.fp == sum(len(found) for found in detected.values())
    assert len(scores.misses) == micro.fn
    assert len(scores.false_alarms) == micro.fp
    assert scores.exact == sum(expected[c] == detected[c] for c in cases)


@given(st.lists(st.sampled_from(CATEGORIES), unique=True))
def test_labels_parse_back_to_the_same_set(labels: list[str]) -> None:
    assert _quality().parse_labels(labels) == frozenset(labels)


@given(st.text(min_size=1).filter(lambda text: text not in CATEGORIES))
def test_labels_reject_anything_that_is_not_a_category(label: str) -> None:
    with pytest.raises(_quality().CaseFileError, match="unknown label"):
        _quality().parse_labels(["schema", label])


# ---------------------------------------------------------------- the labelled set


def test_the_labelled_set_is_big_enough_balanced_and_documented() -> None:
    quality = _quality()
    stacks = quality.load_stacks(quality.CASES_DIR)
    assert [stack.name for stack in stacks] == sorted(quality.STACKS)
    cases = [case for stack in stacks for case in stack.cases]
    assert len(cases) >= 66
    assert all(len(stack.cases) >= 10 for stack in stacks)
    no_risk = [case for case in cases if not case.labels]
    assert len(no_risk) * 3 >= len(cases)
    for category in CATEGORIES:
        assert sum(category in case.labels for case in cases) >= 4, category
    assert sum(len(case.labels) > 1 for case in cases) >= 8
    assert all(case.labels <= set(CATEGORIES) and case.rationale for case in cases)
    for stack in stacks:
        text = (quality.CASES_DIR / f"{stack.name}.toml").read_text(encoding="utf-8")
        header = text[: text.index("\nstack = ")]
        for case in stack.cases:
            if case.ambiguous:
                assert case.id in header, f"{case.id} is ambiguous but not listed in the header"


def test_the_held_out_set_is_big_enough_balanced_and_independent() -> None:
    quality = _quality()
    stacks = quality.load_stacks(quality.HOLDOUT_DIR)
    assert [stack.name for stack in stacks] == sorted(quality.STACKS)
    cases = [case for stack in stacks for case in stack.cases]
    assert len(cases) >= 42
    assert all(len(stack.cases) >= 7 for stack in stacks)
    assert sum(not case.labels for case in cases) * 3 >= len(cases)
    for category in CATEGORIES:
        assert any(category in case.labels for case in cases), category
    assert sum(len(case.labels) > 1 for case in cases) >= 6
    in_sample = quality.load_stacks(quality.CASES_DIR)
    in_sample_ids = {case.id for stack in in_sample for case in stack.cases}
    assert not in_sample_ids & {case.id for case in cases}
    for stack in stacks:
        text = (quality.HOLDOUT_DIR / f"{stack.name}.toml").read_text(encoding="utf-8")
        header = text[: text.index("\nstack = ")]
        for case in stack.cases:
            if case.ambiguous:
                assert case.id in header, f"{case.id} is ambiguous but not listed in the header"
    # Independent layouts: no held-out base reuses an in-sample file as it is (framework
    # boilerplate of a few lines, such as Rails' ApplicationRecord, may coincide).
    for held, tuned in zip(stacks, in_sample, strict=True):
        shared = {
            path
            for path, text in held.main_tree().items()
            if tuned.main_tree().get(path) == text and len(text.strip().splitlines()) > 5
        }
        assert not shared, f"{held.name}: held-out base copies {sorted(shared)}"


def _case_file(tmp_path: Path, case: str, base: str = '"a.txt" = "one\\ntwo\\n"') -> Path:
    folder = tmp_path / "cases"
    folder.mkdir(exist_ok=True)
    text = f'stack = "demo"\n[base]\n{base}\n\n[[case]]\n{case}\n'
    (folder / "demo.toml").write_text(text, encoding="utf-8")
    return folder


_HEAD = 'id = "demo-x"\nlabels = []\nrationale = "r"\n'


@pytest.mark.parametrize(
    ("case", "problem"),
    [
        (
            'id = "demo-x"\nlabels = ["scheme"]\nrationale = "r"\n[case.write]\n"b" = "x"',
            "unknown label 'scheme'",
        ),
        (
            'id = "demo-x"\nlabels = []\nrationale = " "\n[case.write]\n"b" = "x"',
            "rationale is empty",
        ),
        ('id = "other-x"\nlabels = []\nrationale = "r"\n[case.write]\n"b" = "x"', "after 'demo-'"),
        (_HEAD + 'label = []\n[case.write]\n"b" = "x"', "unknown key 'label'"),
        (_HEAD + '[[case.edit]]\npath = "a.txt"\nold = "three"\nnew = "x"', "occurs 0 times"),
        (_HEAD + '[[case.edit]]\npath = "a.txt"\nold = "o"\nnew = "x"', "occurs 2 times"),
        (_HEAD + 'delete = ["b.txt"]', "cannot delete b.txt"),
        (_HEAD + '[case.rename]\n"b.txt" = "c.txt"', "cannot rename b.txt"),
        (_HEAD + '[case.write]\n"a.txt" = "one\\ntwo\\n"', "changes nothing"),
        (_HEAD + '[case.write]\n"../b" = "x"', "unsupported path"),
        (_HEAD + '[case.write]\n"a b" = "x"', "unsupported path"),
    ],
)
def test_a_bad_case_is_refused_with_its_file_and_id(
    tmp_path: Path, case: str, problem: str
) -> None:
    quality = _quality()
    folder = _case_file(tmp_path, case)
    with pytest.raises(quality.CaseFileError, match=re.escape(problem)) as raised:
        quality.load_stacks(folder)
    assert str(raised.value).startswith("demo.toml")


def test_a_case_id_used_in_two_files_is_refused(tmp_path: Path) -> None:
    quality = _quality()
    folder = tmp_path / "cases"
    folder.mkdir()
    for stack in ("one", "two"):
        (folder / f"{stack}.toml").write_text(
            f'stack = "{stack}"\n[[case]]\nid = "{stack}-x"\nlabels = []\nrationale = "r"\n'
            '[case.write]\n"b" = "x"\n',
            encoding="utf-8",
        )
    assert [stack.name for stack in quality.load_stacks(folder)] == ["one", "two"]
    (folder / "two.toml").write_text(
        'stack = "two"\n[[case]]\nid = "two-x"\nlabels = []\nrationale = "r"\n[case.write]\n"b" = "x"\n'
        '[[case]]\nid = "two-x"\nlabels = []\nrationale = "r"\n[case.write]\n"c" = "x"\n',
        encoding="utf-8",
    )
    with pytest.raises(quality.CaseFileError, match="used twice"):
        quality.load_stacks(folder)


# ---------------------------------------------------------------- repositories


@pytest.mark.slow
@pytest.mark.parametrize(
    ("folder", "kinds"),
    [("CASES_DIR", {"A", "M", "D", "R"}), ("HOLDOUT_DIR", {"A", "M", "D"})],
)
def test_every_case_branch_holds_exactly_the_intended_diff(
    tmp_path: Path, folder: str, kinds: set[str]
) -> None:
    quality = _quality()
    statuses: set[str] = set()
    for stack in quality.load_stacks(getattr(quality, folder)):
        repo = tmp_path / stack.name
        quality.build_repo(stack, repo)
        main = stack.main_tree()
        assert _git(repo, "status", "--porcelain") == ""
        for case in stack.cases:
            got = quality.name_status(repo, "main", case.branch)
            assert got == quality.expected_name_status(main, case), case.id
            statuses |= {entry[0] for entry in got}
            assert "signoff.toml" not in {path for entry in got for path in entry[1:]}
    assert statuses == kinds


def test_a_case_branch_carries_the_case_contents(tmp_path: Path) -> None:
    quality = _quality()
    stack = quality.load_stacks(quality.CASES_DIR, ["django"])[0]
    case = next(case for case in stack.cases if case.id == "django-patch-bump")
    quality.build_repo(stack, tmp_path / "repo")
    after = _git(tmp_path / "repo", "show", f"{case.branch}:requirements.txt")
    assert "Django==4.2.11\n" in after
    assert "Django==4.2.10" not in after
    assert _git(tmp_path / "repo", "show", "main:requirements.txt").startswith("Django==4.2.10\n")


def test_the_speed_change_has_the_asked_size_and_the_risky_files(tmp_path: Path) -> None:
    gate = _gate()
    repo = tmp_path / "slice"
    change = gate.build_change_repo(repo, 40, 12)
    assert (change.files, change.lines, change.quarter_files) == (40, 12, 10)
    numstat = _git(repo, "diff", "--numstat", "main", "head")
    assert gate.numstat_totals(numstat) == (40, 480)
    quarter = _git(repo, "diff", "--numstat", "main", "head-quarter")
    assert gate.numstat_totals(quarter) == (10, 120)
    one = _git(repo, "diff", "--name-only", "main", "head-one").split()
    assert len(one) == 1
    assert one[0] not in change.risky
    added = set(_git(repo, "diff", "--name-only", "main", "head-quarter").split())
    assert set(change.risky) <= added
    assert {"A"} == {
        line.split("\t")[0]
        for line in _git(repo, "diff", "--name-status", "main", "head").splitlines()
    }
    assert all(len(_git(repo, "show", f"head:{path}").splitlines()) == 12 for path in change.risky)
    nested = [path for path in added if path.count("/") >= 4]
    assert len(nested) >= 4


def test_the_bench_slice_is_valid_for_signoff(tmp_path: Path) -> None:
    gate = _gate()
    repo = tmp_path / "slice"
    gate.build_change_repo(repo, 12, 10)
    standards = parse_standards((repo / "signoff.toml").read_text(encoding="utf-8"))
    assert all(definition.kind != "command" for definition in standards.gates.values())
    assert standards.minimum_gates("irreversible") == ("agent-review",)
    done = subprocess.run(
        [*gate.cli_prefix(), "spec", "check", gate.SPEC_ID],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# ---------------------------------------------------------------- reading verdicts


def _document(verdict: str, files: object = 3, gates: list[dict[str, str]] | None = None) -> str:
    return json.dumps(
        {
            "version": 1,
            "verdict": verdict,
            "diff": {"base": "main", "head": "x", "sha256": "0" * 64, "files": files},
            "risk": {
                "declared": {"level": "reversible", "categories": []},
                "detected": [
                    {
                        "category": "schema",
                        "evidence": [{"path": "m.py", "line": 1, "rule": "r", "text": "t"}],
                    }
                ],
                "level": "irreversible",
                "mismatch": None,
            },
            "gates": gates or [],
        }
    )


def test_read_verdict_takes_categories_and_counts_files() -> None:
    gate = _gate()
    verdict = gate.read_verdict(3, _document("pending"), "", "case")
    assert (verdict.verdict, verdict.files, set(verdict.detected)) == ("pending", 3, {"schema"})
    assert gate.read_verdict(3, _document("pending", files=["a", "b"]), "", "case").files == 2


def test_read_verdict_refuses_blocked_mismatched_and_missing_documents() -> None:
    gate = _gate()
    blocked = _document(
        "blocked", gates=[{"name": "diff", "status": "blocked", "detail": "no base"}]
    )
    with pytest.raises(_bench_error(), match="blocked \\(diff: no base\\)"):
        gate.read_verdict(2, blocked, "", "case")
    reasons = json.dumps({"verdict": "blocked", "reasons": ["bad revision"], "diff": None})
    with pytest.raises(_bench_error(), match=r"blocked \(bad revision\)"):
        gate.read_verdict(2, reasons, "", "case")
    with pytest.raises(_bench_error(), match="exit code 0"):
        gate.read_verdict(0, _document("pending"), "", "case")
    with pytest.raises(_bench_error(), match=r"lacks diff\.files"):
        gate.read_verdict(0, json.dumps({"verdict": "pass", "diff": None}), "", "case")
    with pytest.raises(_bench_error(), match=r"no verdict document.*No such command"):
        gate.read_verdict(2, "", "Error: No such command 'gate'.", "case")


def test_the_report_lists_misses_and_false_alarms_with_evidence() -> None:
    quality = _quality()
    cases = [
        quality.Case(
            id="x-one", stack="x", labels=frozenset({"schema"}), rationale="adds a migration"
        ),
        quality.Case(
            id="x-two",
            stack="x",
            labels=frozenset(),
            rationale="docs",
            ambiguous="docs quote a manifest",
        ),
    ]
    evidence = {
        "deploy": [
            {"path": "docs/run.md", "line": 7, "rule": "deploy.k8s", "text": "kind: Deployment"}
        ]
    }
    detections = [
        quality.Detection(cases[0], verdict="pass", seconds=0.2),
        quality.Detection(cases[1], frozenset({"deploy"}), evidence, "pending", 0.3),
    ]
    stack = quality.Stack("x", "", {}, tuple(cases))
    scores = quality.score(
        {c.id: c.labels for c in cases}, {d.case.id: d.detected for d in detections}
    )
    measured = quality.Measured("cmd", [stack], detections, scores, [])
    text = quality.render(measured)
    assert "- `x-one`: schema. adds a migration\n" in text
    assert (
        "- `x-two`: deploy from `docs/run.md:7` (deploy.k8s). Labelled none: docs "
        "(Ambiguous: docs quote a manifest)\n"
    ) in text
    assert "No-risk specificity: 0 of 1" in text
    assert "| **micro-average** | 1 | 0 | 1 | 1 | 0.00 | 0.00 | 0.00 |" in text
    assert measured.passed


def test_the_held_out_section_says_so_and_names_its_folder() -> None:
    quality = _quality()
    case = quality.Case(id="x-one", stack="x", labels=frozenset({"copy"}), rationale="wording")
    detections = [quality.Detection(case, frozenset({"copy"}), verdict="pending", seconds=0.1)]
    scores = quality.score({case.id: case.labels}, {case.id: frozenset({"copy"})})

    def measured(section: str, folder: Path) -> object:
        return quality.Measured(
            "cmd",
            [quality.Stack("x", "", {}, (case,))],
            detections,
            scores,
            [],
            section=quality.SECTIONS[section],
            cases_dir=folder,
        )

    held_out = measured("risk-holdout", quality.HOLDOUT_DIR)
    text = quality.render(held_out)
    assert text.startswith("## Risk detection, held-out set: 1 labelled changes from 1 stack\n")
    assert "The held-out set is `bench/risk_holdout/` (x):" in text
    assert "never used to change them" in text
    assert quality.summarise(held_out)[0].startswith("risk-holdout: 1 changes: micro precision")
    in_sample = measured("risk-quality", quality.CASES_DIR)
    text = quality.render(in_sample)
    assert text.startswith("## Risk detection: 1 labelled changes from 1 stack\n")
    assert "The labelled set is `bench/risk_cases/` (x):" in text
    assert "in-sample" in text
    assert quality.summarise(in_sample)[0].startswith("risk-quality: 1 changes")
    # Another folder under either marker is not described as that marker's set.
    elsewhere = quality.render(measured("risk-holdout", Path("/somewhere/else")))
    assert "The held-out set is `/somewhere/else/` (x):" in elsewhere
    assert "never used to change them" not in elsewhere


def test_each_section_reads_its_own_folder_and_an_unknown_one_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    quality = _quality()
    sections = quality.SECTIONS
    assert quality.pick_section(None, None) == (sections["risk-quality"], quality.CASES_DIR)
    assert quality.pick_section("risk-holdout", None) == (
        sections["risk-holdout"],
        quality.HOLDOUT_DIR,
    )
    # Without --section the folder decides, however it is spelled.
    spelled = quality.HOLDOUT_DIR / ".." / "risk_holdout"
    assert quality.pick_section(None, spelled) == (sections["risk-holdout"], spelled)
    assert quality.pick_section(None, tmp_path) == (sections["risk-quality"], tmp_path)
    assert quality.pick_section("risk-holdout", tmp_path) == (sections["risk-holdout"], tmp_path)
    with pytest.raises(SystemExit) as raised:
        quality.main(["--section", "risk-elsewhere"])
    assert raised.value.code == 2
    assert "invalid choice: 'risk-elsewhere'" in capsys.readouterr().err
    outcome = quality.run(["--section", "risk-holdout", "--jobs", "0"])
    assert (outcome.name, outcome.exit_code) == ("risk-holdout", 2)


# ---------------------------------------------------------------- small runs against the CLI

_TINY_CASES = """\
stack = "tiny"
description = "A tiny Django project"

[base]
"shop/settings.py" = '''
DEBUG = False
'''
"orders/models.py" = '''
from django.db import models


class Order(models.Model):
    total = models.IntegerField()
'''
"orders/migrations/0001_initial.py" = '''
from django.db import migrations
'''
"README.md" = '''
# Shop
'''

[[case]]
id = "tiny-migration"
labels = ["schema"]
rationale = "Adds a Django migration."
[case.write]
"orders/migrations/0002_order_note.py" = '''
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]
    operations = [migrations.AddField("order", "note", models.TextField(default=""))]
'''

[[case]]
id = "tiny-readme"
labels = []
rationale = "Docs only."
[[case.edit]]
path = "README.md"
old = '''# Shop
'''
new = '''# Shop

Run `python manage.py runserver`.
'''

[[case]]
id = "tiny-dockerfile"
labels = ["deploy"]
rationale = "Adds the production image."
[case.write]
"Dockerfile" = '''
FROM python:3.12-slim
COPY . /app
CMD ["gunicorn", "shop.wsgi"]
'''
"""


def _section(text: str, name: str) -> str:
    start = text.index(f"<!-- bench:{name}:start -->")
    return text[start : text.index(f"<!-- bench:{name}:end -->")]


@pytest.mark.slow
def test_a_small_risk_quality_run_writes_its_section(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "tiny.toml").write_text(_TINY_CASES, encoding="utf-8")
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nHand-written prose.\n", encoding="utf-8")
    command = [
        sys.executable,
        str(BENCH / "risk_quality.py"),
        "--cases",
        str(cases),
        "--write",
        str(doc),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Performance\n\nHand-written prose.\n")
    section = _section(text, "risk-quality")
    assert "## Risk detection: 3 labelled changes from 1 stack\n" in section
    for category in CATEGORIES:
        assert f"\n| {category} | " in section
    micro = re.search(r"\| \*\*micro-average\*\* \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|", section)
    assert micro is not None
    labelled, tp, _fp, fn = map(int, micro.groups())
    assert labelled == 2
    assert tp + fn == 2
    assert re.search(r"No-risk specificity: [01] of 1 ", section)
    assert "No verdict" not in section
    assert "risk-quality: 3 changes: micro precision" in done.stdout


@pytest.mark.slow
def test_the_held_out_run_writes_its_own_section_beside_the_in_sample_one(tmp_path: Path) -> None:
    quality = _quality()
    stack = "kubernetes"
    held_out = quality.load_stacks(quality.HOLDOUT_DIR, [stack])[0]
    doc = tmp_path / "performance.md"
    in_sample = (
        "<!-- bench:risk-quality:start -->\nIn-sample figures.\n<!-- bench:risk-quality:end -->\n"
    )
    doc.write_text(f"# Performance\n\n{in_sample}", encoding="utf-8")
    command = [
        sys.executable,
        str(BENCH / "risk_quality.py"),
        "--section",
        "risk-holdout",
        "--stack",
        stack,
        "--write",
        str(doc),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    text = doc.read_text(encoding="utf-8")
    assert text.startswith(f"# Performance\n\n{in_sample}")
    section = _section(text, "risk-holdout")
    count = len(held_out.cases)
    assert f"## Risk detection, held-out set: {count} labelled changes from 1 stack\n" in section
    assert f"The held-out set is `bench/risk_holdout/` ({stack}):" in section
    assert "No verdict" not in section
    assert f"risk-holdout: {count} changes: micro precision" in done.stdout
    assert "wrote the 'risk-holdout' section" in done.stdout


@pytest.mark.slow
def test_a_small_gate_speed_run_writes_its_section(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    command = [
        sys.executable,
        str(BENCH / "gate.py"),
        "--files",
        "24",
        "--lines",
        "10",
        "--runs",
        "1",
        "--warmups",
        "0",
        "--write",
        str(doc),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    # At 24 files the interpreter's start-up dominates, so the 3x goal may be missed (exit 1);
    # exit 2 would mean the benchmark could not measure at all.
    assert done.returncode in (0, 1), done.stdout + done.stderr
    section = _section(doc.read_text(encoding="utf-8"), "gate")
    assert "## Gate: 24 files / 240 added lines" in section
    assert "| `git diff --numstat main head` | 24 / 240 |" in section
    assert "| `git diff --numstat main head-quarter` | 6 / 60 |" in section
    assert (
        section.count("gate --base main --head head --spec SO-1 --format json` | 24 / 240 |") == 1
    )
    assert section.count("--head head-quarter --spec SO-1 --format json` | 6 / 60 |") == 1
    assert section.count("--head head-one --spec SO-1 --format json` | 1 / 10 |") == 1
    assert "Where the time goes: the gate on the one-file change takes" in section
    assert "memory flat in the size of the diff" in section
    assert "gate: peak RSS" in done.stdout
