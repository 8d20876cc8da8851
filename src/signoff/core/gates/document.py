"""The verdict as a JSON document: the shape CI scripts and the dashboard read.

The keys are a contract (issue 4, ``docs/schemas/verdict.schema.json``): version 1 may gain
keys, never lose or rename one. A section the gate never reached (a verdict blocked before the
diff or the risk was known) is ``null`` rather than missing, so a reader can tell "not known"
from "empty".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from signoff.core.gates.model import (
        ApprovalView,
        GateResult,
        Sampling,
        Verdict,
    )
    from signoff.core.risk.model import RiskAssessment

DOCUMENT_VERSION = 1


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types: tuples become lists, times ISO 8601, the rest ``str``.

    Gate ``data`` is whatever a gate kind adds; this keeps the document serialisable whatever
    it holds. NaN and infinities, which JSON cannot carry, become null.
    """
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [jsonable(item) for item in items]
    return str(value)


def _risk(risk: RiskAssessment) -> dict[str, Any]:
    return {
        "declared": {"level": risk.declared_level, "categories": list(risk.declared_categories)},
        "detected": [
            {
                "category": detection.category,
                "count": detection.count,
                "evidence": [asdict(evidence) for evidence in detection.evidence],
            }
            for detection in risk.detected
        ],
        "level": risk.level,
        "mismatch": [
            {
                "category": mismatch.category,
                "message": mismatch.message,
                "evidence": asdict(mismatch.evidence),
            }
            for mismatch in risk.mismatches
        ],
    }


def _gate(gate: GateResult) -> dict[str, Any]:
    return {
        "name": gate.name,
        "kind": gate.kind,
        "status": gate.status,
        "detail": gate.detail,
        "data": jsonable(gate.data),
        "locations": [{"path": where.path, "line": where.line} for where in gate.locations],
    }


def _sampling(sampling: Sampling) -> dict[str, Any]:
    return {
        "rate": jsonable(sampling.rate),
        "seed": sampling.seed,
        "value": jsonable(sampling.value),
        "sampled": sampling.sampled,
        "reason": sampling.reason,
    }


def _approval(approval: ApprovalView) -> dict[str, Any]:
    return {
        "approver": approval.approver,
        "diff_sha256": approval.diff_sha256,
        "approved_at": approval.approved_at.isoformat(),
        "source": approval.source,
        "comment": approval.comment,
        "state": approval.state,
        "gate": approval.gate,
    }


def verdict_document(verdict: Verdict, *, chain_head: str | None = None) -> dict[str, Any]:
    """The verdict as JSON-ready values; ``chain_head`` is the ledger's hash after recording it."""
    return {
        "version": DOCUMENT_VERSION,
        "verdict": verdict.verdict,
        "exit_code": verdict.exit_code,
        "reasons": list(verdict.reasons),
        "spec": verdict.spec,
        "spec_source": verdict.spec_source,
        "diff": None if verdict.diff is None else asdict(verdict.diff),
        "risk": None if verdict.risk is None else _risk(verdict.risk),
        "gates": [_gate(gate) for gate in verdict.gates],
        "sampling": None if verdict.sampling is None else _sampling(verdict.sampling),
        "approvals": [_approval(approval) for approval in verdict.approvals],
        "ledger": {"chain_head": chain_head},
    }
