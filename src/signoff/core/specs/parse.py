"""Text -> :class:`SpecDocument`, losslessly.

The scanner is line based on purpose: the spec format only needs ATX headings, list items,
fenced code and HTML comments, and a line scanner keeps exact byte ranges and line numbers at a
fraction of the cost of a full CommonMark parse (the checker runs on every commit). Lines are
split on ``\\n`` only, so ``\\r\\n`` files keep their endings and line numbers match every editor.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from signoff.core.specs.model import (
    Field,
    FrontMatter,
    Item,
    Problem,
    Section,
    SectionKind,
    SpecDocument,
    TextSegment,
)
from signoff.core.specs.simple_yaml import load_simple

if TYPE_CHECKING:
    from collections.abc import Iterator


BOM = "\ufeff"
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BULLET = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])(?:[ \t]+(.*))?$")
# A well-formed item id: AC-1, EC-12, Q-3, A-2, optionally in bold, then an optional separator.
_IDENT = re.compile(
    r"^(?:\*\*|__)?([A-Z]{1,3}-[1-9]\d*)(?:\*\*|__)?(?=[\s:.)]|$)[ \t]*[:.)]?[ \t]*"
)
# Something that tries to be an id but is not well formed (AC1, ac-1, AC-01, AC 1).
# People also separate an id with an en or em dash; accept them when guessing what was meant.
_ROUGH_IDENT = re.compile(r"^(?:\*\*|__)?([A-Za-z]{1,3}[- ]?\d+)(?:\*\*|__)?[ \t]*[:.)\-–—]?[ \t]*")  # noqa: RUF001
_TOP_KEY = re.compile(
    r"""^(?:"([^"]+)"|'([^']+)'|([^\s#\-?:][^:#]*?|-[^\s:#][^:#]*?))[ \t]*:(?:[ \t]|$)"""
)


def split_lines(text: str) -> list[str]:
    """Split on ``\\n`` only, keeping the endings: ``"".join(split_lines(t)) == t``."""
    if not text:
        return []
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def _strip_eol(line: str) -> str:
    return line.rstrip("\r\n")


def parse_spec(text: str, path: str = "<spec>") -> SpecDocument:
    """Parse a spec file's text. Never raises on bad input: problems are recorded instead."""
    lines = split_lines(text)
    problems: list[Problem] = []
    front_matter: FrontMatter | None = None
    body_start = 0  # index into lines where the Markdown body begins

    first = _strip_eol(lines[0]).removeprefix(BOM) if lines else ""
    if first.rstrip() == "---":
        close = _find_front_matter_close(lines)
        if close is None:
            problems.append(
                Problem(
                    "front-matter",
                    "front matter opened on line 1 is never closed; add a line '---' after it",
                    1,
                )
            )
            body_start = len(lines)
        else:
            front_matter, fm_problem = _parse_front_matter(lines, close)
            if fm_problem is not None:
                problems.append(fm_problem)
            body_start = close + 1
    else:
        problems.append(
            Problem(
                "front-matter",
                "no front matter: the file must start with a '---' line, YAML fields "
                "(id, title, status, owner, ...) and a closing '---'",
                1,
            )
        )

    preamble_end, sections = _parse_sections(lines, body_start)
    return SpecDocument(
        path=path,
        head="".join(lines[:body_start]),
        front_matter=front_matter,
        preamble="".join(lines[body_start:preamble_end]),
        preamble_start_line=body_start + 1,
        sections=tuple(sections),
        problems=tuple(problems),
        line_count=len(lines),
    )


def _find_front_matter_close(lines: list[str]) -> int | None:
    for index in range(1, len(lines)):
        if _strip_eol(lines[index]).rstrip() in ("---", "..."):
            return index
    return None


def _parse_front_matter(lines: list[str], close: int) -> tuple[FrontMatter | None, Problem | None]:
    raw = "".join(lines[: close + 1])
    body = "".join(lines[1:close])
    loaded: Any = load_simple(body)
    if loaded is None:
        loaded, problem = _load_yaml(body, close)
        if problem is not None:
            return None, problem
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        return None, Problem(
            "front-matter",
            f"front matter must be a mapping of fields (id: ..., title: ...), "
            f"not a {type(loaded).__name__}",
            2,
        )
    key_lines, duplicate = _top_level_key_lines(lines, close)
    fields = tuple(
        Field(
            name=str(key),
            value=value,
            line=key_lines.get(str(key), (1, close + 1))[0],
            end_line=key_lines.get(str(key), (1, close + 1))[1],
        )
        for key, value in loaded.items()
    )
    front_matter = FrontMatter(raw=raw, start_line=1, end_line=close + 1, fields=fields)
    if duplicate is not None:
        name, first_line, second_line = duplicate
        return front_matter, Problem(
            "front-matter",
            f"field '{name}' appears twice (lines {first_line} and {second_line}); "
            "YAML keeps only the last, so delete one",
            second_line,
        )
    return front_matter, None


def _load_yaml(body: str, close: int) -> tuple[Any, Problem | None]:
    """Full YAML for front matter outside the simple subset; imported only when needed."""
    import yaml  # noqa: PLC0415 - most front matter never needs it, and it costs start-up

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        # CSafeLoader / SafeLoader build only plain data.
        return yaml.load(body, Loader=loader), None  # noqa: S506
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        context_mark = getattr(error, "context_mark", None)
        if context_mark is not None and (mark is None or mark.line >= close - 1):
            # The parser noticed at the end of the block (an unclosed bracket or quote); the
            # line that opened it is the one to fix.
            mark = context_mark
        line = 2 + mark.line if mark is not None else 1
        column = 1 + mark.column if mark is not None else 1
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        return None, Problem(
            "front-matter",
            f"front matter is not valid YAML: {reason}; fix the YAML syntax on this line",
            line,
            column,
        )


def _top_level_key_lines(
    lines: list[str], close: int
) -> tuple[dict[str, tuple[int, int]], tuple[str, int, int] | None]:
    """Map each top-level key to (first line, last line) and report the first duplicate key."""
    starts: list[tuple[str, int]] = []
    duplicate: tuple[str, int, int] | None = None
    seen: dict[str, int] = {}
    for index in range(1, close):
        line = lines[index]
        if not line or line[0] in " \t#\r\n":
            continue
        match = _TOP_KEY.match(line)
        if match is None:
            continue
        name = (match.group(1) or match.group(2) or match.group(3) or "").strip()
        line_number = index + 1
        if name in seen and duplicate is None:
            duplicate = (name, seen[name], line_number)
        seen[name] = line_number
        starts.append((name, line_number))
    ranges: dict[str, tuple[int, int]] = {}
    for position, (name, start) in enumerate(starts):
        end = starts[position + 1][1] - 1 if position + 1 < len(starts) else close
        # Trailing blank or comment lines belong to nobody; trim them from the range.
        while end > start and not _strip_eol(lines[end - 1]).strip():
            end -= 1
        ranges[name] = (start, end)
    return ranges, duplicate


def _closes_fence(stripped: str, fence: str) -> bool:
    """A closing fence: the opening's character, at least as many, and nothing after."""
    return stripped.startswith(fence) and not stripped[len(fence) :].strip(fence[0]).strip()


def _heading_lines(lines: list[str], start: int) -> Iterator[tuple[int, int, str]]:
    """Yield (index, level, text) of ATX headings outside fenced code and HTML comments."""
    fence: str | None = None
    in_comment = False
    for index in range(start, len(lines)):
        line = _strip_eol(lines[index])
        if fence is not None:
            if _closes_fence(line.strip(), fence):
                fence = None
            continue
        if in_comment:
            if "-->" in line:
                in_comment = False
            continue
        opened = _FENCE.match(line)
        if opened is not None:
            fence = opened.group(1)
            continue
        if line.lstrip().startswith("<!--") and "-->" not in line:
            in_comment = True
            continue
        if "#" in line:
            heading = _HEADING.match(line)
            if heading is not None:
                yield index, len(heading.group(1)), (heading.group(2) or "").strip()


def _parse_sections(lines: list[str], body_start: int) -> tuple[int, list[Section]]:
    headings = list(_heading_lines(lines, body_start))
    known_levels = [level for _, level, text in headings if SectionKind.from_heading(text)]
    base_level = min(known_levels) if known_levels else 2
    boundaries = [(index, level, text) for index, level, text in headings if level <= base_level]
    sections: list[Section] = []
    preamble_end = boundaries[0][0] if boundaries else len(lines)
    for position, (index, level, text) in enumerate(boundaries):
        end = boundaries[position + 1][0] if position + 1 < len(boundaries) else len(lines)
        body_lines = lines[index + 1 : end]
        items, has_content = _parse_items(body_lines, index + 2)
        sections.append(
            Section(
                heading=text,
                kind=SectionKind.from_heading(text),
                level=level,
                line=index + 1,
                end_line=end,
                raw="".join(lines[index:end]),
                items=tuple(items),
                has_content=has_content,
            )
        )
    return preamble_end, sections


class _ItemBuilder:
    """Accumulates one top-level list item while the scanner walks its lines."""

    def __init__(self, line_number: int, indent: int, content: str, content_column: int) -> None:
        self.line = line_number
        self.end_line = line_number
        self.indent = indent
        ident_match = _IDENT.match(content)
        self.ident: str | None = None
        self.raw_ident: str | None = None
        if ident_match is not None:
            self.ident = ident_match.group(1)
            self.raw_ident = self.ident
            skip = ident_match.end()
        else:
            rough = _ROUGH_IDENT.match(content)
            self.raw_ident = rough.group(1) if rough is not None else None
            skip = 0
        first_text = content[skip:].rstrip()
        self.parts: list[str] = [first_text]
        self.segments: list[TextSegment] = [TextSegment(0, line_number, content_column + skip)]
        self.length = len(first_text)
        self.sub_items: list[str] = []

    def add_text(self, text: str, line_number: int, column: int) -> None:
        text = text.rstrip()
        if not text:
            return
        offset = self.length + (1 if self.length else 0)
        self.segments.append(TextSegment(offset, line_number, column))
        self.parts.append(text)
        self.length = offset + len(text)
        self.end_line = line_number

    def build(self) -> Item:
        return Item(
            ident=self.ident,
            raw_ident=self.raw_ident,
            text=" ".join(part for part in self.parts if part),
            line=self.line,
            column=self.indent + 1,
            end_line=self.end_line,
            sub_items=tuple(self.sub_items),
            segments=tuple(self.segments),
        )


# One pass over the lines with a small state machine (fence, comment, current item) reads
# better as one function than split across helpers that share all that state.
def _parse_items(  # noqa: PLR0915
    body_lines: list[str], first_line_number: int
) -> tuple[list[Item], bool]:
    """Top-level list items of a section body, and whether the body has any real content."""
    items: list[Item] = []
    current: _ItemBuilder | None = None
    has_content = False
    fence: str | None = None
    in_comment = False
    for offset, raw_line in enumerate(body_lines):
        line_number = first_line_number + offset
        line = _strip_eol(raw_line)
        stripped = line.strip()
        if fence is not None:
            has_content = True
            if _closes_fence(stripped, fence):
                fence = None
            continue
        if in_comment:
            if "-->" in line:
                in_comment = False
            continue
        if stripped.startswith("<!--"):
            if "-->" not in stripped:
                in_comment = True
                continue
            if stripped.endswith("-->"):
                continue
        if not stripped:
            continue
        has_content = True
        opened = _FENCE.match(line)
        if opened is not None:
            fence = opened.group(1)
            continue
        bullet = _BULLET.match(line)
        indent = len(line) - len(line.lstrip(" \t"))
        if bullet is not None and (current is None or indent <= current.indent + 1):
            if current is not None:
                items.append(current.build())
            content = bullet.group(3) or ""
            column = len(line) - len(content) + 1 if content else len(line) + 1
            current = _ItemBuilder(line_number, indent, content, column)
        elif current is not None and indent > current.indent:
            text = bullet.group(3) or "" if bullet is not None else stripped
            if bullet is not None:
                current.sub_items.append(text.strip())
            column = len(line) - len(line.lstrip(" \t")) + 1
            if bullet is not None:
                column = len(line) - len(text) + 1 if text else column
            current.add_text(text, line_number, column)
        elif current is not None:
            # An unindented paragraph ends the list.
            items.append(current.build())
            current = None
    if current is not None:
        items.append(current.build())
    return items, has_content


def document_from_bytes(raw: bytes, path: str) -> SpecDocument:
    """Decode a spec file; binary or non-UTF-8 content becomes an ``encoding`` problem."""
    if b"\x00" in raw[:8192]:
        return _unreadable(path, "the file is binary (it contains NUL bytes), not a Markdown spec")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return _unreadable(
            path,
            f"the file is not UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start})",
            line,
        )
    return parse_spec(text, path)


def _unreadable(path: str, message: str, line: int = 1) -> SpecDocument:
    return SpecDocument(
        path=path,
        head="",
        front_matter=None,
        preamble="",
        preamble_start_line=1,
        sections=(),
        problems=(Problem("encoding", message, line),),
    )
