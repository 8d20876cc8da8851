"""The change a gate, an approval or a review is about: which revisions, which spec, which diff.

``--base`` defaults to the merge base of ``HEAD`` with the default branch, ``--head`` to
``HEAD``; ``--staged`` takes the index against ``HEAD``. The spec comes from ``--spec``, else a
``Spec: SO-n`` trailer of the change's commits (newest first), else ``SO-n`` in the branch name.

The spec file is read from the working tree, as it is for every other command: in CI that is
the checkout of ``--head``. When ``--head`` names another commit the verdict says so
(:func:`spec_source_note`), since the spec there may differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from signoff.adapters import git
from signoff.core.diff import DiffHasher
from signoff.core.errors import SpecNotFoundError, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from pathlib import Path

    from signoff.core.diff import FileChange
    from signoff.core.gates.evaluate import SpecFacts
    from signoff.core.patch import RawRecord
    from signoff.core.whole_files import Share
    from signoff.service.workspace import Workspace

NO_SPEC = "-"  # the ledger's spec column for a change no spec could be found for
_SPEC_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])SO-([1-9][0-9]*)(?![0-9])", re.IGNORECASE)
_SPEC_ID = re.compile(r"\s*SO-([1-9][0-9]*)\s*", re.IGNORECASE)
# git takes the next commit's author from the environment before its configuration.
_AUTHOR_VARIABLE = "GIT_AUTHOR_EMAIL"
_RISK_LEVELS = ("reversible", "irreversible")
# CI systems check out a detached HEAD; they name the branch in the environment instead.
_BRANCH_VARIABLES = ("GITHUB_HEAD_REF", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "CI_COMMIT_REF_NAME")


@dataclass(frozen=True, slots=True)
class ChangeRequest:
    """What the user asked for on the command line."""

    base: str | None = None
    head: str | None = None
    staged: bool = False
    spec: str | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """Resolved revisions. ``head`` is None for the index (``--staged``)."""

    repository: Path
    base: str
    head: str | None
    base_label: str
    head_label: str
    staged: bool = False

    def changes(self) -> Iterator[FileChange]:
        return git.iter_changes(self.repository, self.base, self.head, staged=self.staged)

    def share(
        self,
        share: Share,
        every: Callable[[RawRecord], None] | None = None,
        big_file_threshold: int | None = None,
    ) -> Iterator[tuple[int, FileChange]]:
        """The files of one share of the diff, each with its place (see ``git.iter_share``)."""
        return git.iter_share(
            self.repository,
            self.base,
            self.head,
            staged=self.staged,
            share=share,
            every=every,
            big_file_threshold=big_file_threshold,
        )

    def authors(self, actor: str, environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
        """Who wrote the change: the commits' authors; for staged changes, whom git will name
        as the commit's author (``GIT_AUTHOR_EMAIL``, else ``user.email``), else the actor."""
        if self.staged or self.head is None:
            named = (environ or {}).get(_AUTHOR_VARIABLE, "").strip()
            return (named or git.configured_email(self.repository) or actor,)
        return git.commit_authors(self.repository, self.base, self.head)


def resolve_change(workspace: Workspace, request: ChangeRequest) -> Change:
    """Turn ``--base/--head/--staged`` into commit ids; GitError when git cannot."""
    repository = git.repository_root(workspace.root)
    if request.staged:
        if request.head is not None:
            raise UsageError("--staged compares the index with --base (default HEAD); drop --head")
        base_label = request.base or "HEAD"
        base = (
            git.resolve_revision(repository, base_label)
            if request.base or git.head_commit(repository)
            else git.empty_tree(repository)
        )
        return Change(repository, base, None, base_label, "index", staged=True)
    head_label = request.head or "HEAD"
    head = git.resolve_revision(repository, head_label)
    if request.base is not None:
        return Change(
            repository,
            git.resolve_revision(repository, request.base),
            head,
            request.base,
            head_label,
        )
    branch = git.default_branch(repository, workspace.standards.gate.default_branch)
    base = git.merge_base(repository, git.resolve_revision(repository, branch), head)
    return Change(repository, base, head, f"merge-base({branch}, {head_label})", head_label)


def diff_fingerprint(change: Change) -> tuple[str, int]:
    """The diff's stable SHA-256 and its number of files, streaming the diff once."""
    hasher = DiffHasher()
    files = 0
    for file_change in change.changes():
        hasher.add(file_change)
        files += 1
    return hasher.hexdigest(), files


def _branch(workspace: Workspace, change: Change) -> str | None:
    for variable in _BRANCH_VARIABLES:
        value = workspace.environ.get(variable, "").strip()
        if value:
            return value
    return git.current_branch(change.repository)


def normal_spec_id(value: str | None) -> str | None:
    """``SO-n`` as written in specs (``so-12 `` is ``SO-12``); None when it is not a spec id."""
    found = _SPEC_ID.fullmatch(value or "")
    return None if found is None else f"SO-{found.group(1)}"


def spec_reference(workspace: Workspace, change: Change, explicit: str | None) -> tuple[str, str]:
    """(spec id, where it came from) or raise SpecNotFoundError saying what was looked at."""
    if explicit:
        spec_id = normal_spec_id(explicit)
        if spec_id is None:
            raise UsageError(f"--spec takes a spec id like SO-12, not {explicit!r}")
        return spec_id, "flag"
    if not change.staged and change.head is not None:
        for value in git.commit_trailers(change.repository, change.base, change.head, "Spec"):
            found = _SPEC_IN_TEXT.search(value)
            if found:
                return f"SO-{found.group(1)}", "trailer"
    branch = _branch(workspace, change)
    if branch:
        found = _SPEC_IN_TEXT.search(branch)
        if found:
            return f"SO-{found.group(1)}", "branch"
    raise SpecNotFoundError(
        "no spec found for this change: no --spec, no 'Spec: SO-n' commit trailer, and no "
        f"SO-n in the branch name ({branch or 'detached HEAD'})"
    )


def spec_facts(workspace: Workspace, spec_id: str, source: str) -> SpecFacts:
    """Read the spec's declared risk, gates and criteria from its file in the slice."""
    # Imported here: the gate resolves its change (this module) before anything reads a spec,
    # and the sooner it has, the sooner its scanners start (service.gate_scan).
    from signoff.core.gates.evaluate import SpecFacts  # noqa: PLC0415
    from signoff.core.specs.model import SectionKind  # noqa: PLC0415
    from signoff.service.specs import load_document, spec_path  # noqa: PLC0415

    try:
        path = spec_path(workspace, spec_id)
    except SpecNotFoundError:
        via = {"flag": "--spec", "trailer": "the commit trailer", "branch": "the branch name"}
        raise SpecNotFoundError(
            f"{via.get(source, source)} names {spec_id}, but no spec file in "
            f"{workspace.display_path(workspace.specs_dir)}/ has that id; "
            "'signoff spec list' shows the ids"
        ) from None
    document = load_document(workspace, path)
    shown = workspace.display_path(path)
    if document.problems:
        # Unreadable front matter would silently drop the gates the spec adds: refuse it.
        problem = document.problems[0]
        what = "front matter" if problem.kind == "front-matter" else "file"
        raise UsageError(
            f"{shown}:{problem.line}: {spec_id}'s {what} cannot be read ({problem.message}); "
            f"fix it and run `signoff spec check {spec_id}`"
        )
    level = document.risk.strip().lower() if document.risk else None
    if level is not None and level not in _RISK_LEVELS:
        # An unknown word must not read as "undeclared", which a quiet diff makes reversible.
        raise UsageError(
            f"{shown}:{document.field_line('risk')}: {spec_id} declares risk "
            f"{document.risk!r}; write reversible or irreversible"
        )
    criteria = tuple(
        item.ident
        for item in document.items(SectionKind.ACCEPTANCE_CRITERIA)
        if item.ident is not None
    )
    return SpecFacts(
        spec_id=spec_id,
        source=source,
        declared_level=level,
        declared_categories=document.string_list("risk_categories"),
        gates=document.string_list("gates"),
        criteria=criteria,
    )


def spec_source_note(change: Change) -> str | None:
    """What the verdict says when the spec was read from a working tree not at ``--head``."""
    if change.staged or change.head is None:
        return None
    checked_out = git.head_commit(change.repository)
    if checked_out == change.head:
        return None
    at = f"at {checked_out[:12]}" if checked_out else "with no commit"
    return (
        f"the spec was read from the working tree ({at}), not from {change.head_label} "
        f"({change.head[:12]}); check out {change.head_label} to judge the spec written there"
    )
