"""Use cases on spec files: new, list, show, check."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from signoff.adapters.files import iter_spec_files, peek_spec_id, read_spec_bytes, write_new_file
from signoff.adapters.git import configured_email
from signoff.core.errors import SpecNotFoundError, UsageError
from signoff.core.specs.parse import document_from_bytes
from signoff.service.ledger import open_questions_reader

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from types import ModuleType

    from signoff.core.events import Question
    from signoff.core.specs.check import SpecResult
    from signoff.core.specs.model import SpecDocument
    from signoff.core.specs.rules import CheckContext
    from signoff.service.workspace import Workspace

SPEC_ID = re.compile(r"^SO-([1-9]\d*)$", re.IGNORECASE)
_FILE_NUMBER = re.compile(r"^SO-(\d+)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CheckReport:
    """The results of ``signoff spec check``, one per spec checked."""

    results: tuple[SpecResult, ...]

    @property
    def ready(self) -> int:
        return sum(1 for result in self.results if result.ready)

    @property
    def errors(self) -> int:
        return sum(result.errors for result in self.results)

    @property
    def warnings(self) -> int:
        return sum(result.warnings for result in self.results)

    @property
    def all_ready(self) -> bool:
        return all(result.ready for result in self.results)


@dataclass(frozen=True, slots=True)
class SpecRow:
    """One line of ``signoff spec list``."""

    spec_id: str | None
    title: str | None
    status: str | None
    risk: str | None
    ready: bool
    errors: int
    warnings: int
    path: str


@dataclass(frozen=True, slots=True)
class ShownSpec:
    """One spec as ``signoff spec show`` presents it: its text, parsed, and its check."""

    path: str
    text: str
    document: SpecDocument
    result: SpecResult


def _context(workspace: Workspace, spec_ids: Sequence[str] | None = None) -> CheckContext:
    from signoff.core.specs.rules import CheckContext  # noqa: PLC0415 - see _checker()

    root = str(workspace.root)
    known: dict[str, bool] = {}  # specs of a slice cite the same few paths; ask the disk once

    def path_exists(relative: str) -> bool:
        found = known.get(relative)
        if found is None:
            found = known[relative] = os.path.exists(os.path.join(root, relative))
        return found

    reader: list[Callable[[str], Sequence[Question]]] = []

    def open_questions(spec_id: str) -> Sequence[Question]:
        if not reader:  # read the ledger once, and only if a rule asks
            reader.append(open_questions_reader(workspace, spec_ids))
        return reader[0](spec_id)

    return CheckContext(
        standards=workspace.standards, path_exists=path_exists, open_questions=open_questions
    )


def _checker() -> ModuleType:
    """The spec checker, imported when a command checks specs: loading its rules takes
    ~25 ms, which the gate (reading one spec's front matter) should not pay."""
    from signoff.core.specs import check  # noqa: PLC0415

    return check


def _spec_index(workspace: Workspace) -> dict[Path, str | None]:
    return {path: peek_spec_id(path) for path in iter_spec_files(workspace.specs_dir)}


def _resolve(workspace: Workspace, target: str, index: dict[Path, str | None]) -> list[Path]:
    if SPEC_ID.match(target):
        wanted = target.upper()
        matches = [path for path, spec_id in index.items() if spec_id == wanted]
        if not matches:
            raise SpecNotFoundError(
                f"no spec with id {wanted} in {workspace.display_path(workspace.specs_dir)}/; "
                "'signoff spec list' shows the ids"
            )
        return matches
    path = Path(target)
    if not path.is_absolute():
        path = workspace.cwd / path
    if path.is_dir():
        return list(iter_spec_files(path))
    if path.is_file():
        return [path]
    raise SpecNotFoundError(f"{target}: no such file, folder or spec id")


def spec_path(workspace: Workspace, reference: str) -> Path:
    """The one file a spec id or path names."""
    paths = _resolve(workspace, reference, _spec_index(workspace))
    if len(paths) != 1:
        names = ", ".join(workspace.display_path(path) for path in paths) or "nothing"
        raise UsageError(f"{reference} names {len(paths)} spec files ({names}); name one file")
    return paths[0]


def load_document(workspace: Workspace, path: Path) -> SpecDocument:
    try:
        raw = read_spec_bytes(path)
    except OSError as error:
        raise UsageError(
            f"{workspace.display_path(path)}: cannot be read: {error.strerror}"
        ) from None
    return document_from_bytes(raw, workspace.display_path(path))


# Below this many specs, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 256


def _available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _check_chunk(
    workspace: Workspace, paths: list[str], spec_ids: Sequence[str] | None = None
) -> list[SpecResult]:
    """Check some spec files; runs in a worker process, so it takes and returns plain values."""
    context = _context(workspace, spec_ids)
    check_document, enabled_rule_names = _checker().check_document, _checker().enabled_rule_names
    enabled = enabled_rule_names(context)
    return [
        check_document(load_document(workspace, Path(path)), context, enabled) for path in paths
    ]


def _check_paths(
    workspace: Workspace, paths: list[str], jobs: int | None, spec_ids: Sequence[str] | None
) -> list[SpecResult]:
    """Check files in order, spread over worker processes when there are many of them.

    Specs are independent, so a large slice is split into chunks checked in parallel; the
    results come back in the order of ``paths`` whatever the number of workers.
    """
    if jobs is None:
        jobs = min(_available_cpus(), 8) if len(paths) >= PARALLEL_THRESHOLD else 1
    jobs = max(1, min(jobs, len(paths)))
    if jobs == 1:
        return _check_chunk(workspace, paths, spec_ids)
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415 - only for big slices
    from multiprocessing import get_all_start_methods, get_context  # noqa: PLC0415

    # fork shares the already-imported checker with the workers; elsewhere they import it.
    method = "fork" if "fork" in get_all_start_methods() else "spawn"
    size = max(1, -(-len(paths) // (jobs * 4)))  # a few chunks per worker evens out the load
    chunks = [paths[start : start + size] for start in range(0, len(paths), size)]
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context(method)) as pool:
        parts = pool.map(_check_chunk, [workspace] * len(chunks), chunks)
        return [result for part in parts for result in part]


def check_specs(workspace: Workspace, targets: list[str], jobs: int | None = None) -> CheckReport:
    """Check the named specs (paths, folders or ids), or every spec when none is named.

    ``jobs`` is the number of worker processes; None picks one per CPU for large sets.
    """
    index = _spec_index(workspace)
    if targets:
        chosen: list[Path] = []
        for target in targets:
            chosen.extend(_resolve(workspace, target, index))
    else:
        chosen = list(index)
    unique = list(dict.fromkeys(os.path.abspath(path) for path in chosen))
    checked = set(unique)
    others = [
        (spec_id, workspace.display_path(path))
        for path, spec_id in index.items()
        if spec_id is not None and os.path.abspath(path) not in checked
    ]
    # The ids of the files checked (from their first lines), so the ledger is asked about
    # those specs only; None (read it all) when an id cannot be seen without parsing.
    ids = [index.get(Path(path)) or peek_spec_id(Path(path)) for path in unique]
    wanted = None if None in ids else [spec_id for spec_id in ids if spec_id is not None]
    results = _check_paths(workspace, unique, jobs, wanted)
    return CheckReport(tuple(_checker().add_duplicate_ids(results, _context(workspace), others)))


def list_specs(workspace: Workspace) -> list[SpecRow]:
    rows: list[SpecRow] = []
    documents: list[SpecDocument] = []

    def remember(paths: list[Path]) -> Iterator[SpecDocument]:
        for path in paths:
            document = load_document(workspace, path)
            documents.append(document)
            yield document

    results = _checker().check_documents(
        remember(list(iter_spec_files(workspace.specs_dir))), _context(workspace)
    )
    for document, result in zip(documents, results, strict=True):
        rows.append(
            SpecRow(
                spec_id=document.spec_id,
                title=document.title,
                status=document.status,
                risk=document.risk,
                ready=result.ready,
                errors=result.errors,
                warnings=result.warnings,
                path=document.path,
            )
        )
    return rows


def show_spec(workspace: Workspace, reference: str) -> ShownSpec:
    index = _spec_index(workspace)
    path = spec_path(workspace, reference)
    document = load_document(workspace, path)
    others = [
        (spec_id, workspace.display_path(other))
        for other, spec_id in index.items()
        if spec_id is not None and os.path.abspath(other) != os.path.abspath(path)
    ]
    result = _checker().check_documents([document], _context(workspace), others)[0]
    text = read_spec_bytes(path).decode("utf-8", errors="replace")
    return ShownSpec(path=document.path, text=text, document=document, result=result)


def _slug(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:48].rstrip("-") or "spec"


def next_spec_number(workspace: Workspace) -> int:
    """One more than the highest id used by any spec file (by id or by file name)."""
    highest = 0
    for path, spec_id in _spec_index(workspace).items():
        for candidate in (spec_id or "", path.name):
            match = _FILE_NUMBER.match(candidate)
            if match:
                highest = max(highest, int(match.group(1)))
    return highest + 1


def spec_template(spec_id: str, title: str, owner: str, default_gates: list[str]) -> str:
    """A new spec that teaches the format; ``spec check`` says what is left to fill in."""
    from signoff.core.specs.render import yaml_scalar  # noqa: PLC0415 - only to write

    gates = ", ".join(default_gates)
    return f"""\
---
id: {spec_id}
title: {yaml_scalar(title)}
status: draft
owner: {yaml_scalar(owner)}
risk: reversible      # or: irreversible, with risk_categories below
# risk_categories: [] # deploy, schema, copy, security, vendor, architecture
gates: [{gates}]     # names from signoff.toml; the policy adds its minimum for the risk level
context: []           # files, folders and decision records the agent must read first
---

# {title}

## Intent
<!-- Who gains what, and the number that will show it worked.
     e.g. Registered users who forgot their password get back in without support.
     Success: "locked out" tickets fall by half within a month of release. -->

## Acceptance criteria
<!-- One observable outcome per item, each with its own id (never reuse one), as EARS:
       - AC-1: When <trigger>, the system shall <response>.
       - AC-2: While <state>, the system shall <response>.
     or as Given / When / Then:
       - AC-3: Given <state>, when <action>, then <outcome>. -->

## Edge cases
<!-- What must happen when things go wrong, e.g.
       - EC-1: If <unwanted condition>, then the system shall <safe outcome>. -->

## Out of scope
<!-- What the agent must not build now. -->

## Risk
<!-- Why this is reversible, or what cannot be undone and who must sign it. -->
"""


@dataclass(frozen=True, slots=True)
class NewSpec:
    """The spec ``signoff spec new`` wrote: its id and where."""

    spec_id: str
    path: str


def new_spec(workspace: Workspace, title: str, owner: str | None = None) -> NewSpec:
    """Write ``specs/SO-<n>-<slug>.md`` with the next free id."""
    title = " ".join(title.split())
    if not title:
        raise UsageError("the title is empty; give the story a one-line title")
    number = next_spec_number(workspace)
    spec_id = f"SO-{number}"
    chosen_owner = (
        owner
        or configured_email(workspace.root)
        or (workspace.standards.owners[0] if workspace.standards.owners else "unassigned")
    )
    defaults = [name for name in ("tests",) if name in workspace.standards.gates]
    path = workspace.specs_dir / f"{spec_id}-{_slug(title)}.md"
    write_new_file(path, spec_template(spec_id, title, chosen_owner, defaults))
    return NewSpec(spec_id=spec_id, path=workspace.display_path(path))
