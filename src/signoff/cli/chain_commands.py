"""``signoff ledger``: the hash chain over approvals, reviews and verdicts, and its check."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from signoff.cli.context import output_option
from signoff.cli.context import workspace as open_here

if TYPE_CHECKING:
    from signoff.core.chain import ChainReport

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
JSON_VERSION = 1
EXIT_TAMPERED = 1  # the command ran and the answer is no, like a refused guard


@click.group(context_settings=CONTEXT_SETTINGS, epilog="Example: signoff ledger verify")
def ledger() -> None:
    """The ledger's integrity: approvals, reviews and verdicts form a hash chain."""


def _expected_head(
    _context: click.Context, _parameter: click.Parameter, value: str | None
) -> str | None:
    from signoff.core.chain import chain_head  # only when a head is given: start-up stays light
    from signoff.core.errors import UsageError

    if value is None:
        return None
    try:
        return chain_head(value)
    except UsageError as error:
        raise click.BadParameter(error.message) from None


@ledger.command(
    "verify",
    epilog="\b\nExamples:\n  signoff ledger verify\n"
    '  signoff ledger verify --expect-head "$PUBLISHED_HEAD" --format json\n\n'
    "Exit codes: 0 intact, 1 a row was changed or removed, 2 the command could not run.",
)
@click.option(
    "--expect-head",
    "expected_head",
    metavar="HASH",
    callback=_expected_head,
    help="A head published earlier (a gate's output): it must still be in the chain.",
)
@output_option
def ledger_verify(expected_head: str | None, output: str) -> None:
    """Check that no approval, review or verdict was changed or removed after it was recorded.

    Every chained row's hash must match its content and link to the row before it. Rows
    removed from the end leave a valid shorter chain: --expect-head catches that.
    """
    from signoff.service.ledger import verify_ledger

    report = verify_ledger(open_here(), expected_head)
    if output == "json":
        click.echo(json.dumps(_report_json(report), indent=2, ensure_ascii=False))
    else:
        _print_report(report)
    if not report.intact:
        raise SystemExit(EXIT_TAMPERED)


def _report_json(report: ChainReport) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "intact": report.intact,
        "rows": report.rows,
        "head": report.head,
        "expected_head": report.expected_head,
        "expected_head_event": report.expected_head_event,
        "problem_count": report.problem_count,
        "problems": [
            {
                "event": problem.event_id,
                "kind": problem.kind,
                "problem": problem.code,
                "message": problem.message,
            }
            for problem in report.problems
        ],
    }


def _print_report(report: ChainReport) -> None:
    if report.intact:
        click.echo(f"ledger intact: {report.rows} chained rows, head {report.head}")
        if report.expected_head_event is not None:
            click.echo(f"expected head found: event {report.expected_head_event}")
        return
    for problem in report.problems:
        click.echo(problem.message)
    unshown = report.problem_count - len(report.problems)
    if unshown:
        click.echo(f"… and {unshown} more")
    click.echo(
        f"ledger NOT intact: {report.problem_count} problem(s) in {report.rows} chained rows; "
        "rows were changed or removed outside signoff: compare the ledger with a backup"
    )
