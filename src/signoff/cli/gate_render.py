"""A gate verdict for people and for CI: text, Markdown, SARIF 2.1.0 and JUnit XML.

Pure functions from a :class:`Verdict` to a string or a JSON-ready dict; the command prints.
No decision is made here: every status shown is the one the verdict holds.

Text taken from a diff or a test report (evidence, test names, details) is untrusted: control and
bidirectional-override characters are replaced before it reaches a terminal, Markdown is escaped
so a diff line cannot inject HTML or @-mention people, and XML gets only characters XML 1.0
allows.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import click

from signoff import __version__
from signoff.core.gates.model import Location

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from signoff.core.gates.model import ApprovalView, GateResult, Verdict
    from signoff.core.risk.model import Evidence, RiskAssessment

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_MAX_RESULTS = 5_000  # GitHub shows at most 5,000 results of a run (25,000 accepted)
SARIF_MAX_LOCATIONS = 10  # GitHub keeps at most 10 locations per result
TEXT_EVIDENCE_PER_CATEGORY = 5
MARKDOWN_EVIDENCE_ROWS = 50  # a PR comment holds at most 65,536 characters
MARKDOWN_APPROVAL_ROWS = 50
SNIPPET_CHARS = 160
DETAIL_CHARS = 400

VERDICT_COLOURS = {"pass": "green", "pending": "yellow", "fail": "red", "blocked": "magenta"}
STATUS_COLOURS = {**VERDICT_COLOURS, "skipped": "bright_black"}
VERDICT_MEANINGS = {
    "pass": "every gate that applies passed",
    "pending": "waiting for a review or an approval",
    "fail": "a gate failed",
    "blocked": "the gate could not decide",
}
GATE_HELP = {
    "command": "A command from signoff.toml must exit 0 on this diff.",
    "traceability": (
        "Every acceptance criterion of the spec must be named by a passing test (name, class "
        "or property), and no failing test may name one."
    ),
    "review": (
        "An in-depth review of this diff: sampled for reversible changes, always for "
        "irreversible ones."
    ),
    "approval": (
        "A named approver must approve this exact diff with `signoff approve`; a new commit "
        "voids the approval."
    ),
}
MISMATCH_RULE = "risk-mismatch"
# Statuses that hold nothing back; any other (fail, blocked, one nobody knows) is reported as a
# problem in every format, so a status this module has not heard of never reads as a pass.
_QUIET_STATUSES = ("pass", "pending", "skipped")

# C0/C1 controls, zero-width and bidirectional-override characters: a diff line holding them
# could rewrite a terminal or hide text in a review (Trojan Source).
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_NOT_XML = re.compile(r"[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_WHITESPACE = re.compile(r"[\t\r\n]+")
_MENTION = re.compile(r"(?<![\w.+-])@(?=\w)")
_HEX = re.compile(r"^[0-9a-f]{40,64}$")
_BACKTICKS = re.compile(r"`+")


# ---------------------------------------------------------------- shared helpers


def _clean(text: str, limit: int = DETAIL_CHARS) -> str:
    """One line, no control characters, at most ``limit`` characters."""
    flat = _UNSAFE.sub("\N{REPLACEMENT CHARACTER}", _WHITESPACE.sub(" ", text)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"


def _short(revision: str | None) -> str:
    if revision is None:
        return "?"
    return revision[:12] if _HEX.match(revision) else revision


def _where(evidence: Evidence | Location) -> str:
    return evidence.path if evidence.line is None else f"{evidence.path}:{evidence.line}"


def _range(verdict: Verdict) -> str:
    diff = verdict.diff
    if diff is None:
        return "no diff"
    span = "staged changes" if diff.staged else f"{_short(diff.base)}..{_short(diff.head)}"
    noun = "file" if diff.files == 1 else "files"
    return f"{span}, {diff.files} {noun} +{diff.added} -{diff.removed}, diff {diff.sha256[:12]}"


def _declared(risk: RiskAssessment) -> str:
    level = risk.declared_level or "undeclared"
    if risk.declared_categories:
        return f"{level} ({', '.join(risk.declared_categories)})"
    return level


def _detected(risk: RiskAssessment) -> str:
    return ", ".join(risk.detected_categories) or "nothing irreversible"


def _sampling_line(verdict: Verdict) -> str | None:
    """The replay line: the numbers anyone can recompute from seed, spec and diff hash."""
    sampling = verdict.sampling
    if sampling is None:
        return None
    relation = "<" if sampling.value < sampling.rate else ">="
    line = f"sampled: {'yes' if sampling.sampled else 'no'}"
    if sampling.sampled != (sampling.value < sampling.rate):
        line += f" ({_clean(sampling.reason)})"  # the rate did not decide: say what did
    sha = verdict.diff.sha256[:12] if verdict.diff else "?"
    return (
        f"{line}, value {sampling.value:.4f} {relation} rate {sampling.rate:g} "
        f"(seed {sampling.seed!r}, spec {verdict.spec or 'none'}, diff {sha})"
    )


def _headline(verdict: Verdict) -> str:
    # Blocked before the diff was read, the spec was never looked for: do not claim there is none.
    spec = verdict.spec or ("no spec" if verdict.diff is not None else "spec not looked up")
    if verdict.spec and verdict.spec_source:
        spec += f" (from {verdict.spec_source})"
    return f"{spec}: {VERDICT_MEANINGS[verdict.verdict]}"


def _approve_command(verdict: Verdict) -> str | None:
    """How to approve, when an approval gate is what the verdict waits for."""
    if not any(g.kind == "approval" and g.status == "pending" for g in verdict.gates):
        return None
    return f"signoff approve --spec {verdict.spec}" if verdict.spec else "signoff approve"


def _approval_note(approval: ApprovalView) -> str:
    if approval.state == "void":
        return f"approved diff {approval.diff_sha256[:12]}, not this one"
    return approval.source


# ---------------------------------------------------------------- text


def _styler(*, color: bool) -> Callable[..., str]:
    """``style(text, colour=None, bold=False)``: click styling, or the text as it is."""

    def style(text: str, colour: str | None = None, *, bold: bool = False) -> str:
        if not color or (colour is None and not bold):
            return text
        return click.style(text, fg=colour, bold=bold)

    return style


def _text_risk(verdict: Verdict, style: Callable[..., str]) -> Iterator[str]:
    risk = verdict.risk
    if risk is None:
        return
    level = style(risk.level, "red" if risk.level == "irreversible" else "green")
    yield (
        f"{style('risk', bold=True)}      declared {_declared(risk)} · detected "
        f"{_detected(risk)} · level {level}"
    )
    for detection in risk.detected:
        for evidence in detection.evidence[:TEXT_EVIDENCE_PER_CATEGORY]:
            where = f"{_clean(_where(evidence))} {_clean(evidence.rule, 80)}"
            line = f"  {detection.category:<12} {where} {_clean(evidence.text, SNIPPET_CHARS)}"
            yield line.rstrip()
        hidden = detection.count - min(len(detection.evidence), TEXT_EVIDENCE_PER_CATEGORY)
        if hidden > 0:
            yield f"  {'':<12} ... and {hidden} more ({detection.count} in all)"
    for mismatch in risk.mismatches:
        yield f"{style('mismatch', 'red', bold=True)}  {_clean(mismatch.message)}"


def _text_gates(verdict: Verdict, style: Callable[..., str]) -> Iterator[str]:
    if not verdict.gates:
        yield f"{style('gates', bold=True)}     none ran"
        return
    yield style("gates", bold=True)
    name_width = max(len(_clean(gate.name, 40)) for gate in verdict.gates)
    for gate in verdict.gates:
        status = style(f"{gate.status:<8}", STATUS_COLOURS.get(gate.status, "magenta"))
        name = _clean(gate.name, 40).ljust(name_width)
        yield f"  {status} {name}  {gate.kind:<12} {_clean(gate.detail)}"


def _text_approvals(verdict: Verdict, style: Callable[..., str]) -> Iterator[str]:
    if not verdict.approvals:
        return
    yield style("approvals", bold=True)
    for approval in verdict.approvals:
        colour = "green" if approval.state == "counted" else "yellow"
        line = (
            f"  {style(f'{approval.state:<12}', colour)} {_clean(approval.approver, 80)}  "
            f"{approval.approved_at.isoformat(timespec='seconds')}  {_approval_note(approval)}"
        )
        if approval.comment:
            line += f"  {_clean(approval.comment, SNIPPET_CHARS)!r}"
        yield line


def render_text(verdict: Verdict, *, color: bool, chain_head: str | None = None) -> str:
    """A compact report for a terminal: the verdict and why first, then the evidence."""
    style = _styler(color=color)
    label = style(verdict.verdict.upper(), VERDICT_COLOURS[verdict.verdict], bold=True)
    lines = [f"{label}  {_clean(_headline(verdict))}"]
    lines.extend(f"  - {_clean(reason)}" for reason in verdict.reasons)
    lines.append(f"{style('diff', bold=True)}      {_range(verdict)}")
    lines.extend(_text_risk(verdict, style))
    lines.extend(_text_gates(verdict, style))
    sampling = _sampling_line(verdict)
    if sampling is not None:
        lines.append(sampling)
    lines.extend(_text_approvals(verdict, style))
    command = _approve_command(verdict)
    if command is not None and verdict.diff is not None:
        lines.append(f"approve   {command}  (binds to diff {verdict.diff.sha256[:12]})")
    if chain_head is not None:
        lines.append(f"ledger    chain head {chain_head}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- markdown


def _md(text: str, limit: int = DETAIL_CHARS) -> str:
    """Plain text safe in a Markdown table cell: no HTML, no pipes, no @-mentions."""
    cleaned = _clean(text, limit).replace("\\", "\\\\").replace("|", "\\|")
    cleaned = cleaned.replace("<", "&lt;").replace(">", "&gt;")
    return _MENTION.sub("@\N{ZERO WIDTH SPACE}", cleaned)


def _md_code(text: str, limit: int = SNIPPET_CHARS) -> str:
    """``text`` as a code span (literal, never a mention or HTML), safe in a table cell."""
    cleaned = _clean(text, limit).replace("|", "\\|")
    if not cleaned:
        return ""
    longest = max((len(run) for run in _BACKTICKS.findall(cleaned)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if cleaned.startswith("`") or cleaned.endswith("`") else ""
    return f"{fence}{pad}{cleaned}{pad}{fence}"


def _md_gates(verdict: Verdict) -> list[str]:
    rows = ["| gate | kind | status | detail |", "| --- | --- | --- | --- |"]
    rows.extend(
        f"| {_md(gate.name, 80)} | {_md(gate.kind, 40)} | **{gate.status}** | {_md(gate.detail)} |"
        for gate in verdict.gates
    )
    if not verdict.gates:
        rows.append("| - | - | - | no gate ran: the verdict was decided before any gate |")
    return rows


def _md_evidence(risk: RiskAssessment) -> list[str]:
    total = sum(detection.count for detection in risk.detected)
    if not total:
        return []
    rows = [
        (
            f"<details><summary>Evidence: {total} in {len(risk.detected)} "
            f"categor{'y' if len(risk.detected) == 1 else 'ies'}</summary>"
        ),
        "",
        "| category | where | rule | text |",
        "| --- | --- | --- | --- |",
    ]
    shown = 0
    for detection in risk.detected:
        for evidence in detection.evidence:
            if shown == MARKDOWN_EVIDENCE_ROWS:
                break
            rows.append(
                f"| {_md(detection.category, 40)} | {_md_code(_where(evidence))} | "
                f"{_md_code(evidence.rule, 80)} | {_md_code(evidence.text)} |"
            )
            shown += 1
    if shown < total:
        rows.extend(["", f"{total - shown} more not shown; `signoff gate --format json` has them."])
    rows.extend(["", "</details>"])
    return rows


def _md_risk(verdict: Verdict) -> list[str]:
    risk = verdict.risk
    if risk is None:
        return []
    lines = [
        "### Risk",
        "",
        (
            f"Declared **{_md(_declared(risk))}** · detected **{_md(_detected(risk))}** · "
            f"level **{risk.level}**"
        ),
    ]
    if risk.mismatches:
        lines.append("")
        lines.extend(
            f"- **Mismatch** ({_md(mismatch.category, 40)}): {_md(mismatch.message)} "
            f"({_md_code(_where(mismatch.evidence))})"
            for mismatch in risk.mismatches
        )
    evidence = _md_evidence(risk)
    if evidence:
        lines.extend(["", *evidence])
    return lines


def _md_approvals(verdict: Verdict) -> list[str]:
    if not verdict.approvals:
        return []
    lines = [
        "### Approvals",
        "",
        "| approver | state | approved at | note | comment |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines.extend(
        f"| {_md(approval.approver, 80)} | **{approval.state}** | "
        f"{approval.approved_at.isoformat(timespec='seconds')} | {_md(_approval_note(approval))} | "
        f"{_md(approval.comment or '', SNIPPET_CHARS)} |"
        for approval in verdict.approvals[:MARKDOWN_APPROVAL_ROWS]
    )
    return lines


def render_markdown(verdict: Verdict, *, chain_head: str | None = None) -> str:
    """A summary fit for a pull-request comment or ``$GITHUB_STEP_SUMMARY``."""
    lines = [
        f"**{verdict.verdict.upper()}** · {_md(_headline(verdict))} · {_md(_range(verdict))}",
    ]
    if verdict.reasons:
        lines.append("")
        lines.extend(f"- {_md(reason)}" for reason in verdict.reasons)
    lines.extend(["", "### Gates", "", *_md_gates(verdict)])
    risk = _md_risk(verdict)
    if risk:
        lines.extend(["", *risk])
    sampling = _sampling_line(verdict)
    if sampling is not None:
        lines.extend(["", "### Review sampling", "", _md_code(sampling, DETAIL_CHARS)])
    approvals = _md_approvals(verdict)
    if approvals:
        lines.extend(["", *approvals])
    command = _approve_command(verdict)
    if command is not None and verdict.diff is not None:
        lines.extend(
            [
                "",
                "### How to approve",
                "",
                (
                    f"A named approver runs `{command}` on this exact change (diff "
                    f"`{verdict.diff.sha256[:12]}`); any new commit voids the approval."
                ),
            ]
        )
    if chain_head is not None:
        lines.extend(
            [
                "",
                (
                    f"<sub>ledger chain head `{_clean(chain_head, 80)}`: check it with "
                    f"`signoff ledger verify --expect-head {_clean(chain_head, 80)}`</sub>"
                ),
            ]
        )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- SARIF


def _gate_message(gate: GateResult) -> str:
    return f"gate {gate.name} {gate.status}: {_clean(gate.detail)}"


def _sarif_location(where: Evidence | Location) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": quote(where.path, safe="/"), "uriBaseId": "%SRCROOT%"}
    }
    if where.line is not None and where.line >= 1:
        physical["region"] = {"startLine": where.line}
    return {"physicalLocation": physical}


def _sarif_rules(verdict: Verdict) -> list[dict[str, Any]]:
    rules: dict[str, dict[str, Any]] = {}
    risk = verdict.risk
    for detection in risk.detected if risk else ():
        for evidence in detection.evidence:
            rules.setdefault(
                f"risk/{evidence.rule}",
                {
                    "id": f"risk/{evidence.rule}",
                    "shortDescription": {"text": f"{detection.category} risk ({evidence.rule})"},
                    "help": {
                        "text": (
                            f"Rule {evidence.rule} found {detection.category} risk: an "
                            "irreversible change, which needs the gates the policy names for "
                            "irreversible work. Declare it in the spec (risk: irreversible, "
                            f"risk_categories: [{detection.category}]) if it is meant."
                        )
                    },
                    "defaultConfiguration": {"level": "note"},
                    "properties": {"tags": ["signoff", "risk", detection.category]},
                },
            )
    if risk is not None and risk.mismatches:
        rules[MISMATCH_RULE] = {
            "id": MISMATCH_RULE,
            "shortDescription": {"text": "The diff shows risk the spec does not declare"},
            "help": {
                "text": (
                    "Detected risk raises the declared level, never lowers it. Declare the "
                    "category in the spec (risk_categories) or take it out of the change."
                )
            },
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["signoff", "risk"]},
        }
    for gate in verdict.gates:
        rules.setdefault(
            f"gate/{gate.kind}",
            {
                "id": f"gate/{gate.kind}",
                "shortDescription": {"text": f"signoff {gate.kind} gate"},
                "help": {"text": GATE_HELP.get(gate.kind, "A gate the policy names.")},
                "defaultConfiguration": {"level": "error"},
                "properties": {"tags": ["signoff", "gate"]},
            },
        )
    return list(rules.values())


def _gate_locations(gate: GateResult, anchor: str | None) -> list[dict[str, Any]]:
    if gate.locations:
        return [_sarif_location(where) for where in gate.locations[:SARIF_MAX_LOCATIONS]]
    return [_sarif_location(Location(anchor))] if anchor else []


def _sarif_results(verdict: Verdict, anchor: str | None) -> Iterator[dict[str, Any]]:
    risk = verdict.risk
    for mismatch in risk.mismatches if risk else ():
        yield {
            "ruleId": MISMATCH_RULE,
            "level": "error",
            "message": {"text": _clean(mismatch.message)},
            "locations": [_sarif_location(mismatch.evidence)],
        }
    for gate in verdict.gates:
        locations = _gate_locations(gate, anchor)
        if gate.status not in _QUIET_STATUSES and locations:
            yield {
                "ruleId": f"gate/{gate.kind}",
                "level": "error",
                "message": {"text": _gate_message(gate)},
                "locations": locations,
            }
    for detection in risk.detected if risk else ():
        for evidence in detection.evidence:
            snippet = _clean(evidence.text, SNIPPET_CHARS)
            text = f"{detection.category} risk: rule {evidence.rule} matched"
            yield {
                "ruleId": f"risk/{evidence.rule}",
                "level": "note",
                "message": {"text": f"{text}: {snippet}" if snippet else f"{text} the path"},
                "locations": [_sarif_location(evidence)],
            }


def render_sarif(
    verdict: Verdict, *, chain_head: str | None = None, anchor: str | None = None
) -> dict[str, Any]:
    """SARIF 2.1.0 for GitHub code scanning: detections, mismatches and failed gates.

    Mismatches and failed or blocked gates come first, so GitHub's cap on shown results never
    hides them behind evidence. Locations are relative to the repository root (%SRCROOT%).

    GitHub rejects a whole file when one result has no location, so a failed gate that names
    none points at ``anchor`` (a repository-relative file, say the ``signoff.toml`` that
    defines the gate); without an anchor it is reported as a tool notification instead.
    """
    rules = _sarif_rules(verdict)
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    results: list[dict[str, Any]] = []
    dropped = 0
    for result in _sarif_results(verdict, anchor):
        if len(results) < SARIF_MAX_RESULTS:
            results.append({**result, "ruleIndex": index[result["ruleId"]]})
        else:
            dropped += 1
    notifications = [
        {"level": "error", "message": {"text": _clean(reason)}}
        for reason in verdict.reasons
        if verdict.verdict == "blocked"
    ]
    notifications.extend(
        {"level": "error", "message": {"text": _gate_message(gate)}}
        for gate in verdict.gates
        if gate.status not in _QUIET_STATUSES and not _gate_locations(gate, anchor)
    )
    if dropped:
        notifications.append(
            {
                "level": "note",
                "message": {
                    "text": f"{dropped} results left out (GitHub shows {SARIF_MAX_RESULTS}); "
                    "`signoff gate --format json` has them all"
                },
            }
        )
    invocation: dict[str, Any] = {
        "executionSuccessful": verdict.verdict != "blocked",
        "exitCode": verdict.exit_code,
        "exitCodeDescription": verdict.verdict,
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "signoff",
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "invocations": [invocation],
                "results": results,
                "properties": {
                    "verdict": verdict.verdict,
                    "spec": verdict.spec,
                    "diffSha256": verdict.diff.sha256 if verdict.diff else None,
                    "chainHead": chain_head,
                },
            }
        ],
    }


# ---------------------------------------------------------------- JUnit


def _xml(text: str) -> str:
    return _NOT_XML.sub("\N{REPLACEMENT CHARACTER}", text)


def _outcome(case: ET.Element, status: str, detail: str, kind: str) -> None:
    """The child that gives a test case its outcome; a pass has none, and only a pass."""
    message = _xml(_clean(detail))
    if status == "pass":
        return
    if status in ("pending", "skipped"):
        # pending is not a pass: it is reported as skipped, and CI relies on the exit code (3).
        ET.SubElement(case, "skipped", message=f"{status}: {message}")
        return
    tag = "failure" if status == "fail" else "error"  # blocked, or a status nobody knows
    ET.SubElement(case, tag, message=message, type=kind).text = _xml(detail)


def render_junit(verdict: Verdict, *, chain_head: str | None = None) -> str:
    """JUnit XML: one test case per gate (classname ``signoff.gate``), and one for the verdict.

    The verdict's own test case (classname ``signoff``, name ``verdict``) makes a blocked
    verdict with no gates show as an error rather than as an empty, green report.
    """
    counts = {"failures": 0, "errors": 0, "skipped": 0}
    counted = {"fail": "failures", "blocked": "errors", "pending": "skipped", "skipped": "skipped"}
    statuses = [gate.status for gate in verdict.gates] + [verdict.verdict]
    for status in statuses:
        if status != "pass":
            counts[counted.get(status, "errors")] += 1
    totals = {"tests": str(len(statuses))} | {key: str(value) for key, value in counts.items()}
    root = ET.Element("testsuites", {"name": "signoff", **totals})
    suite = ET.SubElement(root, "testsuite", {"name": "signoff gate", **totals})
    properties = ET.SubElement(suite, "properties")
    facts = {
        "signoff.verdict": verdict.verdict,
        "signoff.exit_code": str(verdict.exit_code),
        "signoff.spec": verdict.spec or "",
        "signoff.diff.sha256": verdict.diff.sha256 if verdict.diff else "",
        "signoff.ledger.chain_head": chain_head or "",
    }
    for name, value in facts.items():
        ET.SubElement(properties, "property", name=name, value=_xml(value))
    for gate in verdict.gates:
        case = ET.SubElement(suite, "testcase", classname="signoff.gate", name=_xml(gate.name))
        _outcome(case, gate.status, gate.detail, gate.kind)
    case = ET.SubElement(suite, "testcase", classname="signoff", name="verdict")
    why = "\n".join(verdict.reasons) or VERDICT_MEANINGS[verdict.verdict]
    _outcome(case, verdict.verdict, why, "verdict")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
