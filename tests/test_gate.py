"""`signoff gate`, `approve`, `revoke` and `review record` end to end, on real git repositories."""

from __future__ import annotations

import io
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from typing import TYPE_CHECKING, Any

import pytest

from signoff.cli.app import main
from tests.conftest import Result
from tests.gate_repo import (
    AGENT,
    LEAD,
    Repo,
    make_repo,
    spec_text,
    standards_text,
    verdict_json,
)

if TYPE_CHECKING:
    from pathlib import Path

MIGRATION = {
    "db/migrate/20261121090000_add_tax_region.rb": (
        "class AddTaxRegion < ActiveRecord::Migration[7.1]\n"
        "  def change\n    add_column :orders, :tax_region, :string\n  end\nend\n"
    )
}
PLAIN = {"src/checkout/totals.py": "def total(cents: int) -> int:\n    return cents + 0\n"}


def signoff(
    root: Path, *args: str, monkeypatch: pytest.MonkeyPatch | None = None, actor: str | None = None
) -> Result:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SIGNOFF_DATABASE_URL", raising=False)
        for variable in (
            "GITHUB_HEAD_REF",
            "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
            "CI_COMMIT_REF_NAME",
        ):
            patch.delenv(variable, raising=False)
        if actor is None:
            patch.delenv("SIGNOFF_ACTOR", raising=False)
        else:
            patch.setenv("SIGNOFF_ACTOR", actor)
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main(["-C", str(root), *args])
            except SystemExit as exit_:
                code = int(exit_.code or 0)
    return Result(code, out.getvalue(), err.getvalue())


def gate(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = signoff(root, "gate", "--format", "json", *args)
    return result.exit_code, verdict_json(result)


def statuses(document: dict[str, Any]) -> dict[str, str]:
    gates = document["gates"]
    assert isinstance(gates, list)
    return {gate["name"]: gate["status"] for gate in gates}


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return make_repo(tmp_path / "shop")


# ---------------------------------------------------------------- pass, escalate, approve, void


def test_a_plain_reversible_change_passes(repo: Repo) -> None:
    repo.branch("so-1-tax-line")
    repo.commit(PLAIN)
    code, document = gate(repo.root)
    assert (code, document["verdict"]) == (0, "pass")
    assert document["spec"] == "SO-1"
    risk = document["risk"]
    assert isinstance(risk, dict)
    assert risk["level"] == "reversible"
    assert risk["detected"] == []
    assert risk["mismatch"] == []
    assert statuses(document) == {"tests": "pass", "agent-review": "skipped"}
    diff = document["diff"]
    assert isinstance(diff, dict)
    assert diff["files"] == 1
    assert diff["head"] == repo.git("rev-parse", "HEAD").strip()
    assert diff["base"] == repo.git("rev-parse", "main").strip()


def test_a_migration_escalates_a_reversible_spec_and_waits_for_approval(repo: Repo) -> None:
    repo.branch("so-1-tax-region")
    repo.commit({**PLAIN, **MIGRATION})
    code, document = gate(repo.root)
    assert (code, document["verdict"]) == (3, "pending")
    risk = document["risk"]
    assert isinstance(risk, dict)
    assert risk["declared"] == {"level": "reversible", "categories": []}
    assert risk["level"] == "irreversible"
    assert [d["category"] for d in risk["detected"]] == ["schema"]
    evidence = risk["detected"][0]["evidence"][0]
    assert evidence["path"] == "db/migrate/20261121090000_add_tax_region.rb"
    (mismatch,) = risk["mismatch"]
    assert mismatch["category"] == "schema"
    assert "SO-1 is declared reversible" in mismatch["message"]
    assert "db/migrate/20261121090000_add_tax_region.rb" in mismatch["message"]
    assert statuses(document) == {
        "tests": "pass",
        "agent-review": "pending",  # irreversible: always reviewed
        "human-approval": "pending",
    }


def test_approval_binds_to_the_diff_and_a_new_commit_voids_it(repo: Repo) -> None:
    repo.branch("so-1-tax-region")
    repo.commit(MIGRATION)
    assert signoff(repo.root, "review", "record", "--outcome", "pass").exit_code == 0
    approved = signoff(repo.root, "approve", "--comment", "lock time checked")
    assert approved.exit_code == 0, approved.stderr
    assert f"{LEAD} approved diff" in approved.stdout
    code, document = gate(repo.root)
    assert (code, document["verdict"]) == (0, "pass")
    approvals = document["approvals"]
    assert isinstance(approvals, list)
    assert [(a["approver"], a["state"]) for a in approvals] == [(LEAD, "counted")]

    repo.commit({"src/checkout/totals.py": "def total(cents: int) -> int:\n    return cents * 1\n"})
    code, document = gate(repo.root)
    assert (code, document["verdict"]) == (3, "pending")
    assert statuses(document)["human-approval"] == "pending"
    assert statuses(document)["agent-review"] == "pending"  # the review named the old diff too
    approvals = document["approvals"]
    assert isinstance(approvals, list)
    assert [a["state"] for a in approvals] == ["void"]
    detail = next(g["detail"] for g in document["gates"] if g["name"] == "human-approval")
    assert "void" in detail
    assert "the change is now" in detail


def test_approving_twice_records_once_and_revoking_withdraws(repo: Repo) -> None:
    repo.branch("so-1-tax-region")
    repo.commit(MIGRATION)
    signoff(repo.root, "review", "record", "--outcome", "pass")
    first = signoff(repo.root, "approve", "--format", "json")
    again = signoff(repo.root, "approve", "--format", "json")
    assert '"created": true' in first.stdout
    assert '"created": false' in again.stdout
    assert gate(repo.root)[0] == 0
    revoked = signoff(repo.root, "revoke", "--reason", "rollback plan missing")
    assert revoked.exit_code == 0, revoked.stderr
    code, document = gate(repo.root)
    assert code == 3
    approvals = document["approvals"]
    assert isinstance(approvals, list)
    assert [a["state"] for a in approvals] == ["revoked"]
    nothing = signoff(repo.root, "revoke")
    assert nothing.exit_code == 1
    assert "no approval" in nothing.stderr


def test_the_author_and_outsiders_may_not_approve(repo: Repo) -> None:
    repo.branch("so-1-tax-region")
    repo.commit(MIGRATION, author=LEAD)
    own = signoff(repo.root, "approve")
    assert own.exit_code == 1
    assert "wrote this change" in own.stderr
    outsider = signoff(repo.root, "approve", actor="intern@example.com")
    assert outsider.exit_code == 1
    assert "no approver group" in outsider.stderr
    assert signoff(repo.root, "approve", actor="second@example.com").exit_code == 0


def test_a_staged_approval_counts_for_the_same_change_committed(repo: Repo) -> None:
    repo.branch("so-1-tax-region")
    repo.write(MIGRATION)
    repo.git("add", "-A")
    staged_code, staged = gate(repo.root, "--staged")
    assert staged_code == 3
    signoff(
        repo.root, "review", "record", "--staged", "--outcome", "pass", actor="second@example.com"
    )
    assert signoff(repo.root, "approve", "--staged", actor="second@example.com").exit_code == 0
    repo.git("commit", "-q", "--no-gpg-sign", "-m", "migration", author=AGENT)
    code, document = gate(repo.root)
    assert document["diff"]["sha256"] == staged["diff"]["sha256"]
    assert (code, document["verdict"]) == (0, "pass")


# ---------------------------------------------------------------- finding the spec


def test_the_spec_comes_from_flag_then_trailer_then_branch(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "shop",
        specs={"SO-1": spec_text("SO-1"), "SO-2": spec_text("SO-2"), "SO-3": spec_text("SO-3")},
    )
    repo.branch("so-3-something")
    repo.commit(PLAIN, "Tax line\n\nSpec: SO-2\n")
    assert gate(repo.root)[1]["spec"] == "SO-2"
    assert gate(repo.root, "--spec", "SO-1")[1]["spec"] == "SO-1"
    repo.git("checkout", "-q", "-b", "so-3-other", "main")
    repo.commit(PLAIN)
    code, document = gate(repo.root)
    assert (document["spec"], code) == ("SO-3", 0)


def test_no_spec_is_reported_and_blocks_only_under_require_spec(repo: Repo) -> None:
    repo.branch("tax-line")
    repo.commit(PLAIN)
    code, document = gate(repo.root)
    assert (code, document["spec"]) == (0, None)
    toml = (repo.root / "signoff.toml").read_text()
    repo.write({"signoff.toml": toml + "\n[gate]\nrequire_spec = true\n"})
    code, document = gate(repo.root)
    assert (code, document["verdict"]) == (2, "blocked")
    reasons = document["reasons"]
    assert isinstance(reasons, list)
    assert "no spec found" in reasons[0]


def test_a_spec_named_but_missing_blocks(repo: Repo) -> None:
    repo.branch("so-9-ghost")
    repo.commit(PLAIN)
    code, document = gate(repo.root)
    assert (code, document["verdict"]) == (2, "blocked")
    assert "SO-9" in str(document["reasons"])


# ---------------------------------------------------------------- command and traceability gates


def test_a_failing_command_fails_the_gate_and_its_result_is_recorded(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "shop", standards_text(command="echo broken; exit 4"))
    repo.branch("so-1-x")
    repo.commit(PLAIN)
    code, document = gate(repo.root)
    assert (code, document["verdict"]) == (1, "fail")
    tests = next(g for g in document["gates"] if g["name"] == "tests")
    assert "exited 4" in tests["detail"]
    assert tests["data"]["output"] == "broken\n"  # the output is kept with the verdict
    # --no-run reads the result recorded for this exact diff instead of running again.
    code, document = gate(repo.root, "--no-run")
    assert code == 1
    repo.commit({"README.md": "# Checkout, again\n"})
    code, document = gate(repo.root, "--no-run")
    assert (code, statuses(document)["tests"]) == (3, "pending")


JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="{count}">{cases}</testsuite></testsuites>
"""


def junit(path: Path, cases: list[tuple[str, bool]]) -> Path:
    rendered = "".join(
        f'<testcase classname="tests.test_tax" name="{name}">'
        + ("" if passed else '<failure message="boom">boom</failure>')
        + "</testcase>"
        for name, passed in cases
    )
    path.write_text(JUNIT.format(count=len(cases), cases=rendered), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("cases", "expected"),
    [
        ([("test_ac_1_total", True), ("test_ac_2_tax_line", True)], "pass"),
        ([("test_ac_1_total", True), ("test_helper", True)], "fail"),
        ([("test_ac_1_total", True), ("test_ac_2_tax_line", False)], "fail"),
        ([("test_ac_1_total", True), ("test_ac_10_other", True)], "fail"),
    ],
)
def test_traceability_needs_every_criterion_named_by_a_passing_test(
    tmp_path: Path, cases: list[tuple[str, bool]], expected: str
) -> None:
    repo = make_repo(tmp_path / "shop", standards_text(reversible=("tests", "traceability")))
    repo.branch("so-1-x")
    repo.commit(PLAIN)
    report = junit(tmp_path / "junit.xml", cases)
    _code, document = gate(repo.root, "--junit", str(report))
    assert statuses(document)["traceability"] == expected
    assert document["verdict"] == expected
    if expected == "fail" and all(passed for _, passed in cases):
        trace = next(g for g in document["gates"] if g["name"] == "traceability")
        assert "AC-2" in trace["detail"]


# ---------------------------------------------------------------- faults fail closed


def _blocked(code: int, document: dict[str, Any], *words: str) -> None:
    assert (code, document["verdict"]) == (2, "blocked"), document
    reasons = " ".join(str(reason) for reason in document["reasons"])
    for word in words:
        assert word in reasons


def test_outside_a_git_repository_the_verdict_is_blocked(tmp_path: Path) -> None:
    (tmp_path / "signoff.toml").write_text(standards_text(), encoding="utf-8")
    _blocked(*gate(tmp_path), "not inside a git repository")


def test_a_bad_revision_is_blocked(repo: Repo) -> None:
    _blocked(*gate(repo.root, "--base", "no-such-branch"), "no-such-branch")


def test_a_shallow_clone_missing_the_base_is_blocked(repo: Repo, tmp_path: Path) -> None:
    repo.branch("so-1-x")
    repo.commit(PLAIN)
    repo.commit({"README.md": "# more\n"})
    clone = tmp_path / "clone"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            "so-1-x",
            f"file://{repo.root}",
            str(clone),
        ],
        check=True,
    )
    base = repo.git("rev-parse", "main").strip()
    _blocked(*gate(clone, "--base", base), "shallow")


def test_a_corrupt_junit_report_is_blocked(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "shop", standards_text(reversible=("traceability",)))
    repo.branch("so-1-x")
    repo.commit(PLAIN)
    report = tmp_path / "junit.xml"
    report.write_text("<testsuite><testcase name='test_ac_1'", encoding="utf-8")
    _blocked(*gate(repo.root, "--junit", str(report)), "junit.xml")
    _blocked(*gate(repo.root), "no JUnit report")


def test_a_policy_naming_an_unknown_gate_is_blocked(tmp_path: Path) -> None:
    broken = standards_text(reversible=("tests", "nightly"))
    repo = make_repo(tmp_path / "shop", broken)
    repo.branch("so-1-x")
    repo.commit(PLAIN)
    _blocked(*gate(repo.root), "signoff.toml", "nightly")


def test_a_spec_naming_an_unknown_gate_is_blocked(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "shop", specs={"SO-1": spec_text("SO-1", gates=("tests", "nightly"))}
    )
    repo.branch("so-1-x")
    repo.commit(PLAIN)
    code, document = gate(repo.root)
    _blocked(code, document, "nightly")


def test_an_unreachable_ledger_is_blocked(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.branch("so-1-x")
    repo.commit(PLAIN)
    out = io.StringIO()
    monkeypatch.setenv("SIGNOFF_DATABASE_URL", "postgresql+psycopg://u:secret@127.0.0.1:9/none")
    code = 0
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        try:
            main(["-C", str(repo.root), "gate", "--format", "json"])
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    document = verdict_json(Result(code, out.getvalue(), ""))
    _blocked(code, document, "ledger")
    assert "secret" not in out.getvalue()


def test_without_git_on_the_path_the_verdict_is_blocked(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.branch("so-1-x")
    repo.commit(PLAIN)
    monkeypatch.setenv("PATH", "/nonexistent")
    _blocked(*gate(repo.root), "git")


def test_an_internal_error_is_blocked_not_passed(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signoff.service.gate as service

    def explode(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("boom")

    repo.branch("so-1-x")
    repo.commit(PLAIN)
    monkeypatch.setattr(service, "reconcile", explode)
    _blocked(*gate(repo.root), "internal error", "ZeroDivisionError")


# ---------------------------------------------------------------- outputs and the ledger


@pytest.mark.parametrize(
    ("output", "marker"),
    [("text", "PENDING"), ("markdown", "PENDING"), ("junit", "<testsuite"), ("sarif", '"2.1.0"')],
)
def test_every_output_format_carries_the_verdict_and_its_exit_code(
    repo: Repo, output: str, marker: str
) -> None:
    repo.branch("so-1-tax-region")
    repo.commit(MIGRATION)
    result = signoff(repo.root, "gate", "--format", output)
    assert result.exit_code == 3
    assert marker in result.stdout


def test_each_verdict_is_chained_in_the_ledger(repo: Repo) -> None:
    repo.branch("so-1-x")
    repo.commit(PLAIN)
    _, first = gate(repo.root)
    _, second = gate(repo.root)
    head = second["ledger"]["chain_head"]
    assert head
    assert head != first["ledger"]["chain_head"]
    verified = signoff(repo.root, "ledger", "verify", "--expect-head", str(head))
    assert verified.exit_code == 0, verified.stdout + verified.stderr


def test_the_gate_moves_the_spec_through_review_to_approved_and_back(repo: Repo) -> None:
    assert signoff(repo.root, "sync").exit_code == 0  # the ledger learns SO-1 is in-progress
    repo.branch("so-1-tax-region")
    repo.commit(MIGRATION)
    code, document = gate(repo.root)
    assert code == 3
    assert document["stage"] == [{"spec": "SO-1", "from": "in-progress", "to": "in-review"}]
    signoff(repo.root, "review", "record", "--outcome", "pass")
    signoff(repo.root, "approve")
    code, document = gate(repo.root)
    assert code == 0
    assert document["stage"] == [{"spec": "SO-1", "from": "in-review", "to": "approved"}]
    code, document = gate(repo.root)
    assert document["stage"] == []  # already approved: nothing to record
    repo.commit({"README.md": "# one more\n"})
    code, document = gate(repo.root)
    assert code == 3
    assert document["stage"] == [{"spec": "SO-1", "from": "approved", "to": "in-review"}]
    history = signoff(repo.root, "spec", "history", "SO-1")
    assert "moved in-review -> approved" in history.stdout
    assert "gate verdict pass on diff" in history.stdout


# ---------------------------------------------------------------- each category, in a real diff

BASE_MANIFEST = '{\n  "name": "shop",\n  "dependencies": {\n    "express": "^4.18.0"\n  }\n}\n'


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (MIGRATION, ["schema"]),
        ({"Dockerfile": 'FROM python:3.12-slim\nCMD ["gunicorn", "shop.wsgi"]\n'}, ["deploy"]),
        (
            {"infra/main.tf": 'resource "aws_s3_bucket" "assets" {\n  bucket = "shop-assets"\n}\n'},
            ["deploy"],
        ),
        (
            {"app/auth/session.py": "SESSION_COOKIE_SECURE = False\n"},
            ["security"],
        ),
        ({"config/locales/en.yml": "en:\n  checkout:\n    pay: Pay now\n"}, ["copy"]),
        (
            {
                "package.json": BASE_MANIFEST.replace(
                    '"express": "^4.18.0"\n', '"express": "^4.18.0",\n    "stripe": "^14.0.0"\n'
                )
            },
            ["vendor"],
        ),
        ({"package.json": BASE_MANIFEST.replace("^4.18.0", "^4.19.2")}, []),  # a bump only
        (
            {"docs/adr/0007-event-sourcing.md": "# 7. Event sourcing\n\nAccepted.\n"},
            ["architecture"],
        ),
        ({"tests/fixtures/locales/en.yml": "en:\n  pay: Pay now\n"}, []),  # tests are not copy
        ({"docs/howto.md": "Run `CREATE TABLE x (id int);` by hand.\n"}, []),  # docs are not schema
    ],
    ids=[
        "migration",
        "dockerfile",
        "terraform",
        "auth-setting",
        "locale",
        "new-dependency",
        "version-bump",
        "decision-record",
        "test-fixture",
        "docs",
    ],
)
def test_each_category_is_detected_in_a_real_diff(
    tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    repo = make_repo(tmp_path / "shop")
    repo.commit(
        {
            "package.json": BASE_MANIFEST,
            "docs/adr/0001-monolith.md": "# 1. Monolith\n",
            "app/auth/__init__.py": "",
            "infra/versions.tf": 'terraform {\n  required_version = ">= 1.6"\n}\n',
            "config/locales/fr.yml": "fr:\n  checkout:\n    pay: Payer\n",
        },
        "stack",
        author=LEAD,
    )
    repo.branch("so-1-change")
    repo.commit(files)
    _, document = gate(repo.root)
    detected = [detection["category"] for detection in document["risk"]["detected"]]
    assert detected == expected
    for detection in document["risk"]["detected"]:
        for evidence in detection["evidence"]:
            assert evidence["path"] in files
            assert evidence["rule"].startswith(f"{detection['category']}.")
    assert document["risk"]["level"] == ("irreversible" if expected else "reversible")


def test_a_sampled_reversible_change_waits_and_its_decision_replays(tmp_path: Path) -> None:
    from signoff.core.gates.sampling import sample_value

    repo = make_repo(tmp_path / "shop", standards_text(rate=1.0))
    repo.branch("so-1-x")
    repo.commit(PLAIN)
    code, document = gate(repo.root)
    assert (code, statuses(document)["agent-review"]) == (3, "pending")
    sampling = document["sampling"]
    assert sampling["sampled"] is True
    assert sampling["rate"] == 1.0
    assert sampling["seed"] == "checkout"
    assert sampling["value"] == sample_value("checkout", "SO-1", document["diff"]["sha256"])
    signoff(repo.root, "review", "record", "--outcome", "fail", "--summary", "no tests")
    code, document = gate(repo.root)
    assert (code, statuses(document)["agent-review"]) == (1, "fail")
