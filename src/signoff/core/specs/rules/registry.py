"""The checker's rules: one small function each, registered in a table with a stable code.

Codes and names are a public contract (they appear in CI output, SARIF and ``signoff.toml``):
never renumber or rename one; retire a rule by leaving its code unused.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from signoff.core.specs.model import SpecDocument

if TYPE_CHECKING:
    from signoff.core.events import Question
    from signoff.core.standards import Standards


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


class RuleGroup(enum.Enum):
    """Structure rules decide readiness; wording rules point at probable smells."""

    STRUCTURE = "structure"
    WORDING = "wording"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the checker found, pointing at a line and column of the spec file."""

    rule: str
    name: str
    severity: Severity
    line: int
    column: int
    message: str
    hint: str

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What a rule may consult besides the spec: the standards and the injected world.

    ``path_exists`` answers whether a context path exists in the slice; the service injects a
    filesystem check, tests inject a set. ``open_questions`` gives a spec's unresolved
    clarification questions from the ledger. ``None`` means "cannot tell": the rule stays quiet.
    """

    standards: Standards
    path_exists: Callable[[str], bool] | None = None
    open_questions: Callable[[str], Sequence[Question]] | None = None


RuleFunction = Callable[["Rule", SpecDocument, CheckContext], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A registered rule: identity, default severity, documentation and its check function."""

    code: str
    name: str
    severity: Severity
    group: RuleGroup
    summary: str
    hint: str
    check: RuleFunction | None = field(default=None, compare=False)

    def finding(self, line: int, column: int, message: str, hint: str | None = None) -> Finding:
        return Finding(
            rule=self.code,
            name=self.name,
            severity=self.severity,
            line=line,
            column=column,
            message=message,
            hint=hint or self.hint,
        )


_REGISTRY: dict[str, Rule] = {}


# A rule's identity reads as one row (code, name, severity, group, summary, hint), so the
# registration helpers take it positionally, like a table.
def rule(  # noqa: PLR0917
    code: str,
    name: str,
    severity: Severity,
    group: RuleGroup,
    summary: str,
    hint: str,
) -> Callable[[RuleFunction], RuleFunction]:
    """Register ``function`` as the check of rule ``name``."""

    def register(function: RuleFunction) -> RuleFunction:
        if name in _REGISTRY or any(known.code == code for known in _REGISTRY.values()):
            raise ValueError(f"rule {code} {name} registered twice")
        _REGISTRY[name] = Rule(code, name, severity, group, summary, hint, function)
        return function

    return register


def declare(  # noqa: PLR0917 - see rule() above
    code: str, name: str, severity: Severity, group: RuleGroup, summary: str, hint: str
) -> Rule:
    """Register a rule that is checked outside the per-spec table (e.g. across specs)."""
    if name in _REGISTRY:
        raise ValueError(f"rule {code} {name} registered twice")
    declared = Rule(code, name, severity, group, summary, hint)
    _REGISTRY[name] = declared
    return declared


def all_rules() -> tuple[Rule, ...]:
    """Every rule, in code order."""
    return tuple(sorted(_REGISTRY.values(), key=lambda known: known.code))


def get_rule(name: str) -> Rule:
    return _REGISTRY[name]
