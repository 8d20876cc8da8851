"""Fold a triaged question back into the spec's text, changing no byte but the lines added.

An answer becomes ``- Q-n (source) question → answer`` under ``## Clarifications`` /
``### <date>``; a deferral becomes ``- A-n (deferred Q-n) text`` under ``## Assumptions``.
Missing headings are created at the end of the file. Lines keep the file's own line ending.
"""

from __future__ import annotations

import hashlib
import re

from signoff.core.specs.model import Section, SectionKind, SpecDocument
from signoff.core.specs.parse import parse_spec, split_lines

_SUBHEADING = re.compile(r"^ {0,3}###[ \t]+(.*?)[ \t]*#*[ \t]*$")
_STATUS_LINE = re.compile(r"^status[ \t]*:.*$", re.MULTILINE)


def one_line(text: str) -> str:
    """Collapse whitespace so a question or answer fits on its list line."""
    return " ".join(text.split())


def content_hash(text: str) -> str:
    """SHA-256 of what the spec's authors wrote: its text without the parts Signoff writes.

    Left out: the ``status`` line (moving a spec rewrites it) and the Clarifications and
    Assumptions sections (triage appends to them). So a rejected spec must really be revised,
    not just triaged further, before it can be ready again, and ``signoff sync`` records a
    revision only when the spec itself changed.
    """
    document = parse_spec(text)
    head = document.head
    if document.front_matter is not None:
        head = _STATUS_LINE.sub("", head, count=1)
    owned = (SectionKind.CLARIFICATIONS, SectionKind.ASSUMPTIONS)
    # Trailing blank lines are layout: adding a section after another must not change it.
    parts = [head, document.preamble] + [
        section.raw for section in document.sections if section.kind not in owned
    ]
    authored = "\n".join(part.rstrip() for part in parts if part.strip())
    return hashlib.sha256(authored.encode("utf-8")).hexdigest()


def _eol(lines: list[str]) -> str:
    for line in lines:
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith("\n"):
            return "\n"
    return "\n"


def _last_content_line(lines: list[str], first: int, last: int) -> int:
    """1-based number of the last non-blank line in lines[first-1 .. last-1] (``first`` if none)."""
    for number in range(last, first - 1, -1):
        if lines[number - 1].strip():
            return number
    return first


def _insert_after(lines: list[str], after: int, new_lines: list[str], eol: str) -> str:
    """Insert ``new_lines`` after 1-based line ``after`` (0 = at the top)."""
    if after > 0 and not lines[after - 1].endswith("\n"):
        lines[after - 1] += eol  # the file ended without a newline; give that line one
    return "".join(lines[:after] + [line + eol for line in new_lines] + lines[after:])


def _append_section(lines: list[str], heading: str, body: list[str], eol: str) -> str:
    text = "".join(lines)
    if text and not text.endswith("\n"):
        text += eol
    separator = eol if text and not text.endswith(eol + eol) else ""
    return text + separator + eol.join([heading, *body]) + eol


def add_clarification(
    text: str, *, question_ref: str, source: str, question: str, answer: str, day: str
) -> str:
    """``text`` with the answered question recorded under Clarifications / ``### day``."""
    document = parse_spec(text)
    lines = split_lines(text)
    eol = _eol(lines)
    entry = f"- {question_ref} ({source}) {one_line(question)} → {one_line(answer)}"
    section = document.section(SectionKind.CLARIFICATIONS)
    if section is None:
        return _append_section(lines, "## Clarifications", [f"### {day}", entry], eol)
    day_start, day_end = _subsection(lines, section, day)
    if day_start is None:
        last = _last_content_line(lines, section.line, section.end_line)
        return _insert_after(lines, last, ["", f"### {day}", entry], eol)
    return _insert_after(lines, _last_content_line(lines, day_start, day_end), [entry], eol)


def _subsection(lines: list[str], section: Section, day: str) -> tuple[int | None, int]:
    """(first line, last line) of the ``### day`` block inside ``section``, 1-based."""
    start: int | None = None
    for number in range(section.line + 1, section.end_line + 1):
        match = _SUBHEADING.match(lines[number - 1].rstrip("\r\n"))
        if match is None:
            continue
        if start is not None:
            return start, number - 1
        if match.group(1).strip() == day:
            start = number
    return start, section.end_line


def next_assumption_number(document: SpecDocument) -> int:
    numbers = [
        int(item.ident.split("-")[1])
        for item in document.items(SectionKind.ASSUMPTIONS)
        if item.ident is not None and item.ident.startswith("A-")
    ]
    return max(numbers, default=0) + 1


def add_assumption(text: str, question_ref: str, assumption: str) -> tuple[str, str]:
    """``text`` with ``- A-n (deferred Q-n) assumption`` under Assumptions; returns (text, A-n)."""
    document = parse_spec(text)
    lines = split_lines(text)
    eol = _eol(lines)
    ref = f"A-{next_assumption_number(document)}"
    entry = f"- {ref} (deferred {question_ref}) {one_line(assumption)}"
    section = document.section(SectionKind.ASSUMPTIONS)
    if section is None:
        return _append_section(lines, "## Assumptions", [entry], eol), ref
    last = _last_content_line(lines, section.line, section.end_line)
    return _insert_after(lines, last, [entry], eol), ref
