"""Model -> text. Rendering is the exact inverse of parsing; edits touch only their own bytes."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from signoff.core.specs.parse import split_lines

if TYPE_CHECKING:
    from signoff.core.specs.model import SpecDocument

_PLAIN_SCALAR = re.compile(r"^[A-Za-z0-9@_][A-Za-z0-9@_.+/\- ]*$")
_VALUE_AFTER_KEY = re.compile(
    r"^(?P<key>[^:]+:[ \t]*)(?P<value>.*?)(?P<comment>[ \t]+#.*)?(?P<eol>\r?\n?)$"
)


def render(document: SpecDocument) -> str:
    """The file text the document was parsed from (or edited into)."""
    return document.head + document.preamble + "".join(section.raw for section in document.sections)


def yaml_scalar(value: str) -> str:
    """A YAML scalar for ``value``: plain when that reads back identically, quoted otherwise."""
    import yaml  # noqa: PLC0415 - only writers need it; checking a spec should not pay for it

    if _PLAIN_SCALAR.match(value):
        try:
            if yaml.safe_load(value) == value:
                return value
        except yaml.YAMLError:
            pass  # e.g. a leading '@' is reserved in YAML: quote it
    return yaml.safe_dump(value, default_style='"', width=10_000).strip()


def with_field(text: str, document: SpecDocument, name: str, value: str) -> str:
    """Return ``text`` with front matter field ``name`` set to ``value``.

    Only the value on the key's line changes (a trailing comment and the line ending stay);
    a missing field is added as one new line before the closing ``---``.
    """
    if document.front_matter is None:
        raise ValueError("the spec has no valid front matter to edit")
    lines = split_lines(text)
    found = document.front_matter.get(name)
    scalar = yaml_scalar(value)
    if found is None:
        close = document.front_matter.end_line - 1
        ending = "\r\n" if lines[close].endswith("\r\n") else "\n"
        lines.insert(close, f"{name}: {scalar}{ending}")
        return "".join(lines)
    if found.end_line != found.line:
        raise ValueError(f"field '{name}' spans several lines; edit it by hand")
    match = _VALUE_AFTER_KEY.match(lines[found.line - 1])
    if match is None:  # pragma: no cover - the parser only records lines with a key
        raise ValueError(f"cannot find the value of '{name}' on line {found.line}")
    lines[found.line - 1] = (
        match.group("key") + scalar + (match.group("comment") or "") + match.group("eol")
    )
    return "".join(lines)
