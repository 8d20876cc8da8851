"""Run the rules over one spec or a set of specs, honouring the slice's checker settings."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from signoff.core.specs.rules import CheckContext, Finding, Severity, all_rules, get_rule
from signoff.core.specs.rules.structure import DUPLICATE_ID, UNREADABLE
from signoff.core.specs.rules.wording import WORDING_RULE_NAMES, check_wording

if TYPE_CHECKING:
    from collections.abc import Iterable

    from signoff.core.specs.model import SpecDocument


@dataclass(frozen=True, slots=True)
class SpecResult:
    """The checker's verdict on one spec file."""

    path: str
    spec_id: str | None
    title: str | None
    findings: tuple[Finding, ...]
    readable: bool = True
    id_line: int = 1  # where the id is written: duplicate-id points there

    @property
    def ready(self) -> bool:
        return self.readable and not any(finding.is_error for finding in self.findings)

    @property
    def errors(self) -> int:
        return sum(1 for finding in self.findings if finding.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for finding in self.findings if not finding.is_error)


def _apply_settings(finding: Finding, context: CheckContext) -> Finding | None:
    override = context.standards.checker.severity.get(finding.name)
    if override == "off":
        return None
    if override is None or override == finding.severity.value:
        return finding
    return Finding(
        rule=finding.rule,
        name=finding.name,
        severity=Severity(override),
        line=finding.line,
        column=finding.column,
        message=finding.message,
        hint=finding.hint,
    )


def enabled_rule_names(context: CheckContext) -> frozenset[str]:
    checker = context.standards.checker
    return frozenset(
        rule.name
        for rule in all_rules()
        if rule.name not in checker.disabled and checker.severity.get(rule.name) != "off"
    )


def check_document(
    document: SpecDocument, context: CheckContext, enabled: frozenset[str] | None = None
) -> SpecResult:
    """Every finding for one spec, in file order."""
    encoding = [problem for problem in document.problems if problem.kind == "encoding"]
    if encoding:
        # Nothing else can be said about a file we cannot read; it is never ready, even if
        # the slice switched the rule off.
        problem = encoding[0]
        finding = UNREADABLE.finding(problem.line, problem.column, problem.message)
        return SpecResult(document.path, None, None, (finding,), readable=False)
    if enabled is None:
        enabled = enabled_rule_names(context)
    findings: list[Finding] = []
    for rule in all_rules():
        if rule.check is None or rule.name not in enabled:
            continue
        findings.extend(rule.check(rule, document, context))
    findings.extend(check_wording(document, context, enabled & WORDING_RULE_NAMES))
    adjusted = [kept for finding in findings if (kept := _apply_settings(finding, context))]
    adjusted.sort(key=lambda finding: (finding.line, finding.column, finding.rule))
    return SpecResult(
        document.path,
        document.spec_id,
        document.title,
        tuple(adjusted),
        id_line=document.field_line("id"),
    )


def check_documents(
    documents: Iterable[SpecDocument],
    context: CheckContext,
    other_ids: Iterable[tuple[str, str]] = (),
) -> list[SpecResult]:
    """Check a set of specs; ``other_ids`` are (id, path) of specs in the slice not checked now,
    so a duplicate of an unchecked spec is still caught.

    Documents are checked one at a time and only their results are kept, so a large slice can be
    streamed through without holding every parsed spec in memory.
    """
    enabled = enabled_rule_names(context)
    results = [check_document(document, context, enabled) for document in documents]
    return add_duplicate_ids(results, context, other_ids)


def add_duplicate_ids(
    results: list[SpecResult],
    context: CheckContext,
    other_ids: Iterable[tuple[str, str]] = (),
) -> list[SpecResult]:
    """Add a ``duplicate-id`` finding to every result whose id another spec also carries."""
    if DUPLICATE_ID.name not in enabled_rule_names(context):
        return results
    owners: dict[str, list[str]] = {}
    for spec_id, path in other_ids:
        owners.setdefault(spec_id, []).append(path)
    for result in results:
        if result.spec_id:
            owners.setdefault(result.spec_id, []).append(result.path)
    final: list[SpecResult] = []
    for result in results:
        paths = owners.get(result.spec_id or "", [])
        others = [path for path in paths if path != result.path]
        if not others:
            final.append(result)
            continue
        finding = DUPLICATE_ID.finding(
            result.id_line,
            1,
            f"id {result.spec_id} is also used by {', '.join(sorted(set(others)))}",
        )
        adjusted = _apply_settings(finding, context)
        findings = tuple(
            sorted(
                [*result.findings, *([adjusted] if adjusted else [])],
                key=lambda item: (item.line, item.column, item.rule),
            )
        )
        final.append(replace(result, findings=findings))
    return final


def rule_is_known(name: str) -> bool:
    try:
        get_rule(name)
    except KeyError:
        return False
    return True
