"""Turn service results into text (Rich), JSON and SARIF. No decisions are made here."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from signoff.cli.sarif import sarif_log
from signoff.core.specs.rules import Finding, all_rules

if TYPE_CHECKING:
    from rich.console import Console

    from signoff.service.specs import CheckReport, ShownSpec, SpecRow
    from signoff.service.workspace import Workspace

JSON_VERSION = 1


def _console(*, soft_wrap: bool = True) -> Console:
    from rich.console import Console

    # soft_wrap keeps each table row on one line for grep; rendered Markdown needs real wrapping.
    return Console(soft_wrap=soft_wrap, highlight=False)


def print_json(document: object) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------- spec check


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity.value,
        "line": finding.line,
        "column": finding.column,
        "message": finding.message,
        "hint": finding.hint,
    }


def check_json(report: CheckReport) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "specs": [
            {
                "path": result.path,
                "id": result.spec_id,
                "title": result.title,
                "ready": result.ready,
                "findings": [_finding_json(finding) for finding in result.findings],
            }
            for result in report.results
        ],
        "summary": {
            "checked": len(report.results),
            "ready": report.ready,
            "errors": report.errors,
            "warnings": report.warnings,
        },
    }


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def print_check(report: CheckReport) -> None:
    """``path:line: name message`` then the hint, per finding; then one line per spec.

    Plain click styling rather than Rich: this runs in pre-commit hooks, where Rich's import
    time is a large share of the start-up budget, and click drops colour when not on a TTY.
    """
    from click import echo, style

    for result in report.results:
        for finding in result.findings:
            colour = "red" if finding.is_error else "yellow"
            echo(
                f"{result.path}:{finding.line}: {style(finding.name, fg=colour, bold=True)} "
                f"{finding.message}"
            )
            echo(style(f"    hint: {finding.hint}", dim=True))
    if any(result.findings for result in report.results):
        echo()
    for result in report.results:
        label = result.spec_id or result.path
        if result.ready:
            extra = f" ({_plural(result.warnings, 'warning')})" if result.warnings else ""
            echo(f"{style('ready', fg='green')}      {label}{extra}")
        else:
            counts = _plural(result.errors, "error")
            if result.warnings:
                counts += f", {_plural(result.warnings, 'warning')}"
            echo(f"{style('not ready', fg='red')}  {label} ({counts})")
    not_ready = len(report.results) - report.ready
    summary = f"{_plural(len(report.results), 'spec')} checked: {report.ready} ready"
    if not_ready:
        summary += f", {not_ready} not ready"
    echo(
        f"{style(summary, bold=True)} · {_plural(report.errors, 'error')}, "
        f"{_plural(report.warnings, 'warning')}"
    )


def _sarif_uri(path: str, workspace: Workspace) -> str:
    absolute = (workspace.cwd / path).resolve()
    try:
        return absolute.relative_to(workspace.root).as_posix()
    except ValueError:
        return absolute.as_uri()


def check_sarif(report: CheckReport, workspace: Workspace) -> dict[str, Any]:
    """SARIF 2.1.0, as GitHub code scanning and other SARIF viewers read it."""
    rules = all_rules()
    index = {rule.code: position for position, rule in enumerate(rules)}
    results: list[dict[str, Any]] = []
    for result in report.results:
        uri = _sarif_uri(result.path, workspace)
        results.extend(
            {
                "ruleId": finding.rule,
                "ruleIndex": index[finding.rule],
                "level": finding.severity.value,
                "message": {"text": f"{finding.message} (hint: {finding.hint})"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri, "uriBaseId": "SRCROOT"},
                            "region": {"startLine": finding.line, "startColumn": finding.column},
                        }
                    }
                ],
            }
            for finding in result.findings
        )
    return sarif_log(
        [
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "help": {"text": f"Fix: {rule.hint} (docs/rules.md, {rule.code})"},
                "defaultConfiguration": {"level": rule.severity.value},
                "properties": {"tags": [rule.group.value]},
            }
            for rule in rules
        ],
        results,
        originalUriBaseIds={"SRCROOT": {"uri": workspace.root.as_uri() + "/"}},
        columnKind="unicodeCodePoints",
    )


# ---------------------------------------------------------------- spec list / show


def _row_json(row: SpecRow) -> dict[str, Any]:
    return {
        "id": row.spec_id,
        "title": row.title,
        "status": row.status,
        "risk": row.risk,
        "ready": row.ready,
        "errors": row.errors,
        "warnings": row.warnings,
        "path": row.path,
    }


def spec_list_json(rows: list[SpecRow]) -> dict[str, Any]:
    return {"version": JSON_VERSION, "specs": [_row_json(row) for row in rows]}


def print_spec_table(rows: list[SpecRow]) -> None:
    from rich.table import Table

    console = _console()
    if not rows:
        console.print('no specs yet: signoff spec new "<title>"')
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("id", "title", "status", "risk", "ready"):
        table.add_column(column)
    for row in rows:
        ready = "[green]ready[/]" if row.ready else f"[red]no[/] ({_plural(row.errors, 'error')})"
        table.add_row(
            row.spec_id or f"[red]{Path(row.path).name}[/]",
            row.title or "-",
            row.status or "-",
            row.risk or "[red]unclassified[/]",
            ready,
        )
    console.print(table)


def spec_show_json(shown: ShownSpec) -> dict[str, Any]:
    document = shown.document
    fields = (
        {}
        if document.front_matter is None
        else {field.name: field.value for field in document.front_matter.fields}
    )
    return {
        "version": JSON_VERSION,
        "path": shown.path,
        "id": document.spec_id,
        "title": document.title,
        "ready": shown.result.ready,
        "fields": json.loads(json.dumps(fields, default=str)),
        "sections": [
            {
                "heading": section.heading,
                "line": section.line,
                "items": [
                    {"id": item.ident, "line": item.line, "text": item.text}
                    for item in section.items
                ],
            }
            for section in document.sections
        ],
        "findings": [_finding_json(finding) for finding in shown.result.findings],
        "text": shown.text,
    }


def print_spec(shown: ShownSpec) -> None:
    from rich.markdown import Markdown
    from rich.panel import Panel

    console = _console(soft_wrap=False)
    document = shown.document
    details = [
        f"[bold]{document.spec_id or '?'}[/] {document.title or ''}",
        f"status {document.status or '-'} · risk {document.risk or 'unclassified'}"
        + (
            f" ({', '.join(document.string_list('risk_categories'))})"
            if document.string_list("risk_categories")
            else ""
        )
        + f" · owner {document.text_field('owner') or '-'}",
        f"gates {', '.join(document.string_list('gates')) or '-'}",
    ]
    if document.string_list("context"):
        details.append(f"context {', '.join(document.string_list('context'))}")
    verdict = (
        "[green]ready[/]"
        if shown.result.ready
        else f"[red]not ready[/]: {_plural(shown.result.errors, 'error')}"
        " (signoff spec check " + (document.spec_id or shown.path) + ")"
    )
    details.append(verdict)
    console.print(Panel("\n".join(details), title=shown.path, expand=False))
    body = document.preamble + "".join(section.raw for section in document.sections)
    console.print(Markdown(body))
