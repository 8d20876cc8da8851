"""The story lifecycle: which stage changes a guard allows, and what is missing when it does not.

Pure decisions over plain facts; the service gathers the facts (the checker's verdict, the
open questions, the last rejection) and records the move.
"""

from __future__ import annotations

from dataclasses import dataclass

from signoff.core.errors import MoveRefusedError, UsageError
from signoff.core.specs.model import STATUSES


@dataclass(frozen=True, slots=True)
class MoveFacts:
    """What the guards need to know about the spec being moved."""

    spec_id: str
    current: str | None
    errors: tuple[str, ...]  # "line: rule message" of each checker error
    open_questions: tuple[str, ...]  # refs of unresolved questions
    rejected_unchanged: str | None  # the rejected question, if the text has not changed since


def check_move(facts: MoveFacts, target: str, reason: str | None) -> None:
    """Raise :class:`MoveRefusedError` saying what is missing, or return when the move may go."""
    if target not in STATUSES:
        raise UsageError(f"'{target}' is not a stage; stages are {', '.join(STATUSES)}")
    spec = facts.spec_id
    if target == "approved":
        raise MoveRefusedError(
            f"{spec}: 'approved' is reached only through a gate verdict, when every gate of the "
            "change passes (signoff gate records it); it cannot be set by hand"
        )
    if target == "abandoned" and not (reason and reason.strip()):
        raise MoveRefusedError(
            f'{spec}: abandoning needs a reason, for the journal: add --reason "…"'
        )
    _check_order(facts, target)
    if target == "ready":
        missing: list[str] = []
        if facts.errors:
            shown = "; ".join(facts.errors[:3]) + (" …" if len(facts.errors) > 3 else "")
            missing.append(f"{len(facts.errors)} checker error(s) ({shown})")
        if facts.open_questions:
            missing.append(
                f"open question(s) {', '.join(facts.open_questions)}: answer, defer or reject them"
            )
        if facts.rejected_unchanged:
            missing.append(
                f"a change to its text since {facts.rejected_unchanged} was rejected as a sign "
                "the spec is fuzzy"
            )
        if missing:
            raise MoveRefusedError(f"{spec} cannot be ready: " + "; ".join(missing))


# The loop a story goes through, in order; abandoned leaves it from anywhere.
LOOP: tuple[str, ...] = tuple(stage for stage in STATUSES if stage != "abandoned")


def _check_order(facts: MoveFacts, target: str) -> None:
    """Forward moves take one step along the loop; going back is always allowed.

    Skipping a step would skip its guard: draft -> in-progress skips the readiness check,
    in-review -> merged skips the gates.
    """
    if target == "abandoned" or facts.current not in LOOP or target not in LOOP:
        return
    here, there = LOOP.index(facts.current), LOOP.index(target)
    if there > here + 1:
        step = LOOP[here + 1]
        hint = (
            "which only a gate verdict does"
            if step == "approved"
            else f"first: signoff spec move {facts.spec_id} {step}"
        )
        raise MoveRefusedError(
            f"{facts.spec_id} is {facts.current}: it moves forward one stage at a time, "
            f"to {step} next ({hint})"
        )
