"""Turn the checker's findings into a few good questions for the spec's owner.

Asking too much hurts (HumanEvalComm: an agent that asked on most problems lost accuracy on
clear ones), so: at most five, only where a rule fired, structural gaps before wording, and
among those the ones that block the most of the spec first. Each question cites its span and,
where the rule allows, offers options with a recommended one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from signoff.core.specs.model import SpecDocument
    from signoff.core.specs.rules import Finding

MAX_QUESTIONS = 5

# How much of the spec a gap blocks: a missing section or unknown risk blocks every criterion;
# one unverifiable criterion blocks itself.
_WEIGHT = {
    "front-matter": 100,
    "missing-section": 90,
    "risk-unclassified": 80,
    "risk-inconsistent": 75,
    "approval-gate-missing": 70,
    "placeholder": 60,
    "unverifiable-criterion": 50,
    "criterion-id": 40,
    "unknown-gate": 35,
    "missing-field": 30,
    "missing-unwanted-case": 25,
    "too-large": 20,
}


# Fixes that need no decision from the owner: a wrong id, a typo in a gate or path.
_MECHANICAL = frozenset(
    {
        "criterion-id",
        "unknown-gate",
        "missing-field",
        "front-matter",
        "context-missing-path",
        "duplicate-id",
        "unreadable",
        "open-question",
    }
)


@dataclass(frozen=True, slots=True)
class SuggestedQuestion:
    """A question the spec's text suggests asking, with the line that raises it."""

    text: str
    cites: str  # "path:line"
    rule: str
    options: tuple[str, ...] = ()
    recommended: int | None = None  # 1-based index into options


def _question_for(finding: Finding, document: SpecDocument) -> SuggestedQuestion | None:
    cites = f"{document.path}:{finding.line}"
    name = finding.name
    if name == "risk-unclassified":
        return SuggestedQuestion(
            "Can this change be undone after release, or not?",
            cites,
            name,
            (
                "reversible: a revert undoes it",
                "irreversible: data, deploy, copy or contract change",
            ),
            1,
        )
    if name == "risk-inconsistent":
        return SuggestedQuestion(
            f"The risk level and categories disagree ({finding.message}). Which is right?",
            cites,
            name,
            ("irreversible, keep the categories", "reversible, drop the categories"),
        )
    if name == "approval-gate-missing":
        return SuggestedQuestion(
            "Who must sign off this irreversible change before it ships?", cites, name
        )
    if name == "missing-section":
        return SuggestedQuestion(f"{finding.message}: what should it say?", cites, name)
    if name == "placeholder":
        found = finding.message.removesuffix(" left in the spec")
        return SuggestedQuestion(
            f"The spec still has a {found}: what is the decision?", cites, name
        )
    if name == "unverifiable-criterion":
        criterion = finding.message.split(" has no testable shape")[0]
        return SuggestedQuestion(
            f"{criterion} is not testable as written: what observable outcome shows it is met?",
            cites,
            name,
        )
    if name == "missing-unwanted-case":
        return SuggestedQuestion(
            "This change cannot be undone: what must happen if it fails halfway?", cites, name
        )
    if name == "too-large":
        return SuggestedQuestion(
            f"{finding.message}. Which criteria can move to a follow-up story?",
            cites,
            name,
        )
    if name in _MECHANICAL:
        return None  # the owner needs no question to fix these
    if finding.severity.value == "warning" and finding.name not in _WEIGHT:
        # A wording smell: ask for the exact value or wording.
        return SuggestedQuestion(f"{finding.message}: what exactly is meant?", cites, name)
    return SuggestedQuestion(f"{finding.message}?", cites, name)


def suggest_questions(
    document: SpecDocument, findings: Sequence[Finding], limit: int = MAX_QUESTIONS
) -> list[SuggestedQuestion]:
    """At most ``limit`` questions, errors before warnings, heaviest gaps first."""
    ranked = sorted(
        findings,
        key=lambda finding: (
            0 if finding.is_error else 1,
            -_WEIGHT.get(finding.name, 10),
            finding.line,
        ),
    )
    questions: list[SuggestedQuestion] = []
    seen: set[str] = set()
    for finding in ranked:
        question = _question_for(finding, document)
        if question is None or question.text in seen:
            continue
        seen.add(question.text)
        questions.append(question)
        if len(questions) == limit:
            break
    return questions


__all__ = ["MAX_QUESTIONS", "SuggestedQuestion", "suggest_questions"]
