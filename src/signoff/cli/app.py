"""The ``signoff`` command: parse arguments, call one service function, render the result.

Built on click, and every heavy module (Rich, the service layer) is imported inside the
command that needs it, so ``signoff spec check one.md`` in a pre-commit hook starts fast.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import NoReturn

import click

from signoff import __version__
from signoff.cli.context import cwd as _cwd
from signoff.cli.context import output_option
from signoff.cli.context import workspace as _workspace
from signoff.cli.lazy import LazyGroup

EXIT_CODES_HELP = (
    "Exit codes: 0 ok (every spec checked is ready), 1 a spec is not ready, "
    "2 the command could not run."
)

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


_LEDGER = "signoff.cli.ledger_commands"
_GATE = "signoff.cli.gate_commands"


@click.group(
    cls=LazyGroup,
    lazy={
        "db": f"{_LEDGER}:db",
        "sync": f"{_LEDGER}:sync",
        "clarify": f"{_LEDGER}:clarify",
        "gate": f"{_GATE}:gate",
        "approve": f"{_GATE}:approve",
        "revoke": f"{_GATE}:revoke",
        "review": f"{_GATE}:review",
        "ledger": "signoff.cli.chain_commands:ledger",
    },
    context_settings=CONTEXT_SETTINGS,
    epilog=EXIT_CODES_HELP,
)
@click.option(
    "-C",
    "--directory",
    type=click.Path(exists=True, file_okay=False),
    help="Run as if signoff was started in this folder.",
)
@click.version_option(__version__, "--version", prog_name="signoff", message="%(prog)s %(version)s")
def cli(directory: str | None) -> None:
    """A tech lead's control plane for teams that build with coding agents.

    Write specs an agent can carry out unattended, check they are ready, and (in coming
    releases) triage the agent's questions and gate its changes by risk.

    \b
    Example:
      signoff init && signoff spec new "Password reset by email" && signoff spec check
    """


_FORMAT_OPTION = output_option


@cli.command(epilog="Example: signoff init")
@_FORMAT_OPTION
def init(output: str) -> None:
    """Create signoff.toml (commented defaults), specs/ and docs/decisions/ here.

    Running it again changes nothing and never overwrites a file.
    """
    from signoff.service.init import init_slice

    result = init_slice(_cwd())
    if output == "json":
        _print_json(
            {
                "version": 1,
                "root": str(result.root),
                "created": list(result.created),
                "kept": list(result.kept),
            }
        )
        return
    for name in result.created:
        click.echo(f"created {name}")
    for name in result.kept:
        click.echo(f"kept    {name} (already there)")
    if result.created:
        click.echo('next: signoff spec new "<title>"')


@cli.group(
    cls=LazyGroup,
    lazy={"move": f"{_LEDGER}:spec_move", "history": f"{_LEDGER}:spec_history"},
    context_settings=CONTEXT_SETTINGS,
    epilog="Example: signoff spec check",
)
def spec() -> None:
    """Write, list, show and check specs."""


_FORMAT_TEXT_JSON = _FORMAT_OPTION


@spec.command("new", epilog='Example: signoff spec new "Password reset by email"')
@click.argument("title")
@click.option("--owner", help="Who answers for the spec (default: git user.email).")
@_FORMAT_OPTION
def spec_new(title: str, owner: str | None, output: str) -> None:
    """Write specs/SO-<n>-<slug>.md with the next free id and a template that teaches the format."""
    from signoff.service.specs import new_spec

    created = new_spec(_workspace(), title, owner)
    if output == "json":
        _print_json({"version": 1, "id": created.spec_id, "path": created.path})
        return
    click.echo(f"created {created.path} ({created.spec_id})")
    click.echo(f"next: fill it in, then run 'signoff spec check {created.spec_id}'")


@spec.command("list", epilog="Example: signoff spec list --format json")
@_FORMAT_TEXT_JSON
def spec_list(output: str) -> None:
    """List every spec: id, title, status, risk, and whether it is ready."""
    from signoff.cli import render
    from signoff.service.specs import list_specs

    rows = list_specs(_workspace())
    if output == "json":
        render.print_json(render.spec_list_json(rows))
    else:
        render.print_spec_table(rows)


@spec.command("show", epilog="Example: signoff spec show SO-12")
@click.argument("reference")
@_FORMAT_TEXT_JSON
def spec_show(reference: str, output: str) -> None:
    """Show one spec (by id or path), rendered, with its readiness."""
    from signoff.cli import render
    from signoff.service.specs import show_spec

    shown = show_spec(_workspace(), reference)
    if output == "json":
        render.print_json(render.spec_show_json(shown))
    else:
        render.print_spec(shown)


@spec.command(
    "check",
    epilog="\b\nExamples:\n  signoff spec check\n  signoff spec check SO-4 specs/SO-7-refunds.md"
    "\n  signoff spec check --format sarif > signoff.sarif\n\n" + EXIT_CODES_HELP,
)
@click.argument("targets", nargs=-1)
@click.option(
    "--format",
    "-f",
    "output",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="Output format; sarif is SARIF 2.1.0 for code scanning.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Worker processes (default: one per CPU when checking 256 specs or more).",
)
def spec_check(targets: tuple[str, ...], output: str, jobs: int | None) -> None:
    """Check that specs are ready for an agent: structure errors, wording warnings.

    TARGETS are spec files, folders or ids (SO-12); every spec is checked when none is named.
    """
    from signoff.cli import render
    from signoff.service.specs import check_specs

    workspace = _workspace()
    report = check_specs(workspace, list(targets), jobs)
    if output == "json":
        render.print_json(render.check_json(report))
    elif output == "sarif":
        render.print_json(render.check_sarif(report, workspace))
    else:
        render.print_check(report)
    if not report.all_ready:
        raise SystemExit(1)


def _print_json(document: object) -> None:
    import json

    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def _fail(message: str, code: int) -> NoReturn:
    message = " ".join(message.split())  # one line, whatever a driver's message held
    sys.stdout.flush()
    sys.stderr.write(f"signoff: error: {message}\n")
    raise SystemExit(code)


def run() -> NoReturn:
    """The ``signoff`` program (console script and ``python -m signoff``): :func:`main`, then
    out at once, without the interpreter's teardown.

    By the time a command returns, it has closed what it opened (the ledger, its files, its
    processes), and all that is left is for Python to take apart some 190 modules and every
    object, one by one: ~30 ms, on every run, after the answer is out. So the output is
    flushed and the process ends with the command's exit code. :func:`main` itself exits
    normally, for callers in the same process (the tests, an embedding program).
    """
    try:
        main()
    except SystemExit as exit_:
        code = exit_.code
    else:  # pragma: no cover - main always raises SystemExit
        code = 0
    if code is not None and not isinstance(code, int):
        sys.stderr.write(f"{code}\n")  # what Python prints for SystemExit("message")
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BrokenPipeError, ValueError):  # the reader went, or it closed
            stream.flush()
    os._exit(code or 0)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: every failure becomes one line on stderr and a documented exit code."""
    from signoff.core.errors import EXIT_USAGE, SignoffError

    try:
        code = cli.main(args=argv, prog_name="signoff", standalone_mode=False)
    except SignoffError as error:
        _fail(error.message, error.exit_code)
    except click.exceptions.NoArgsIsHelpError as error:
        click.echo(error.ctx.get_help() if error.ctx else error.format_message())
        raise SystemExit(0) from None
    except click.UsageError as error:
        hint = f" (see '{error.ctx.command_path} --help')" if error.ctx else ""
        _fail(f"{error.format_message()}{hint}", EXIT_USAGE)
    except click.ClickException as error:
        _fail(error.format_message(), EXIT_USAGE)
    except click.Abort:
        _fail("aborted", EXIT_USAGE)
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); that is not our error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(0) from None
    except Exception as error:
        if os.environ.get("SIGNOFF_DEBUG"):
            raise
        _fail(
            f"internal error: {type(error).__name__}: {error} "
            "(set SIGNOFF_DEBUG=1 for the traceback, and please report it)",
            EXIT_USAGE,
        )
    raise SystemExit(code if isinstance(code, int) else 0)
