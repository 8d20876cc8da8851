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
from signoff.core.risk.categories import CATEGORIES
from signoff.core.risk.model import RiskRule
from signoff.core.risk.paths import pattern_problem
from signoff.core.standards import (
    DEFAULT_MAX_ACCEPTANCE_CRITERIA,
    CheckerSettings,
    GateDefinition,
    GateSettings,
    RiskSettings,
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


def _indexed(parts: list[str], arrays: dict[str, int]) -> list[str]:
    """The dotted path with each array-of-tables element's index after its name."""
    indexed: list[str] = []
    for position, part in enumerate(parts):
        indexed.append(part)
        plain = ".".join(parts[: position + 1])
        if plain in arrays:
            indexed.append(str(arrays[plain]))
    return indexed


def key_lines(text: str) -> dict[str, int]:
    """Map every table and key (as a dotted path) to the line it is written on.

    An entry of an array of tables gets its index too: in the second ``[[risk.rules]]``,
    ``paths`` is ``risk.rules.1.paths``; the path without indices names the first entry.
    """
    lines: dict[str, int] = {}
    table: list[str] = []
    arrays: dict[str, int] = {}
    in_multiline = False
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                in_multiline = False
            continue
        header = _TABLE.match(line)
        if header is not None:
            parts = _split_key(header.group(1))
            plain = ".".join(parts)
            if line.lstrip().startswith("[["):
                arrays[plain] = arrays.get(plain, -1) + 1
            table = _indexed(parts, arrays)
            lines.setdefault(plain, number)
            lines.setdefault(".".join(table), number)
            continue
        key = _KEY.match(line)
        if key is not None:
            parts = _split_key(key.group(1))
            lines.setdefault(".".join([*table, *parts]), number)
            lines.setdefault(".".join([*(p for p in table if not p.isdigit()), *parts]), number)
            if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                in_multiline = True
    return lines


def _line_for(key: str, lines: dict[str, int]) -> int | None:
    """The line of the key, else of the nearest table or key above it that is written.

    Indices name list entries: ``risk.rules.1.paths`` is tried as written first (an entry of
    an array of tables), then without indices (an entry of an inline list).
    """
    parts = key.split(".")
    for candidates in (parts, [part for part in parts if not part.isdigit()]):
        for end in range(len(candidates), 0, -1):
            dotted = ".".join(candidates[:end])
            if dotted in lines:
                return lines[dotted]
    return None


_GATE_KEYS: dict[str, dict[str, object]] = {
    # kind -> setting -> default (None: required)
    "command": {"command": None, "timeout_seconds": 600},
    "traceability": {"junit": ()},
    "review": {"sample_rate": 0.25, "seed": "signoff"},
    "approval": {"approvers": None, "required": 1, "allow_author": False},
}
_TOP_KEYS = ("slice", "approvers", "gates", "policy", "checker", "risk", "gate")
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
        risk=_risk(check, raw.get("risk", {})),
        gate=_gate_settings(check, raw.get("gate", {})),
    )


# The rule registry loads every checker rule (~25 ms): only a [checker] table naming rules
# needs it, and the gate, which reads signoff.toml on every run, usually has none.
def rule_is_known(name: str) -> bool:
    from signoff.core.specs.check import rule_is_known as known  # noqa: PLC0415

    return known(name)


def _word_rules() -> frozenset[str]:
    from signoff.core.specs.rules.wording import WORDING_RULE_NAMES  # noqa: PLC0415

    return frozenset(WORDING_RULE_NAMES)


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
        if name not in (_word_rules() - {"vague-pronoun"}) and name != "placeholder":
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


_RISK_KEYS = ("builtin", "disable", "rules")
_RULE_KEYS = ("id", "category", "description", "paths", "added_lines", "removed_lines", "exclude")
_RULE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]*")
_BRANCH = re.compile(r"[^\s~^:?*\[\\]+")


def _builtin_rule_ids() -> frozenset[str]:
    # Imported only when [risk] names rules: the table is not needed to check specs.
    from signoff.core.risk.builtin import BUILTIN_RULE_IDS  # noqa: PLC0415

    return BUILTIN_RULE_IDS


def _risk(check: _Validator, raw: object) -> RiskSettings:
    table = check.table(raw, "risk", _RISK_KEYS)
    builtin = check.boolean(table.get("builtin", True), "risk.builtin")
    disabled = check.strings(table.get("disable", []), "risk.disable")
    for name in disabled:
        if name not in _builtin_rule_ids():
            raise check.fail(
                "risk.disable", f"no built-in risk rule is named '{name}'; see docs/risk.md"
            )
    entries = table.get("rules", [])
    if not isinstance(entries, list):
        raise check.fail(
            "risk.rules", "must be a list of tables: write each rule as [[risk.rules]]"
        )
    rules: list[RiskRule] = []
    for index, entry in enumerate(entries):
        rule = _risk_rule(check, index, entry)
        if rule.id in _builtin_rule_ids() or any(rule.id == other.id for other in rules):
            raise check.fail(
                f"risk.rules.{index}.id", f"'{rule.id}' is already a rule id; choose another"
            )
        rules.append(rule)
    return RiskSettings(builtin=builtin, disabled=frozenset(disabled), rules=tuple(rules))


def _patterns(check: _Validator, table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    patterns = check.strings(table[key], where) if table.get(key) else ()
    for pattern in patterns:
        problem = pattern_problem(pattern)
        if problem is not None:
            raise check.fail(where, f"path pattern {pattern!r} {problem}")
    return patterns


def _regexes(check: _Validator, table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    regexes = check.strings(table[key], where) if table.get(key) else ()
    if not regexes:
        return ()
    # Only when a slice writes its own rules: `spec check` start-up never pays for this import.
    from signoff.core.risk.backtracking import nested_repetition  # noqa: PLC0415

    for regex in regexes:
        try:
            re.compile(regex)
        except re.error as error:
            raise check.fail(where, f"invalid regular expression {regex!r}: {error}") from None
        nested = nested_repetition(regex)
        if nested is not None:
            raise check.fail(
                where,
                f"{regex!r} repeats {nested} inside a repetition, which can take exponential "
                "time on one line; make the inner part possessive (a++) or atomic ((?>...))",
            )
    return regexes


def _risk_rule(check: _Validator, index: int, raw: object) -> RiskRule:
    key = f"risk.rules.{index}"
    table = check.table(raw, key, _RULE_KEYS)
    rule_id = check.string(table.get("id", f"slice.{index + 1}"), f"{key}.id")
    if not _RULE_ID.fullmatch(rule_id):
        raise check.fail(f"{key}.id", "a rule id is letters, digits, '.', '-' or '_'")
    if "category" not in table:
        raise check.fail(f"{key}.category", f"is required: one of {', '.join(CATEGORIES)}")
    category = table["category"]
    if category not in CATEGORIES:
        raise check.fail(
            f"{key}.category", f"must be one of {', '.join(CATEGORIES)}, not {category!r}"
        )
    description = check.string(
        table.get("description", f"a file covered by slice rule {rule_id}"), f"{key}.description"
    )
    paths = _patterns(check, table, "paths", f"{key}.paths")
    exclude = _patterns(check, table, "exclude", f"{key}.exclude")
    added = _regexes(check, table, "added_lines", f"{key}.added_lines")
    removed = _regexes(check, table, "removed_lines", f"{key}.removed_lines")
    if not (paths or added or removed):
        raise check.fail(key, "a rule needs at least one of paths, added_lines or removed_lines")
    return RiskRule(
        id=rule_id,
        category=category,
        description=description,
        paths=paths,
        added_lines=added,
        removed_lines=removed,
        exclude=exclude,
        origin="slice",
    )


def _gate_settings(check: _Validator, raw: object) -> GateSettings:
    table = check.table(raw, "gate", ("require_spec", "default_branch"))
    require_spec = check.boolean(table.get("require_spec", False), "gate.require_spec")
    branch = table.get("default_branch")
    if branch is not None:
        branch = check.string(branch, "gate.default_branch")
        if not _BRANCH.fullmatch(branch):
            raise check.fail("gate.default_branch", f"{branch!r} is not a branch name")
    return GateSettings(require_spec=require_spec, default_branch=branch)


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
