"""A fast path for the YAML that spec front matter almost always is.

Front matter is a handful of ``key: word`` lines, a flow list or two (``gates: [a, b]``) and
perhaps a block list (``context:`` then ``- path`` lines). PyYAML builds that in about 0.1 ms
in pure-Python constructors, a sizeable share of checking a spec. This module reads exactly that
subset and returns None for anything else, so PyYAML still decides every case it does not
accept. A property test checks that, whenever this returns a value, it equals
``yaml.safe_load`` of the same text.
"""

from __future__ import annotations

import re

# A plain scalar that YAML reads as a string: starts with a letter, digit, '_', '.' or '/',
# holds no indicator that changes the meaning (':', '#', quotes, brackets, braces, commas),
# and is not one of YAML 1.1's booleans, nulls or numbers (checked below).
_PLAIN = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./@+\-() ]*")
_NOT_A_STRING = re.compile(
    r"(?i:y|yes|n|no|true|false|on|off|null|~)"
    r"|[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?"
    r"|0x[0-9a-fA-F_]+|0o?[0-7_]+|0b[01_]+|[-+]?\.(?i:inf|nan)"
)
_DOUBLE_QUOTED = re.compile(r'"([^"\\]*)"')
_SINGLE_QUOTED = re.compile(r"'([^']*)'")
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_\-]*):(?: +(.*?))?[ \t]*")
_ITEM = re.compile(r"  - (.*?)[ \t]*|- (.*?)[ \t]*")
_COMMENT = re.compile(r"[ \t]+#.*$")

_Value = str | list[str] | None


def _scalar(text: str) -> str | None:
    """The string a one-line YAML scalar means, or None when unsure."""
    quoted = _DOUBLE_QUOTED.fullmatch(text) or _SINGLE_QUOTED.fullmatch(text)
    if quoted is not None:
        return quoted.group(1)
    # Sexagesimal numbers and dates need ':' or no letters; a letter-free scalar is left to
    # PyYAML, which knows the whole table.
    if (
        _PLAIN.fullmatch(text)
        and not _NOT_A_STRING.fullmatch(text)
        and not text.endswith(" ")
        and any(character.isalpha() for character in text)
    ):
        return text
    return None


def _flow_list(text: str) -> list[str] | None:
    inner = text[1:-1].strip()
    if not inner:
        return []
    values: list[str] = []
    for part in inner.split(","):
        value = _scalar(part.strip())
        if value is None or "[" in part or "]" in part:
            return None
        values.append(value)
    return values


def _value(text: str) -> tuple[bool, _Value]:
    """(covered, value) for the text after ``key:``; covered is False outside the subset."""
    if text.startswith("[") and text.endswith("]"):
        flow = _flow_list(text)
        return flow is not None, flow
    value = _scalar(text)
    return value is not None, value


def load_simple(body: str) -> dict[str, _Value] | None:
    """The mapping ``body`` means, if it is in the simple subset; None to defer to PyYAML."""
    result: dict[str, _Value] = {}
    open_key: str | None = None  # a 'key:' with nothing after it, whose items may follow
    items: list[str] = []
    item_indent: int | None = None  # every item of one list must sit at the same indentation
    for raw in body.split("\n"):
        line = raw.rstrip("\r")
        if "#" in line:
            if line.lstrip().startswith("#"):
                continue
            line = _COMMENT.sub("", line)
            if "#" in line:
                return None
        if not line.strip():
            continue
        if line[0] in " -":
            item = _ITEM.fullmatch(line)
            if item is None or open_key is None:
                return None
            indent = 0 if item.group(1) is None else 2
            if item_indent is None:
                item_indent = indent
            elif indent != item_indent:
                return None
            value = _scalar(item.group(1) if item.group(1) is not None else item.group(2))
            if value is None:
                return None
            items.append(value)
            continue
        if open_key is not None:
            # YAML reads 'key:' with no items after it as null, not as an empty list.
            result[open_key] = items or None
            open_key, items, item_indent = None, [], None
        key = _KEY.fullmatch(line)
        if key is None or key.group(1) in result:
            return None
        if key.group(2) is None:
            open_key = key.group(1)
            continue
        covered, parsed = _value(key.group(2))
        if not covered:
            return None
        result[key.group(1)] = parsed
    if open_key is not None:
        result[open_key] = items or None
    return result
