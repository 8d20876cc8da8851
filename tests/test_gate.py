"""`signoff gate`, `approve`, `revoke` and `review record` end to end, on real git repositories."""

from __future__ import annotations

import importlib
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


def test_a_co_author_of_the_change_may_not_approve_it(repo: Repo) -> None:
    # The agent's commit names the lead as co-author: the lead wrote part of this change, so
    # the lead's approval is refused, and a second lead's counts.
    repo.branch("so-1-tax-region")
    repo.commit(MIGRATION, "add the migration\n\nCo-authored-by: The Lead <LEAD@example.com>")
    refused = signoff(repo.root, "approve")
    assert refused.exit_code == 1
    assert "wrote this change" in refused.stderr
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
    import signoff.service.gate_judge as service

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
        # A change that relaxes the policy judging it is held for a person.
        ({"signoff.toml": standards_text(irreversible=("tests",))}, ["security"]),
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
        "gate-policy",
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


# ---------------------------------------------------------------- release review: fails closed


def _ledger_events(root: Path, kind: str) -> list[Any]:
    from signoff.service.ledger import open_workspace_ledger
    from signoff.service.workspace import open_workspace

    ledger = open_workspace_ledger(open_workspace(root, {}))
    try:
        return [event for event in ledger.events_of() if event.kind == kind]
    finally:
        ledger.close()


def _append_event(root: Path, kind: str, spec_id: str, actor: str, **payload: object) -> None:
    import uuid
    from datetime import UTC, datetime

    from signoff.core.events import NewEvent
    from signoff.service.ledger import open_workspace_ledger
    from signoff.service.workspace import open_workspace

    ledger = open_workspace_ledger(open_workspace(root, {}))
    try:
        ledger.append(
            NewEvent(
                kind=kind,
                spec_id=spec_id,
                actor=actor,
                occurred_at=datetime.now(UTC),
                idempotency_key=f"test:{uuid.uuid4()}",
                payload=payload,
            )
        )
    finally:
        ledger.close()


def test_an_empty_change_is_blocked_and_runs_no_command(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    repo = make_repo(tmp_path / "shop", standards_text(command=f"touch {marker}"))
    repo.branch("so-1-nothing-yet")
    code, document = gate(repo.root)
    _blocked(code, document, "empty")
    assert document["diff"]["files"] == 0
    assert not marker.exists()
    assert document["stage"] == []  # an empty change moves no spec toward approved


def test_no_run_reads_a_recorded_result_only_for_the_same_command(repo: Repo) -> None:
    repo.branch("so-1-x")
    repo.commit(PLAIN)
    assert gate(repo.root)[0] == 0  # `true` ran and passed for this diff
    # The working tree's signoff.toml now names another command; the diff is the same.
    repo.write({"signoff.toml": standards_text(command="exit 7")})
    code, document = gate(repo.root, "--no-run")
    assert (code, statuses(document)["tests"]) == (3, "pending")


@pytest.mark.parametrize("exit_code", [False, "0", 0.0, None])
def test_no_run_never_passes_on_an_exit_code_that_is_not_a_whole_number(
    repo: Repo, exit_code: object
) -> None:
    from signoff.core.events import COMMAND_RAN

    repo.branch("so-1-x")
    repo.commit(PLAIN)
    sha = gate(repo.root, "--no-run")[1]["diff"]["sha256"]
    _append_event(
        repo.root,
        COMMAND_RAN,
        "SO-1",
        LEAD,
        gate="tests",
        command="true",
        diff_sha256=sha,
        exit_code=exit_code,
        seconds=0.1,
        output="",
    )
    code, document = gate(repo.root, "--no-run")
    assert code != 0
    assert statuses(document)["tests"] == "fail"


def test_a_junit_report_with_no_test_case_is_blocked(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "shop", standards_text(reversible=("tests", "traceability")))
    repo.branch("so-1-x")
    repo.commit(PLAIN)
    report = tmp_path / "junit.xml"
    report.write_text('<?xml version="1.0"?><testsuites><testsuite name="none"/></testsuites>')
    code, document = gate(repo.root, "--junit", str(report))
    _blocked(code, document, "no test case")
    assert statuses(document)["traceability"] == "blocked"


def test_a_ledger_write_failing_after_the_commands_ran_is_blocked(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from signoff.adapters.store.ledger import Ledger
    from signoff.core.events import COMMAND_RAN

    repo.branch("so-1-x")
    repo.commit(PLAIN)
    original = Ledger.append

    def failing(self: Ledger, new: Any) -> Any:
        if new.kind == COMMAND_RAN:
            raise OSError("disk full")
        return original(self, new)

    monkeypatch.setattr(Ledger, "append", failing)
    _blocked(*gate(repo.root), "disk full")


def test_a_verdict_the_ledger_cannot_record_is_blocked(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from signoff.adapters.store.ledger import Ledger
    from signoff.adapters.store.lite import LiteLedger
    from signoff.core.events import GATE_VERDICT

    repo.branch("so-1-x")
    repo.commit(PLAIN)
    # Both ledgers: the first run creates the ledger through the full one, later runs append
    # through the standard-library one.
    for store in (Ledger, LiteLedger):
        original = store.append

        def failing(self: Any, new: Any, original: Any = original) -> Any:
            if new.kind == GATE_VERDICT:
                raise RuntimeError("database is locked")
            return original(self, new)

        monkeypatch.setattr(store, "append", failing)
    code, document = gate(repo.root)
    _blocked(code, document, "could not be recorded", "database is locked")
    assert document["ledger"]["chain_head"] is None
    code, document = gate(repo.root)  # again, with the ledger now made
    _blocked(code, document, "could not be recorded", "database is locked")
    assert document["ledger"]["chain_head"] is None


@pytest.mark.parametrize(
    ("module", "target", "error"),
    [
        ("gate", "open_workspace", PermissionError("signoff.toml: permission denied")),
        ("gate_judge", "open_event_log", RuntimeError("driver exploded")),
        ("gate_judge", "current_actor", UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad")),
    ],
)
def test_an_unexpected_error_anywhere_is_a_blocked_verdict_in_the_format_asked(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, module: str, target: str, error: Exception
) -> None:
    service = importlib.import_module(f"signoff.service.{module}")

    def explode(*_args: object, **_kwargs: object) -> None:
        raise error

    repo.branch("so-1-x")
    repo.commit(PLAIN)
    monkeypatch.setattr(service, target, explode)
    code, document = gate(repo.root)  # JSON on stdout, not a traceback or a bare error line
    _blocked(code, document, type(error).__name__)


def test_a_spec_whose_front_matter_cannot_be_read_blocks_rather_than_losing_its_gates(
    tmp_path: Path,
) -> None:
    broken = spec_text("SO-1", gates=("tests", "human-approval")).replace(
        "gates: [tests, human-approval]", "gates: [tests, human-approval"
    )
    repo = make_repo(tmp_path / "shop", specs={"SO-1": broken})
    repo.branch("so-1-x")
    repo.commit(PLAIN)
    _blocked(*gate(repo.root), "SO-1", "front matter")


@pytest.mark.parametrize(("declared", "blocks"), [("irreversable", True), ("Irreversible", False)])
def test_a_risk_level_the_gate_does_not_know_blocks_rather_than_reading_as_reversible(
    tmp_path: Path, declared: str, *, blocks: bool
) -> None:
    repo = make_repo(tmp_path / "shop", specs={"SO-1": spec_text("SO-1", risk=declared)})
    repo.branch("so-1-x")
    repo.commit(PLAIN)
    code, document = gate(repo.root)
    if blocks:
        _blocked(code, document, "irreversable", "reversible or irreversible")
    else:  # the intent is plain: read without case
        assert document["risk"]["declared"]["level"] == "irreversible"
        assert (code, statuses(document)["human-approval"]) == (3, "pending")


def test_spec_takes_a_spec_id(repo: Repo) -> None:
    repo.branch("so-1-x")
    repo.commit(PLAIN)
    _blocked(*gate(repo.root, "--spec", "specs"), "--spec", "SO-12")
    assert gate(repo.root, "--spec", " so-1 ")[1]["spec"] == "SO-1"


def test_approvals_recorded_under_a_spec_do_not_count_for_a_change_gated_without_one(
    repo: Repo,
) -> None:
    repo.branch("tax-region")  # no SO-n in the branch, no trailer
    repo.commit(MIGRATION)
    signoff(repo.root, "review", "record", "--spec", "SO-1", "--outcome", "pass")
    assert signoff(repo.root, "approve", "--spec", "SO-1").exit_code == 0
    code, document = gate(repo.root)
    assert (code, document["spec"]) == (3, None)
    assert document["approvals"] == []
    code, document = gate(repo.root, "--spec", "SO-1")
    assert (code, document["verdict"]) == (0, "pass")
    # And the other way round: an approval of the spec-less change does not count for SO-1's.
    repo.commit({"README.md": "# Checkout\n\nTax regions.\n"})
    signoff(repo.root, "review", "record", "--outcome", "pass")
    assert signoff(repo.root, "approve").exit_code == 0
    assert gate(repo.root)[0] == 0
    code, document = gate(repo.root, "--spec", "SO-1")
    assert code == 3
    assert [a["state"] for a in document["approvals"]] == ["void"]


def test_a_review_the_author_records_of_their_own_change_does_not_count(repo: Repo) -> None:
    from signoff.core.events import REVIEW_RECORDED

    repo.branch("so-1-tax-region")
    repo.commit(MIGRATION, author=AGENT)
    refused = signoff(repo.root, "review", "record", "--outcome", "pass", actor=AGENT.upper())
    assert refused.exit_code == 1
    assert "wrote this change" in refused.stderr
    signoff(repo.root, "approve")
    sha = gate(repo.root)[1]["diff"]["sha256"]
    # Recorded all the same (by an older signoff, or straight into the ledger): not counted.
    _append_event(
        repo.root, REVIEW_RECORDED, "SO-1", AGENT.upper(), diff_sha256=sha, outcome="pass"
    )
    code, document = gate(repo.root)
    assert (code, statuses(document)["agent-review"]) == (3, "pending")
    detail = next(g["detail"] for g in document["gates"] if g["name"] == "agent-review")
    assert "wrote the change" in detail


def test_a_staged_change_is_authored_by_who_git_will_name_as_its_author(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.branch("so-1-tax-region")
    repo.write(MIGRATION)
    repo.git("add", "-A")
    # The commit will be authored by second@ (GIT_AUTHOR_EMAIL outranks user.email).
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "Second@example.com")
    refused = signoff(repo.root, "approve", "--staged", actor="second@example.com")
    assert refused.exit_code == 1
    assert "wrote this change" in refused.stderr
    assert signoff(repo.root, "approve", "--staged").exit_code == 0  # the lead did not


def test_the_verdict_record_lets_anyone_replay_every_review_gates_sampling(
    tmp_path: Path,
) -> None:
    import hashlib

    from signoff.core.events import GATE_VERDICT

    toml = standards_text(rate=0.0, reversible=("tests", "agent-review", "deep-review"))
    toml += '\n[gates.deep-review]\nkind = "review"\nsample_rate = 1.0\nseed = "deep"\n'
    repo = make_repo(tmp_path / "shop", toml)
    repo.branch("tax-line")  # no spec: the spec id hashes as the empty string
    repo.commit(PLAIN)
    code, document = gate(repo.root)
    assert (code, statuses(document)) == (
        3,
        {"tests": "pass", "agent-review": "skipped", "deep-review": "pending"},
    )
    (event,) = _ledger_events(repo.root, GATE_VERDICT)
    payload = event.payload
    sha = payload["diff"]["sha256"]
    replays = [g["sampling"] for g in payload["gates"] if g["kind"] == "review"]
    assert [r["rate"] for r in replays] == [0.0, 1.0]
    for replay in replays:
        spec = "" if replay["spec"] is None else replay["spec"]
        digest = hashlib.sha256(f"{replay['seed']}\0{spec}\0{sha}".encode()).digest()
        value = (int.from_bytes(digest[:8], "big") >> 11) / 2**53
        assert replay["value"] == value
        assert replay["sampled"] == (value < replay["rate"])
    assert payload["sampling"]["rate"] == 0.0  # the verdict's own line is the first gate's


def test_a_head_other_than_the_checkout_says_where_the_spec_was_read(repo: Repo) -> None:
    repo.branch("so-1-x")
    repo.commit(PLAIN)
    head = repo.git("rev-parse", "HEAD").strip()
    repo.git("checkout", "-q", "main")
    code, document = gate(repo.root, "--head", head, "--spec", "SO-1")
    assert code == 0
    assert any("working tree" in reason for reason in document["reasons"])
    repo.git("checkout", "-q", "so-1-x")
    assert not any("working tree" in r for r in gate(repo.root, "--spec", "SO-1")[1]["reasons"])


# ---------------------------------------------------------------- the command line


@pytest.mark.parametrize("output", ["text", "json", "sarif", "markdown", "junit"])
def test_every_format_renders_a_verdict_blocked_before_the_diff_is_known(
    tmp_path: Path, output: str
) -> None:
    import json
    import xml.etree.ElementTree as ET

    (tmp_path / "signoff.toml").write_text(standards_text(), encoding="utf-8")
    result = signoff(tmp_path, "gate", "--format", output)
    assert result.exit_code == 2
    assert result.stderr == ""
    if output == "json":
        assert json.loads(result.stdout)["diff"] is None
    elif output == "sarif":
        assert json.loads(result.stdout)["runs"][0]["invocations"][0]["exitCode"] == 2
    elif output == "junit":
        assert ET.fromstring(result.stdout).find(".//error") is not None  # noqa: S314 - ours
    else:
        assert "BLOCKED" in result.stdout
        assert "not inside a git repository" in result.stdout


def test_a_closed_pipe_keeps_the_verdicts_exit_code(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    import click

    repo.branch("so-1-tax-region")
    repo.commit(MIGRATION)

    def closed(*_args: object, **_kwargs: object) -> None:
        raise BrokenPipeError

    monkeypatch.setattr(click, "echo", closed)
    assert signoff(repo.root, "gate").exit_code == 3  # pending, not 0


def test_gate_help_names_the_formats_and_the_exit_codes(repo: Repo) -> None:
    result = signoff(repo.root, "gate", "--help")
    assert result.exit_code == 0
    for word in ("text", "json", "sarif", "markdown", "junit", "0 pass", "3 pending", "--no-run"):
        assert word in result.stdout
    assert "merge base of --head" in " ".join(result.stdout.split())


def test_revoking_withdraws_only_the_revokers_own_approval(tmp_path: Path) -> None:
    toml = standards_text().replace("required = 1", "required = 2")
    repo = make_repo(tmp_path / "shop", toml)
    repo.branch("so-1-tax-region")
    repo.commit(MIGRATION)
    signoff(repo.root, "review", "record", "--outcome", "pass")
    assert signoff(repo.root, "approve").exit_code == 0
    assert signoff(repo.root, "approve", actor="SECOND@example.com").exit_code == 0
    assert gate(repo.root)[0] == 0
    assert signoff(repo.root, "revoke", actor="second@example.com").exit_code == 0
    code, document = gate(repo.root)
    assert code == 3
    assert sorted((a["approver"].lower(), a["state"]) for a in document["approvals"]) == [
        (LEAD, "counted"),
        ("second@example.com", "revoked"),
    ]
    # Approving again after a revocation counts again; the revoked approval stays revoked.
    assert signoff(repo.root, "approve", actor="second@example.com").exit_code == 0
    code, document = gate(repo.root)
    assert code == 0
    assert sorted(a["state"] for a in document["approvals"]) == ["counted", "counted", "revoked"]


def test_a_spec_whose_criteria_carry_no_ids_fails_traceability(tmp_path: Path) -> None:
    unnamed = spec_text("SO-1").replace("- AC-1: ", "- ").replace("- AC-2: ", "- ")
    repo = make_repo(
        tmp_path / "shop",
        standards_text(reversible=("tests", "traceability")),
        specs={"SO-1": unnamed},
    )
    repo.branch("so-1-x")
    repo.commit(PLAIN)
    report = junit(tmp_path / "junit.xml", [("test_ac_1_total", True), ("test_ac_2_tax", True)])
    code, document = gate(repo.root, "--junit", str(report))
    assert (code, statuses(document)["traceability"]) == (1, "fail")
    assert "no acceptance criteria" in str(document["reasons"])


def test_a_gate_on_an_existing_sqlite_ledger_never_imports_sqlalchemy(repo: Repo) -> None:
    """The speed of every gate run rests on this: SQLAlchemy's import costs ~0.4 s, more than
    the rest of a small run (docs/performance.md); the standard-library ledger serves it."""
    import sys

    repo.branch("so-1-x")
    repo.commit(PLAIN)
    probe = (
        "import sys\n"
        "from signoff.cli.app import main\n"
        "try:\n"
        f"    main(['-C', {str(repo.root)!r}, 'gate', '--format', 'json'])\n"
        "except SystemExit as done:\n"
        "    print('exit', done.code, 'sqlalchemy' in sys.modules, file=sys.stderr)\n"
    )
    import os

    ignored = ("SIGNOFF_DATABASE_URL", "GITHUB_HEAD_REF", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME")
    environment = {name: value for name, value in os.environ.items() if name not in ignored}
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            check=False,
            env=environment,
        )
        for _ in range(2)
    ]
    # The first run creates and migrates the ledger (SQLAlchemy and Alembic); the second reads
    # and appends through the standard library alone, and both record the same kind of verdict.
    assert runs[0].stderr.strip().splitlines()[-1] == "exit 0 True"
    assert runs[1].stderr.strip().splitlines()[-1] == "exit 0 False"
    assert verdict_json(Result(0, runs[1].stdout, ""))["verdict"] == "pass"
