"""The spec parser: exact line numbers, lossless rendering, and no crash on any input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signoff.core.specs.model import SectionKind
from signoff.core.specs.parse import document_from_bytes, parse_spec, split_lines
from signoff.core.specs.render import render, with_field

SPEC = """\
---
id: SO-12
title: Password reset by email
status: draft   # moved by signoff
owner: alice@example.com
risk: irreversible
risk_categories: [security, copy]
gates: [tests, human-approval]
context:
  - docs/decisions/0003-session-tokens.md
  - src/auth/
---

# Password reset by email

## Intent
Registered users who forgot their password can get back in.

## Acceptance criteria
- AC-1: When a registered user requests a reset, the system shall email a single-use link.
- AC-2:
  - Given an expired link
  - When the user opens it
  - Then the page shows "This link has expired"

```text
## Not a heading: inside a fence
- AC-9: not an item either
```

## Edge cases
<!-- a comment
## not a section -->
- EC-1: If the address is not registered, then the system shall answer as for a registered one.
  It shall take the same time.
"""


def test_fields_keep_their_lines_and_values() -> None:
    document = parse_spec(SPEC)
    assert document.front_matter is not None
    lines = {field.name: (field.line, field.end_line) for field in document.front_matter.fields}
    assert lines["id"] == (2, 2)
    assert lines["status"] == (4, 4)
    assert lines["context"] == (9, 11)
    assert document.spec_id == "SO-12"
    assert document.string_list("context") == ("docs/decisions/0003-session-tokens.md", "src/auth/")
    assert document.problems == ()


def test_sections_and_items_keep_lines_columns_and_ids() -> None:
    document = parse_spec(SPEC)
    headings = [(section.heading, section.line) for section in document.sections]
    assert headings == [
        ("Password reset by email", 14),
        ("Intent", 16),
        ("Acceptance criteria", 19),
        ("Edge cases", 31),
    ]
    criteria = document.items(SectionKind.ACCEPTANCE_CRITERIA)
    assert [(item.ident, item.line) for item in criteria] == [("AC-1", 20), ("AC-2", 21)]
    assert criteria[1].sub_items == (
        "Given an expired link",
        "When the user opens it",
        'Then the page shows "This link has expired"',
    )
    (edge,) = document.items(SectionKind.EDGE_CASES)
    assert edge.ident == "EC-1"
    assert edge.line == 34
    assert edge.end_line == 35
    assert edge.text.endswith("It shall take the same time.")
    # Offsets in the joined text map back to the file, across the continuation line.
    offset = edge.text.index("It shall")
    assert edge.position(offset) == (35, 3)
    assert edge.position(0) == (34, 9)


def test_crlf_files_keep_their_endings_and_line_numbers() -> None:
    crlf = SPEC.replace("\n", "\r\n")
    document = parse_spec(crlf)
    assert render(document) == crlf
    assert [item.line for item in document.items(SectionKind.ACCEPTANCE_CRITERIA)] == [20, 21]
    assert document.spec_id == "SO-12"


@pytest.mark.parametrize(
    ("text", "problem_line", "fragment"),
    [
        ("# no front matter\n", 1, "no front matter"),
        ("---\nid: SO-1\n", 1, "never closed"),
        ("---\nid: [SO-1\ntitle: x\n---\n", 3, "not valid YAML"),
        ("---\n- a\n- b\n---\n", 2, "must be a mapping"),
        ("---\nid: SO-1\nstatus: draft\nstatus: ready\n---\n", 4, "appears twice"),
    ],
)
def test_front_matter_problems_are_recorded_not_raised(
    text: str, problem_line: int, fragment: str
) -> None:
    document = parse_spec(text)
    (problem,) = document.problems
    assert problem.kind == "front-matter"
    assert problem.line == problem_line
    assert fragment in problem.message
    assert render(document) == text


def test_with_field_changes_only_the_value_on_its_line() -> None:
    document = parse_spec(SPEC)
    edited = with_field(SPEC, document, "status", "in-progress")
    before, after = split_lines(SPEC), split_lines(edited)
    changed = [number for number, (a, b) in enumerate(zip(before, after, strict=True), 1) if a != b]
    assert changed == [4]
    assert after[3] == "status: in-progress   # moved by signoff\n"
    assert parse_spec(edited).status == "in-progress"


def test_with_field_adds_a_missing_field_before_the_closing_line() -> None:
    text = "---\nid: SO-1\n---\nbody\n"
    edited = with_field(text, parse_spec(text), "status", "draft")
    assert edited == "---\nid: SO-1\nstatus: draft\n---\nbody\n"


def test_with_field_quotes_values_yaml_would_misread() -> None:
    text = "---\ntitle: x\n---\n"
    edited = with_field(text, parse_spec(text), "title", "Reset: by email #2")
    assert parse_spec(edited).title == "Reset: by email #2"


# ---------------------------------------------------------------- properties

_line = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\n"), max_size=40)
_spec_lines = st.lists(
    st.one_of(
        _line,
        st.sampled_from(
            [
                "---",
                "## Acceptance criteria",
                "## Edge cases",
                "## Intent",
                "# Title",
                "- AC-1: When x, the system shall y.",
                "- EC-2: If x, then y.",
                "  - Given a",
                "  continuation",
                "```",
                "<!--",
                "-->",
                "id: SO-3",
                "status: draft",
                "",
                "\r",
            ]
        ),
    ),
    max_size=40,
)


@settings(max_examples=300)
@given(st.text(max_size=400))
def test_render_is_the_exact_inverse_of_parse_for_any_text(text: str) -> None:
    assert render(parse_spec(text)) == text


@settings(max_examples=300)
@given(_spec_lines, st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_render_is_lossless_for_spec_shaped_text(lines: list[str], eol: str, final: bool) -> None:
    text = eol.join(lines) + (eol if final else "")
    document = parse_spec(text)
    assert render(document) == text
    # Every item's line really holds that item's id.
    file_lines = split_lines(text)
    for section in document.sections:
        assert file_lines[section.line - 1].lstrip().startswith("#")
        for item in section.items:
            if item.ident:
                assert item.ident in file_lines[item.line - 1]


_value = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_characters="\x7f"),
    min_size=1,
    max_size=30,
).filter(lambda value: value.strip() == value and value.strip())


@settings(max_examples=200)
@given(_value, st.text(max_size=200))
def test_editing_a_field_leaves_every_other_byte_untouched(value: str, body: str) -> None:
    text = f"---\nid: SO-1\nstatus: draft # keep\ntitle: x\n---\n{body}"
    document = parse_spec(text)
    edited = with_field(text, document, "status", value)
    before, after = split_lines(text), split_lines(edited)
    assert len(before) == len(after)
    assert [b for a, b in zip(before, after, strict=True) if a != b] in ([], [after[2]])
    assert after[2].endswith(" # keep\n")
    assert parse_spec(edited).value("status") == value


@settings(max_examples=300)
@given(st.binary(max_size=600))
def test_any_bytes_parse_without_raising(raw: bytes) -> None:
    document = document_from_bytes(raw, "fuzz.md")
    assert document.path == "fuzz.md"
    if document.problems and document.problems[0].kind == "encoding":
        return
    assert render(document) == raw.decode("utf-8")
