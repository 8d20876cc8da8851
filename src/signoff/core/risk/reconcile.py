"""Declared risk against detected risk: the higher level wins, and every gap is a finding.

A spec declares a level (``reversible`` or ``irreversible``) and, for irreversible work, the
categories it expects. The diff shows categories. Any detected category makes the change
irreversible; a declaration is never lowered by a quiet diff (the author may know what no
pattern can see). Each detected category the spec does not declare is a :class:`Mismatch`
whose message names the spec, the declaration and the first piece of evidence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from signoff.core.risk.model import Evidence, Mismatch, RiskAssessment, RiskLevel

if TYPE_CHECKING:
    from collections.abc import Sequence

    from signoff.core.risk.model import Detection

# Evidence text that already reads as a verb phrase about the file (from path rules and
# detectors); anything else is the matching line, quoted.
_PHRASE_VERBS = ("adds ", "changes ", "deletes ", "renames ", "copies ")


def _level(declared: str | None) -> RiskLevel | None:
    if declared == "irreversible":
        return "irreversible"
    if declared == "reversible":
        return "reversible"
    return None


def describe(evidence: Evidence) -> str:
    """Where and what, e.g. ``db/migrate/1_add.rb adds a Rails migration``."""
    where = evidence.path if evidence.line is None else f"{evidence.path}:{evidence.line}"
    if evidence.text.startswith(_PHRASE_VERBS):
        return f"{where} {evidence.text}"
    return f'{where} has "{evidence.text}"'


def _subject(spec_id: str | None, level: RiskLevel | None, declared: tuple[str, ...]) -> str:
    if spec_id is None:
        return "no spec declares the risk"
    if level is None:
        return f"{spec_id} declares no risk level"
    if level == "reversible":
        return f"{spec_id} is declared reversible"
    if declared:
        return f"{spec_id} declares irreversible ({', '.join(declared)})"
    return f"{spec_id} declares irreversible without categories"


def _message(subject: str, level: RiskLevel | None, detection: Detection) -> str:
    what = describe(detection.evidence[0])
    if level == "irreversible":
        return f"{subject} but the diff also shows {detection.category}: {what}"
    return f"{subject}, but {what} ({detection.category})"


def reconcile(
    spec_id: str | None,
    declared_level: str | None,
    declared_categories: Sequence[str],
    detections: Sequence[Detection],
) -> RiskAssessment:
    """The effective risk of a change and the gaps between what was declared and what shows."""
    level = _level(declared_level)
    declared = tuple(declared_categories)
    detected = tuple(detections)
    effective: RiskLevel = "irreversible" if detected or level == "irreversible" else "reversible"
    subject = _subject(spec_id, level, declared)
    mismatches = tuple(
        Mismatch(
            category=detection.category,
            message=_message(subject, level, detection),
            evidence=detection.evidence[0],
        )
        for detection in detected
        if detection.category not in declared and detection.evidence
    )
    return RiskAssessment(
        declared_level=level,
        declared_categories=declared,
        detected=detected,
        level=effective,
        mismatches=mismatches,
    )
