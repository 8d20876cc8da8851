"""Read and validate ``signoff.toml`` into :class:`signoff.core.standards.Standards`.

Validation happens here, at the edge: unknown keys, wrong types and dangling names are
refused, and the first problem is reported as ``signoff.toml:<line>: <dotted.key>: <problem>``.
``tomllib`` keeps no line numbers, so :func:`key_lines` maps dotted keys to lines with a small
scan of the file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from signoff.core.errors import ConfigError
from signoff.core.specs.check import rule_is_known
from signoff.core.specs.rules.wording import WORDING_RULE_NAMES
from signoff.core.standards import (
    DEFAULT_MAX_ACCEPTANCE_CRITERIA,
    CheckerSettings,
    GateDefinition,
    SeverityName,
    Standards,
)

if TYPE_CHECKING:
    from pathlib import Path

STANDARDS_FILE = "signoff.toml"

_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+))*)\s*="""
)


def _split_key(dotted: str) -> list[str]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([A-Za-z0-9_\-]+)', dotted)
    return [double or single or bare for double, single, bare in parts]


def key_lines(text: str) -> dict[str, int]:
    """Map every table and key (as a dotted path) to the line it is written on."""
    lines: dict[str, int] = {}
    table: list[str] = []
    in_multiline = False
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                in_multiline = False
            continue
        header = _TABLE.match(line)
        if header is not None:
            table = _split_key(header.group(1))
            lines.setdefault(".".join(table), number)
            continue
        key = _KEY.match(line)
        if key is not None:
            path = ".".join([*table, *_split_key(key.group(1))])
            lines.setdefault(path, number)
            if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                in_multiline = True
    return lines


def _line_for(key: str, lines: dict[str, int]) -> int | None:
    parts = key.split(".")
    while parts:
        candidate = ".".join(part for part in parts if not part.isdigit())
        if candidate in lines:
            return lines[candidate]
        parts.pop()
    return None


_GATE_KEYS: dict[str, dict[str, object]] = {
    # kind -> setting -> default (None: required)
    "command": {"command": None, "timeout_seconds": 600},
    "traceability": {"junit": ()},
    "review": {"sample_rate": 0.25, "seed": "signoff"},
    "approval": {"approvers": None, "required": 1, "allow_author": False},
}
_TOP_KEYS = ("slice", "approvers", "gates", "policy", "checker")
_CHECKER_KEYS = ("max_acceptance_criteria", "disable", "severity", "words")
_GATE_NAME = re.compile(r"[a-z0-9][a-z0-9_\-]*")


def _type_name(value: object) -> str:
    names = {
        dict: "a table",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a whole number",
        float: "a number",
    }
    return names.get(type(value), f"a {type(value).__name__}")


def _describe_value(value: object) -> str:
    if isinstance(value, (dict, list)):
        return _type_name(value)
    return f"{_type_name(value)} ({value!r})"


class _Validator:
    """Checks the parsed TOML against the documented shape; the first problem is raised.

    Written by hand rather than with pydantic: ``signoff spec check`` runs in pre-commit hooks,
    and importing pydantic costs a large share of the 250 ms start-up budget.
    """

    def __init__(self, path: str, lines: dict[str, int]) -> None:
        self.path = path
        self.lines = lines

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(self.path, _line_for(key, self.lines), key or None, problem)

    def table(self, value: object, key: str, allowed: tuple[str, ...] | None) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table ([{key}]), not {_type_name(value)}")
        if allowed is not None:
            for name in value:
                if name not in allowed:
                    raise self.fail(
                        f"{key}.{name}" if key else name,
                        f"unknown key; expected one of {', '.join(allowed)}",
                    )
        return value

    def string(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"must be a non-empty string, not {_describe_value(value)}")
        return value

    def strings(self, value: object, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(
            isinstance(entry, str) and entry.strip() for entry in value
        ):
            raise self.fail(
                key, f"must be a list of non-empty strings, not {_describe_value(value)}"
            )
        return tuple(value)

    def integer(self, value: object, key: str, minimum: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(
                key, f"must be a whole number >= {minimum}, not {_describe_value(value)}"
            )
        return value

    def rate(self, value: object, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise self.fail(key, f"must be a number from 0 to 1, not {_describe_value(value)}")
        return float(value)

    def boolean(self, value: object, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false, not {_describe_value(value)}")
        return value


def _gate(check: _Validator, name: str, raw: object) -> GateDefinition:
    key = f"gates.{name}"
    if not _GATE_NAME.fullmatch(name):
        raise check.fail(key, "a gate name is lowercase letters, digits, - or _")
    table = check.table(raw, key, None)
    kind = table.get("kind")
    if kind not in _GATE_KEYS:
        raise check.fail(f"{key}.kind", "must be one of command, traceability, review, approval")
    known = _GATE_KEYS[str(kind)]
    check.table(table, key, ("kind", *known))
    for setting, default in known.items():
        if default is None and setting not in table:
            raise check.fail(f"{key}.{setting}", f"is required for a {kind} gate")
    definition = GateDefinition(name=name, kind=kind)
    values: dict[str, Any] = {}
    for setting, value in table.items():
        where = f"{key}.{setting}"
        if setting in ("command", "seed", "approvers"):
            values[setting] = check.string(value, where)
        elif setting == "junit":
            values[setting] = check.strings(value, where) if value else ()
        elif setting in ("timeout_seconds", "required"):
            values[setting] = check.integer(value, where, 1)
        elif setting == "sample_rate":
            values[setting] = check.rate(value, where)
        elif setting == "allow_author":
            values[setting] = check.boolean(value, where)
    return replace(definition, **values)


def parse_standards(text: str, path: str = STANDARDS_FILE) -> Standards:
    """Validate the text of ``signoff.toml``; raise :class:`ConfigError` at the first problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        line = int(match.group(1)) if match else None
        raise ConfigError(path, line, None, f"not valid TOML: {reason}") from None
    check = _Validator(path, key_lines(text))
    check.table(raw, "", _TOP_KEYS)
    if "slice" not in raw:
        raise ConfigError(path, 1, "slice", 'is required: add [slice] with name = "..."')
    slice_table = check.table(raw["slice"], "slice", ("name", "owners", "specs_dir"))
    if "name" not in slice_table:
        raise check.fail("slice.name", "is required")
    slice_name = check.string(slice_table["name"], "slice.name")
    owners = check.strings(slice_table.get("owners", []), "slice.owners")
    specs_dir = check.string(slice_table.get("specs_dir", "specs"), "slice.specs_dir")

    approvers = check.table(raw.get("approvers", {}), "approvers", None)
    groups = {
        name: check.strings(members, f"approvers.{name}") for name, members in approvers.items()
    }

    gates_table = check.table(raw.get("gates", {}), "gates", None)
    gates = {name: _gate(check, name, value) for name, value in gates_table.items()}
    for gate in gates.values():
        if gate.kind == "approval" and gate.approvers not in groups:
            known = ", ".join(sorted(groups)) or "none defined"
            raise check.fail(
                f"gates.{gate.name}.approvers",
                f"approver group '{gate.approvers}' is not defined under [approvers] ({known})",
            )

    policy_table = check.table(raw.get("policy", {}), "policy", ("reversible", "irreversible"))
    policy: dict[str, tuple[str, ...]] = {}
    for level in ("reversible", "irreversible"):
        names = check.strings(policy_table.get(level, []), f"policy.{level}")
        for name in names:
            if name not in gates:
                raise check.fail(
                    f"policy.{level}",
                    f"gate '{name}' is not defined; "
                    f"add [gates.{name}] or remove it from the policy",
                )
        policy[level] = names

    return Standards(
        slice_name=slice_name,
        owners=owners,
        specs_dir=specs_dir,
        approver_groups=groups,
        gates=gates,
        policy=policy,
        checker=_checker(check, raw.get("checker", {})),
    )


def _checker(check: _Validator, raw: object) -> CheckerSettings:
    table = check.table(raw, "checker", _CHECKER_KEYS)
    maximum = check.integer(
        table.get("max_acceptance_criteria", DEFAULT_MAX_ACCEPTANCE_CRITERIA),
        "checker.max_acceptance_criteria",
        1,
    )
    disabled = check.strings(table.get("disable", []), "checker.disable")
    for name in disabled:
        if not rule_is_known(name):
            raise check.fail("checker.disable", f"no rule is named '{name}'; see docs/rules.md")
    severity: dict[str, SeverityName] = {}
    for name, level in check.table(table.get("severity", {}), "checker.severity", None).items():
        key = f"checker.severity.{name}"
        if not rule_is_known(name):
            raise check.fail(key, f"no rule is named '{name}'; see docs/rules.md")
        if level not in ("error", "warning", "off"):
            raise check.fail(key, f'must be "error", "warning" or "off", not {level!r}')
        severity[name] = level
    words: dict[str, tuple[str, ...]] = {}
    for name, entries in check.table(table.get("words", {}), "checker.words", None).items():
        key = f"checker.words.{name}"
        # vague-pronoun works from grammar, not a word list, so it takes no extra words.
        if name not in (WORDING_RULE_NAMES - {"vague-pronoun"}) and name != "placeholder":
            raise check.fail(
                key, f"'{name}' takes no word list; the wording rules and placeholder do"
            )
        words[name] = check.strings(entries, key)
    return CheckerSettings(
        max_acceptance_criteria=maximum,
        disabled=frozenset(disabled),
        severity=severity,
        extra_words=words,
    )


def load_standards(root: Path) -> Standards:
    """Read ``<root>/signoff.toml``."""
    path = root / STANDARDS_FILE
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(str(path), None, None, f"cannot be read: {error.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(str(path), None, None, "is not UTF-8 text; save it as UTF-8") from None
    return parse_standards(text, str(path))
