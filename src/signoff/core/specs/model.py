"""The spec file as frozen values that remember where everything came from.

A parsed spec is a *lossless* tree: the front matter block, the preamble before the first
section and each section keep their raw text, so ``render(parse(text)) == text`` byte for byte,
and an edit (a field value, a section body) replaces exactly the bytes it owns. Every field,
section and list item also carries its 1-based line (and column for items), which is what the
checker's findings point at.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from signoff.core.risk.categories import CATEGORIES

STATUSES: tuple[str, ...] = (
    "draft",
    "ready",
    "in-progress",
    "in-review",
    "approved",
    "merged",
    "released",
    "abandoned",
)
RISK_LEVELS: tuple[str, ...] = ("reversible", "irreversible")
RISK_CATEGORIES: tuple[str, ...] = CATEGORIES


class SectionKind(enum.Enum):
    """The sections the format knows; matched by heading text, case-insensitively."""

    INTENT = "intent"
    ACCEPTANCE_CRITERIA = "acceptance criteria"
    EDGE_CASES = "edge cases"
    OUT_OF_SCOPE = "out of scope"
    RISK = "risk"
    CLARIFICATIONS = "clarifications"
    ASSUMPTIONS = "assumptions"

    @property
    def title(self) -> str:
        return self.value[0].upper() + self.value[1:]

    @classmethod
    def from_heading(cls, heading: str) -> SectionKind | None:
        key = " ".join(heading.strip().rstrip(":").split()).lower()
        return _KINDS_BY_TITLE.get(key)


_KINDS_BY_TITLE: dict[str, SectionKind] = {kind.value: kind for kind in SectionKind}


@dataclass(frozen=True, slots=True)
class Field:
    """One top-level front matter key: its YAML value and the lines it spans."""

    name: str
    value: Any
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The YAML block between the opening and closing ``---`` lines."""

    raw: str
    start_line: int
    end_line: int
    fields: tuple[Field, ...]

    def get(self, name: str) -> Field | None:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        return None


@dataclass(frozen=True, slots=True)
class TextSegment:
    """Where a stretch of an item's joined text sits in the file: text offset -> line, column."""

    offset: int
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Item:
    """A top-level list item of a section, e.g. ``- AC-1: When …``.

    ``text`` is the item's prose without bullet and id, with continuation lines and sub-items
    joined by single spaces; ``segments`` map offsets in ``text`` back to the file.
    """

    ident: str | None
    raw_ident: str | None
    text: str
    line: int
    column: int
    end_line: int
    sub_items: tuple[str, ...]
    segments: tuple[TextSegment, ...]

    def position(self, offset: int) -> tuple[int, int]:
        """The (line, column) in the file of character ``offset`` of ``text``."""
        chosen = self.segments[0]
        for segment in self.segments:
            if segment.offset <= offset:
                chosen = segment
            else:
                break
        return chosen.line, chosen.column + (offset - chosen.offset)


@dataclass(frozen=True, slots=True)
class Section:
    """A ``##`` (or deeper) heading and everything up to the next heading of its level or above."""

    heading: str
    kind: SectionKind | None
    level: int
    line: int
    end_line: int
    raw: str
    items: tuple[Item, ...]
    has_content: bool


@dataclass(frozen=True, slots=True)
class Problem:
    """Why the file could not be read as a spec at all (encoding, front matter)."""

    kind: str
    message: str
    line: int
    column: int = 1


@dataclass(frozen=True, slots=True)
class SpecDocument:
    """A spec file, parsed losslessly."""

    path: str
    head: str
    front_matter: FrontMatter | None
    preamble: str
    preamble_start_line: int
    sections: tuple[Section, ...]
    problems: tuple[Problem, ...] = field(default=())
    line_count: int = 0

    # -- typed views over the front matter; each returns None when absent or not the right type

    def value(self, name: str) -> Any:
        if self.front_matter is None:
            return None
        found = self.front_matter.get(name)
        return None if found is None else found.value

    def text_field(self, name: str) -> str | None:
        raw = self.value(name)
        return raw.strip() if isinstance(raw, str) and raw.strip() else None

    @property
    def spec_id(self) -> str | None:
        return self.text_field("id")

    @property
    def title(self) -> str | None:
        return self.text_field("title")

    @property
    def status(self) -> str | None:
        return self.text_field("status")

    @property
    def risk(self) -> str | None:
        return self.text_field("risk")

    def string_list(self, name: str) -> tuple[str, ...]:
        raw = self.value(name)
        if isinstance(raw, str):
            return (raw,)
        if isinstance(raw, list):
            return tuple(str(entry) for entry in raw if entry is not None)
        return ()

    def section(self, kind: SectionKind) -> Section | None:
        for section in self.sections:
            if section.kind is kind:
                return section
        return None

    def items(self, kind: SectionKind) -> tuple[Item, ...]:
        found = self.section(kind)
        return () if found is None else found.items

    def field_line(self, name: str) -> int:
        """The line of a front matter key, or of the front matter's start when it is absent."""
        if self.front_matter is None:
            return 1
        found = self.front_matter.get(name)
        return self.front_matter.start_line if found is None else found.line
