"""docs/rules.md is executable: every rule has an entry, and every entry's examples do what it says.

Each ``## <code> <name>`` entry carries a bad and a good example. An example is either a complete
spec (it starts with ``---``) or one list item line; a line is dropped into :data:`BASELINE`, a
spec that is ready, in place of that section's items (``- EC-…`` into Edge cases, anything else
into Acceptance criteria) so the rule sees it alone. The bad example must draw the rule; the good
one must not, and must be ready. Two rules cannot be shown by one Markdown file and are special
cases: ``unreadable`` (the bad bytes are not UTF-8) and ``duplicate-id`` (it needs two files).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from signoff.core.events import Question
from signoff.core.specs.check import (
    SpecResult,
    check_document,
    check_documents,
)
from signoff.core.specs.parse import document_from_bytes, parse_spec
from signoff.core.specs.rules import CheckContext, Rule, all_rules
from signoff.core.standards import GateDefinition, Standards

DOCS = Path(__file__).resolve().parent.parent / "docs"
RULES_DOC = DOCS / "rules.md"
SPEC_FORMAT_DOC = DOCS / "spec-format.md"

STANDARDS = Standards(
    slice_name="checkout",
    owners=("alice@example.com",),
    approver_groups={"leads": ("alice@example.com", "bob@example.com")},
    gates={
        "tests": GateDefinition("tests", "command", command="make test"),
        "traceability": GateDefinition("traceability", "traceability", junit=("junit.xml",)),
        "agent-review": GateDefinition("agent-review", "review"),
        "human-approval": GateDefinition("human-approval", "approval", approvers="leads"),
    },
)


def _path_exists(path: str) -> bool:
    return path.startswith(("src/", "docs/"))


# The ledger of the examples: one open question, about SO-42 (the open-question example).
OPEN_QUESTION = Question(
    spec_id="SO-42",
    ref="Q-1",
    text="Which columns go in the file?",
    source="agent",
    asked_by="agent@example.com",
    asked_at=datetime(2026, 11, 20, tzinfo=UTC),
)


def _open_questions(spec_id: str) -> tuple[Question, ...]:
    return (OPEN_QUESTION,) if spec_id == OPEN_QUESTION.spec_id else ()


CONTEXT = CheckContext(STANDARDS, path_exists=_path_exists, open_questions=_open_questions)

BASELINE_ACCEPTANCE = (
    '- AC-1: When a manager clicks "Export", the system shall download the orders as a CSV file.\n'
    "- AC-2: Given a shop with 120 orders, when the export finishes, then the file has 121 lines.\n"
)
BASELINE_EDGES = (
    "- EC-1: If the shop has no orders, then the system shall download the header row only.\n"
    "- EC-2: If the export takes longer than 30 seconds, then the system shall email the file.\n"
)
BASELINE = """\
---
id: SO-1
title: Export orders as CSV
status: draft
owner: alice@example.com
risk: reversible
gates: [tests]
---

# Export orders as CSV

## Intent
Shop managers can take their order history into a spreadsheet.

## Acceptance criteria
{acceptance}
## Edge cases
{edges}"""

# The bytes of the unreadable example: front matter that turns into UTF-16 halfway.
UNREADABLE_BYTES = b"---\nid: SO-1\n\xff\xfe"

_ENTRY = re.compile(r"^## (SO\d{3}) ([a-z][a-z-]*)[ \t]*$", re.MULTILINE)
_META = re.compile(r"^\*\*Severity:\*\* (error|warning) · \*\*Group:\*\* ([a-z]+)$", re.MULTILINE)
_TABLE_ROW = re.compile(
    r"^\| (SO\d{3}) \| \[([a-z-]+)\]\(#[a-z0-9-]+\) \| (error|warning) \|", re.MULTILINE
)


@dataclass(frozen=True, slots=True)
class Entry:
    code: str
    name: str
    severity: str | None
    group: str | None
    bad: tuple[str, str] | None  # (fence language, text)
    good: tuple[str, str] | None


def _example(body: str, label: str) -> tuple[str, str] | None:
    """The first fenced block right after a ``Bad:`` or ``Good:`` line: (language, text)."""
    pattern = rf"^{label}:\n\n```([a-z]+)\n(.*?)^```$"
    found = re.search(pattern, body, re.MULTILINE | re.DOTALL)
    return None if found is None else (found.group(1), found.group(2))


def read_entries() -> list[Entry]:
    text = RULES_DOC.read_text(encoding="utf-8")
    heads = list(_ENTRY.finditer(text))
    entries: list[Entry] = []
    for position, head in enumerate(heads):
        end = heads[position + 1].start() if position + 1 < len(heads) else len(text)
        body = text[head.end() : end]
        meta = _META.search(body)
        entries.append(
            Entry(
                code=head.group(1),
                name=head.group(2),
                severity=meta.group(1) if meta else None,
                group=meta.group(2) if meta else None,
                bad=_example(body, "Bad"),
                good=_example(body, "Good"),
            )
        )
    return entries


ENTRIES = {entry.name: entry for entry in read_entries()}
RULES = all_rules()


def spec_text(example: str) -> str:
    """A complete spec as is; a single item line in place of its section's items in BASELINE."""
    if example.startswith("---\n"):
        return example
    line = example.rstrip("\n")
    shape = f"an example is a complete spec (starting with '---') or one list item: {example!r}"
    assert line.startswith("- "), shape
    assert "\n" not in line, shape
    if line.startswith("- EC-"):
        return BASELINE.format(acceptance=BASELINE_ACCEPTANCE, edges=line + "\n")
    return BASELINE.format(acceptance=line + "\n", edges=BASELINE_EDGES)


def check_alone(text: str) -> SpecResult:
    return check_document(parse_spec(text, "example.md"), CONTEXT)


def check_example(rule: Rule, which: str, example: tuple[str, str]) -> list[SpecResult]:
    language, text = example
    if rule.name == "unreadable" and which == "bad":
        assert language == "text", "the unreadable bad example is a ```text hexdump"
        return [check_document(document_from_bytes(UNREADABLE_BYTES, "example.md"), CONTEXT)]
    assert language == "markdown", f"the {which} example of {rule.name} is a ```markdown block"
    if rule.name == "duplicate-id":
        # Both examples are checked as the second file of a slice whose first is the bad one.
        bad = ENTRIES[rule.name].bad
        assert bad is not None
        first = parse_spec(spec_text(bad[1]), "specs/SO-1-export-csv.md")
        second = parse_spec(spec_text(text), "specs/SO-2-export-xlsx.md")
        return check_documents([first, second], CONTEXT)
    return [check_alone(spec_text(text))]


def findings_of(results: list[SpecResult], name: str) -> list[str]:
    return [
        f"{result.path}:{finding.line}: {finding.message}"
        for result in results
        for finding in result.findings
        if finding.name == name
    ]


def test_every_rule_has_one_entry_in_code_order() -> None:
    documented = [(entry.code, entry.name) for entry in read_entries()]
    registered = [(rule.code, rule.name) for rule in RULES]
    assert documented == registered


def test_summary_table_lists_every_rule() -> None:
    text = RULES_DOC.read_text(encoding="utf-8")
    rows = [match.groups() for match in _TABLE_ROW.finditer(text)]
    assert rows == [(rule.code, rule.name, rule.severity.value) for rule in RULES]


def test_baseline_is_ready_and_clean() -> None:
    result = check_alone(BASELINE.format(acceptance=BASELINE_ACCEPTANCE, edges=BASELINE_EDGES))
    assert result.ready
    assert [f"{finding.line}: {finding.name}" for finding in result.findings] == []


def test_unreadable_hexdump_shows_the_bytes_the_test_checks() -> None:
    example = ENTRIES["unreadable"].bad
    assert example is not None
    dumped = bytes.fromhex(
        "".join(line.split("|")[0][8:] for line in example[1].splitlines() if line.strip())
    )
    assert dumped == UNREADABLE_BYTES


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_entry_matches_registry(rule: Rule) -> None:
    entry = ENTRIES.get(rule.name)
    assert entry is not None, f"docs/rules.md has no '## {rule.code} {rule.name}' entry"
    assert (entry.code, entry.severity, entry.group) == (
        rule.code,
        rule.severity.value,
        rule.group.value,
    )


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_bad_example_draws_the_rule(rule: Rule) -> None:
    entry = ENTRIES.get(rule.name)
    assert entry is not None
    assert entry.bad is not None, f"{rule.name}: no 'Bad:' example"
    assert findings_of(check_example(rule, "bad", entry.bad), rule.name)


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_good_example_is_ready_and_clear_of_the_rule(rule: Rule) -> None:
    entry = ENTRIES.get(rule.name)
    assert entry is not None
    assert entry.good is not None, f"{rule.name}: no 'Good:' example"
    results = check_example(rule, "good", entry.good)
    assert findings_of(results, rule.name) == []
    not_ready = [
        f"{result.path}:{finding.line}: {finding.name}: {finding.message}"
        for result in results[-1:]
        for finding in result.findings
        if finding.is_error
    ]
    assert not_ready == []


def test_spec_format_example_is_ready() -> None:
    text = SPEC_FORMAT_DOC.read_text(encoding="utf-8")
    examples = re.findall(r"^```markdown\n(---\n.*?)^```$", text, re.MULTILINE | re.DOTALL)
    assert len(examples) == 1, "docs/spec-format.md has one complete example spec"
    result = check_alone(examples[0])
    assert result.ready, [f"{finding.line}: {finding.message}" for finding in result.findings]
