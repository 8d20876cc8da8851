"""``signoff gate``, ``signoff approve``, ``signoff revoke`` and ``signoff review``."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from typing import TYPE_CHECKING, Any

import click

from signoff.cli.context import cwd, output_option, workspace

if TYPE_CHECKING:
    from collections.abc import Callable

    from signoff.service.change import ChangeRequest
    from signoff.service.gate_judge import GateRun
    from signoff.service.signoffs import SignedChange

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

GATE_EXIT_CODES = (
    "Exit codes: 0 pass, 1 fail (a gate failed), 2 blocked (the gate could not decide), "
    "3 pending (waiting for a review or an approval)."
)


def _change_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--base/--head/--staged/--spec: the same change selection for every command here."""
    for option in reversed(
        (
            click.option(
                "--base",
                metavar="REV",
                help="Start of the change (default: the merge base of --head and the default "
                "branch).",
            ),
            click.option("--head", metavar="REV", help="End of the change (default: HEAD)."),
            click.option(
                "--staged", is_flag=True, help="The staged changes (index against --base or HEAD)."
            ),
            click.option(
                "--spec",
                "spec",
                metavar="ID",
                help="The spec id, SO-n (default: a 'Spec: SO-n' trailer, else SO-n in the branch "
                "name); its file is read from the working tree.",
            ),
        )
    ):
        command = option(command)
    return command


def _request(base: str | None, head: str | None, staged: bool, spec: str | None) -> ChangeRequest:
    from signoff.service.change import ChangeRequest

    return ChangeRequest(base=base, head=head, staged=staged, spec=spec)


@click.command(
    context_settings=CONTEXT_SETTINGS,
    epilog="\b\nExamples:\n  signoff gate\n  signoff gate --base origin/main --junit "
    "reports/junit.xml --format sarif > signoff.sarif\n  signoff gate --staged --spec SO-12\n\n"
    + GATE_EXIT_CODES,
)
@_change_options
@click.option(
    "--junit",
    "junit",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="A JUnit XML report for the traceability gate (repeatable).",
)
@click.option(
    "--no-run",
    is_flag=True,
    help="Do not run command gates; use the results recorded for this exact diff.",
)
@click.option(
    "--format",
    "-f",
    "output",
    type=click.Choice(["text", "json", "sarif", "markdown", "junit"]),
    default="text",
    show_default=True,
    help="Output format: sarif for code scanning, markdown for a PR comment, junit for CI.",
)
def gate(
    *,
    base: str | None,
    head: str | None,
    staged: bool,
    spec: str | None,
    junit: tuple[str, ...],
    no_run: bool,
    output: str,
) -> None:
    """Judge a change: detect its risk, apply the gates its risk needs, and record the verdict.

    The verdict is pass, pending (waiting for a review or an approval), fail (a gate failed)
    or blocked (the gate could not decide: no repository, a bad revision, an empty change, an
    unreadable report, an invalid policy or one with no gate for the change, the ledger out of
    reach). It fails closed: nothing that goes wrong can produce pass. Each verdict is
    written to the ledger's hash chain.
    """
    from signoff.service.gate import GateOptions, run_gate

    here = cwd()
    options = GateOptions(
        junit=tuple((here / path) for path in junit),
        run_commands=not no_run,
        while_scanning=lambda: _load_renderer(output),
    )
    result = run_gate(here, _request(base, head, staged, spec), options, environ=os.environ)
    try:
        _print_verdict(result, output)
    except BrokenPipeError:
        # The reader went away (`| head`): the exit code still carries the verdict. The shell's
        # catch-all turns a broken pipe into 0, which would read as pass.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    raise SystemExit(result.verdict.exit_code)


def _load_renderer(output: str) -> None:
    """Import what shows the verdict while the diff is scanned elsewhere (~25 ms saved); JSON
    needs only the document, not the renderers (and their XML library)."""
    from signoff.core.gates import document  # noqa: F401

    if output in ("sarif", "junit"):
        from signoff.cli import gate_ci  # noqa: F401
    elif output != "json":
        from signoff.cli import gate_render  # noqa: F401


def _print_verdict(result: GateRun, output: str) -> None:
    from signoff.core.gates.document import verdict_document

    verdict, head = result.verdict, result.chain_head
    if output == "json":
        document = verdict_document(verdict, chain_head=head)
        document["stage"] = [
            {"spec": move.spec_id, "from": move.before, "to": move.after} for move in result.moves
        ]
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    if output in ("sarif", "junit"):
        from signoff.cli import gate_ci

        if output == "sarif":
            sarif = gate_ci.render_sarif(verdict, chain_head=head, anchor=result.standards_path)
            click.echo(json.dumps(sarif, indent=2, ensure_ascii=False))
        else:
            click.echo(gate_ci.render_junit(verdict, chain_head=head), nl=False)
        return
    from signoff.cli import gate_render

    if output == "markdown":
        click.echo(gate_render.render_markdown(verdict, chain_head=head), nl=False)
    else:
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        click.echo(gate_render.render_text(verdict, color=color, chain_head=head), nl=False)
        for move in result.moves:
            click.echo(f"stage     {move.spec_id}: {move.before} -> {move.after} (in the ledger)")


def _signed_json(signed: SignedChange, action: str) -> dict[str, Any]:
    return {
        "version": 1,
        "action": action,
        "created": signed.created,
        "spec": signed.spec,
        "diff_sha256": signed.diff_sha256,
        "files": signed.files,
        "actor": signed.event.actor,
        "at": signed.event.occurred_at.isoformat(),
        "event": signed.event.id,
        "chain_hash": signed.event.chain_hash,
    }


def _report(signed: SignedChange, action: str, output: str) -> None:
    if output == "json":
        click.echo(json.dumps(_signed_json(signed, action), indent=2, ensure_ascii=False))
        return
    diff = signed.diff_sha256[:12]
    if not signed.created:
        click.echo(f"{signed.event.actor} already {action} diff {diff} of {signed.spec}")
        return
    click.echo(
        f"{signed.event.actor} {action} diff {diff} of {signed.spec} "
        f"({signed.files} file(s)); recorded as event {signed.event.id}"
    )


@click.command(
    context_settings=CONTEXT_SETTINGS,
    epilog="\b\nExamples:\n  signoff approve\n  signoff approve --spec SO-12 --comment "
    '"migration reviewed with the DBA"',
)
@_change_options
@click.option("--comment", help="Why you approve, or what you checked.")
@output_option
def approve(
    *,
    base: str | None,
    head: str | None,
    staged: bool,
    spec: str | None,
    comment: str | None,
    output: str,
) -> None:
    """Approve exactly this change: your identity, the time and the diff's hash are recorded.

    The approval counts only for this diff: a new commit changes the hash and makes it void.
    The approver is SIGNOFF_ACTOR, else git's user.email (marked 'local').
    """
    from signoff.service.signoffs import approve as approve_change

    signed = approve_change(workspace(), _request(base, head, staged, spec), comment)
    _report(signed, "approved", output)


@click.command(
    context_settings=CONTEXT_SETTINGS,
    epilog='Example: signoff revoke --spec SO-12 --reason "the rollback plan is missing"',
)
@_change_options
@click.option("--reason", help="Why the approval is withdrawn.")
@output_option
def revoke(
    *,
    base: str | None,
    head: str | None,
    staged: bool,
    spec: str | None,
    reason: str | None,
    output: str,
) -> None:
    """Withdraw your approval of this change."""
    from signoff.service.signoffs import revoke as revoke_change

    signed = revoke_change(workspace(), _request(base, head, staged, spec), reason)
    _report(signed, "revoked the approval of", output)


@click.group(
    context_settings=CONTEXT_SETTINGS, epilog="Example: signoff review record --outcome pass"
)
def review() -> None:
    """Reviews of changes: the in-depth review the review gate waits for."""


@review.command(
    "record",
    epilog='Example: signoff review record --spec SO-12 --outcome fail --summary "no rollback"',
)
@_change_options
@click.option(
    "--outcome", type=click.Choice(["pass", "fail"]), required=True, help="The review's result."
)
@click.option("--summary", help="What the review found.")
@output_option
def review_record(
    *,
    base: str | None,
    head: str | None,
    staged: bool,
    spec: str | None,
    outcome: str,
    summary: str | None,
    output: str,
) -> None:
    """Record an in-depth review of exactly this change (by you, standing in for the AI reviewer).

    The review gate of a sampled or irreversible change is pending until a review of its diff
    is recorded; a new commit needs a new review. The change's author may not review it.
    """
    from signoff.service.signoffs import record_review

    signed = record_review(workspace(), _request(base, head, staged, spec), outcome, summary)
    _report(signed, f"recorded a {outcome} review of", output)


__all__ = ["approve", "gate", "review", "revoke"]
