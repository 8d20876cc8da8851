"""``signoff init``: lay out a slice without ever overwriting what is there."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from signoff.adapters.files import write_new_file
from signoff.adapters.git import configured_email
from signoff.adapters.standards_file import STANDARDS_FILE, parse_standards

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True, slots=True)
class InitResult:
    """What ``signoff init`` wrote: the slice's root, the files it created and those it kept."""

    root: Path
    created: tuple[str, ...]
    kept: tuple[str, ...]


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def default_standards_text(slice_name: str, owner: str | None) -> str:
    """The commented ``signoff.toml`` that ``signoff init`` writes."""
    owners = f"[{_toml_string(owner)}]" if owner else "[]"
    return f"""\
# Signoff standards for this slice. Reference: docs/configuration.md
# Every value below is a default you can change; a bad value is reported with its line.

[slice]
name = {_toml_string(slice_name)}
owners = {owners}            # who answers for this slice
specs_dir = "specs"          # where spec files live, one story per file

[approvers]
# Named groups of people who may approve irreversible changes.
leads = {owners}

# Gates: name -> kind (command | traceability | review | approval) and its settings.
[gates.tests]
kind = "command"
command = "make test"        # passes on exit code 0
timeout_seconds = 600

[gates.traceability]
kind = "traceability"        # every acceptance criterion named by a passing test
junit = []                   # JUnit XML reports to read, e.g. ["reports/junit.xml"]

[gates.agent-review]
kind = "review"
sample_rate = 0.25           # share of reversible changes reviewed in depth (0..1)
seed = {_toml_string(slice_name)}  # makes the sampling decision replayable

[gates.human-approval]
kind = "approval"
approvers = "leads"          # a group from [approvers]
required = 1                 # how many distinct approvals
allow_author = false         # may the change's author approve it?

# The minimum gates per risk level; a spec's own `gates:` list adds to these.
[policy]
reversible = ["tests", "agent-review"]
irreversible = ["tests", "traceability", "agent-review", "human-approval"]

[checker]
max_acceptance_criteria = 8  # more than this and the story should be sliced
disable = []                 # rule names to switch off, e.g. ["totality"]

[checker.severity]
# Re-grade a rule: "error", "warning" or "off". Example:
# negative = "off"

[checker.words]
# Extra trigger words per wording rule (and "placeholder"). Example:
# subjective = ["snappy"]

# What the gate treats as irreversible. Every rule id is listed in docs/risk.md.
[risk]
builtin = true               # run the built-in rules for common stacks
disable = []                 # built-in rule ids to switch off, e.g. ["copy.templates"]

# The slice's own rules, one [[risk.rules]] table each. Example:
# [[risk.rules]]
# id = "payments"
# category = "security"      # deploy | schema | copy | security | vendor | architecture
# description = "payment code"
# paths = ["src/payments/**"]           # gitignore-style
# added_lines = ['stripe\\.Charge']     # regular expressions on added lines
# exclude = ["**/tests/**"]

[gate]
require_spec = false         # true: a change whose spec cannot be found is blocked
# default_branch = "main"    # default: origin/HEAD, then main, then master
"""


def init_slice(root: Path) -> InitResult:
    """Create ``signoff.toml``, ``specs/`` and ``docs/decisions/`` where missing."""
    root = root.resolve()
    created: list[str] = []
    kept: list[str] = []
    standards_path = root / STANDARDS_FILE
    if standards_path.exists():
        kept.append(STANDARDS_FILE)
    else:
        slice_name = re.sub(r"[^A-Za-z0-9_\-]+", "-", root.name).strip("-") or "slice"
        text = default_standards_text(slice_name, configured_email(root))
        parse_standards(text, str(standards_path))  # the template must always be valid
        write_new_file(standards_path, text)
        created.append(STANDARDS_FILE)
    ignore = root / ".signoff" / ".gitignore"
    if ignore.exists():
        kept.append(".signoff/.gitignore")
    else:
        # The ledger, its WAL files and the spec locks are local state, never commits.
        write_new_file(ignore, "# Signoff's local state (ledger, locks): not for git.\n*\n")
        created.append(".signoff/.gitignore")
    for folder in ("specs", "docs/decisions"):
        path = root / folder
        if path.is_dir():
            kept.append(folder + "/")
        else:
            path.mkdir(parents=True, exist_ok=True)
            created.append(folder + "/")
    return InitResult(root=root, created=tuple(created), kept=tuple(kept))
