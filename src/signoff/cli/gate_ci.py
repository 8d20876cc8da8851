"""A gate verdict for CI tools: SARIF 2.1.0 for code scanning and JUnit XML for test reporters.

Pure functions from a :class:`Verdict` to a JSON-ready dict or a string; the command prints.
The wording and the cleaning of untrusted text are :mod:`signoff.cli.gate_render`'s; XML gets
only the characters XML 1.0 allows.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from signoff.cli.gate_render import (
    GATE_HELP,
    MISMATCH_RULE,
    QUIET_STATUSES,
    SNIPPET_CHARS,
    VERDICT_MEANINGS,
    clean,
)
from signoff.cli.sarif import sarif_log
from signoff.core.gates.model import Location

if TYPE_CHECKING:
    from collections.abc import Iterator

    from signoff.core.gates.model import GateResult, Verdict
    from signoff.core.risk.model import Evidence

SARIF_MAX_RESULTS = 5_000  # GitHub shows at most 5,000 results of a run (25,000 accepted)
SARIF_MAX_LOCATIONS = 10  # GitHub keeps at most 10 locations per result
_NOT_XML = re.compile(r"[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# ---------------------------------------------------------------- SARIF


def _gate_message(gate: GateResult) -> str:
    return f"gate {gate.name} {gate.status}: {clean(gate.detail)}"


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
            "message": {"text": clean(mismatch.message)},
            "locations": [_sarif_location(mismatch.evidence)],
        }
    for gate in verdict.gates:
        locations = _gate_locations(gate, anchor)
        if gate.status not in QUIET_STATUSES and locations:
            yield {
                "ruleId": f"gate/{gate.kind}",
                "level": "error",
                "message": {"text": _gate_message(gate)},
                "locations": locations,
            }
    for detection in risk.detected if risk else ():
        for evidence in detection.evidence:
            snippet = clean(evidence.text, SNIPPET_CHARS)
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
        {"level": "error", "message": {"text": clean(reason)}}
        for reason in verdict.reasons
        if verdict.verdict == "blocked"
    ]
    notifications.extend(
        {"level": "error", "message": {"text": _gate_message(gate)}}
        for gate in verdict.gates
        if gate.status not in QUIET_STATUSES and not _gate_locations(gate, anchor)
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
    log = sarif_log(rules, results, invocations=[invocation])
    log["runs"][0]["properties"] = {
        "verdict": verdict.verdict,
        "spec": verdict.spec,
        "diffSha256": verdict.diff.sha256 if verdict.diff else None,
        "chainHead": chain_head,
    }
    return log


# ---------------------------------------------------------------- JUnit


def _xml(text: str) -> str:
    return _NOT_XML.sub("\N{REPLACEMENT CHARACTER}", text)


def _outcome(case: ET.Element, status: str, detail: str, kind: str) -> None:
    """The child that gives a test case its outcome; a pass has none, and only a pass."""
    message = _xml(clean(detail))
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
