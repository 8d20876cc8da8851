"""The checker's rules. Importing this package registers every rule."""

from signoff.core.specs.rules import structure, wording
from signoff.core.specs.rules.registry import (
    CheckContext,
    Finding,
    Rule,
    RuleGroup,
    Severity,
    all_rules,
    get_rule,
)

__all__ = [
    "CheckContext",
    "Finding",
    "Rule",
    "RuleGroup",
    "Severity",
    "all_rules",
    "get_rule",
    "structure",
    "wording",
]
