"""A gate verdict for people: text for a terminal and Markdown for a pull-request comment.

Pure functions from a :class:`Verdict` to a string; the command prints. No decision is made
here: every status shown is the one the verdict holds. The formats for CI tools, SARIF and
JUnit XML, are in :mod:`signoff.cli.gate_ci`, which shares the helpers and wording here.

Text taken from a diff or a test report (evidence, test names, details) is untrusted: control and
bidirectional-override characters are replaced before it reaches a terminal, and Markdown is
escaped so a diff line cannot inject HTML or @-mention people.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from signoff.core.gates.model import ApprovalView, Location, Verdict
    from signoff.core.risk.model import Evidence, RiskAssessment

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
QUIET_STATUSES = ("pass", "pending", "skipped")

# C0/C1 controls, zero-width and bidirectional-override characters: a diff line holding them
# could rewrite a terminal or hide text in a review (Trojan Source).
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_WHITESPACE = re.compile(r"[\t\r\n]+")
_MENTION = re.compile(r"(?<![\w.+-])@(?=\w)")
_HEX = re.compile(r"^[0-9a-f]{40,64}$")
_BACKTICKS = re.compile(r"`+")


# ---------------------------------------------------------------- shared helpers


def clean(text: str, limit: int = DETAIL_CHARS) -> str:
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
        line += f" ({clean(sampling.reason)})"  # the rate did not decide: say what did
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
            where = f"{clean(_where(evidence))} {clean(evidence.rule, 80)}"
            line = f"  {detection.category:<12} {where} {clean(evidence.text, SNIPPET_CHARS)}"
            yield line.rstrip()
        hidden = detection.count - min(len(detection.evidence), TEXT_EVIDENCE_PER_CATEGORY)
        if hidden > 0:
            yield f"  {'':<12} ... and {hidden} more ({detection.count} in all)"
    for mismatch in risk.mismatches:
        yield f"{style('mismatch', 'red', bold=True)}  {clean(mismatch.message)}"


def _text_gates(verdict: Verdict, style: Callable[..., str]) -> Iterator[str]:
    if not verdict.gates:
        yield f"{style('gates', bold=True)}     none ran"
        return
    yield style("gates", bold=True)
    name_width = max(len(clean(gate.name, 40)) for gate in verdict.gates)
    for gate in verdict.gates:
        status = style(f"{gate.status:<8}", STATUS_COLOURS.get(gate.status, "magenta"))
        name = clean(gate.name, 40).ljust(name_width)
        yield f"  {status} {name}  {gate.kind:<12} {clean(gate.detail)}"


def _text_approvals(verdict: Verdict, style: Callable[..., str]) -> Iterator[str]:
    if not verdict.approvals:
        return
    yield style("approvals", bold=True)
    for approval in verdict.approvals:
        colour = "green" if approval.state == "counted" else "yellow"
        line = (
            f"  {style(f'{approval.state:<12}', colour)} {clean(approval.approver, 80)}  "
            f"{approval.approved_at.isoformat(timespec='seconds')}  {_approval_note(approval)}"
        )
        if approval.comment:
            line += f"  {clean(approval.comment, SNIPPET_CHARS)!r}"
        yield line


def render_text(verdict: Verdict, *, color: bool, chain_head: str | None = None) -> str:
    """A compact report for a terminal: the verdict and why first, then the evidence."""
    style = _styler(color=color)
    label = style(verdict.verdict.upper(), VERDICT_COLOURS[verdict.verdict], bold=True)
    lines = [f"{label}  {clean(_headline(verdict))}"]
    lines.extend(f"  - {clean(reason)}" for reason in verdict.reasons)
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
    cleaned = clean(text, limit).replace("\\", "\\\\").replace("|", "\\|")
    cleaned = cleaned.replace("<", "&lt;").replace(">", "&gt;")
    return _MENTION.sub("@\N{ZERO WIDTH SPACE}", cleaned)


def _md_code(text: str, limit: int = SNIPPET_CHARS) -> str:
    """``text`` as a code span (literal, never a mention or HTML), safe in a table cell."""
    cleaned = clean(text, limit).replace("|", "\\|")
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
                    f"<sub>ledger chain head `{clean(chain_head, 80)}`: check it with "
                    f"`signoff ledger verify --expect-head {clean(chain_head, 80)}`</sub>"
                ),
            ]
        )
    return "\n".join(lines) + "\n"
