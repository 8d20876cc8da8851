"""A real git repository holding a slice, for the gate's end-to-end tests."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from tests.conftest import Result

LEAD = "lead@example.com"
AGENT = "agent@example.com"

STANDARDS = """\
[slice]
name = "checkout"
owners = ["lead@example.com"]

[approvers]
leads = ["lead@example.com", "second@example.com"]

[gates.tests]
kind = "command"
command = "{command}"
timeout_seconds = 60

[gates.traceability]
kind = "traceability"
junit = []

[gates.agent-review]
kind = "review"
sample_rate = {rate}
seed = "checkout"

[gates.human-approval]
kind = "approval"
approvers = "leads"
required = 1

[policy]
reversible = {reversible}
irreversible = {irreversible}
"""

SPEC = """\
---
id: {spec_id}
title: {title}
status: in-progress
owner: lead@example.com
risk: {risk}
{categories}gates: [{gates}]
---

# {title}

## Intent
Shoppers see what they will pay before they confirm.

## Acceptance criteria
- AC-1: When the cart changes, the system shall show the total including tax within 1 second.
- AC-2: Given a cart with two items, when the shopper opens checkout, then the page shows the tax line.

## Edge cases
- EC-1: If the tax service times out, then the system shall show the total without tax and a notice.
"""


def standards_text(
    *,
    command: str = "true",
    rate: float = 0.0,
    reversible: tuple[str, ...] = ("tests", "agent-review"),
    irreversible: tuple[str, ...] = ("tests", "agent-review", "human-approval"),
) -> str:
    return STANDARDS.format(
        command=command,
        rate=rate,
        reversible=json.dumps(list(reversible)),
        irreversible=json.dumps(list(irreversible)),
    )


def spec_text(
    spec_id: str,
    *,
    risk: str = "reversible",
    categories: tuple[str, ...] = (),
    gates: tuple[str, ...] = ("tests",),
    title: str = "Show order total with tax",
) -> str:
    listed = f"risk_categories: [{', '.join(categories)}]\n" if categories else ""
    return SPEC.format(
        spec_id=spec_id, title=title, risk=risk, categories=listed, gates=", ".join(gates)
    )


def git_env(author: str = LEAD) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "GIT_AUTHOR_NAME": author.split("@", maxsplit=1)[0],
            "GIT_AUTHOR_EMAIL": author,
            "GIT_COMMITTER_NAME": author.split("@", maxsplit=1)[0],
            "GIT_COMMITTER_EMAIL": author,
            "GIT_CONFIG_NOSYSTEM": "1",
        }
    )
    return env


@dataclass
class Repo:
    root: Path

    def git(self, *args: str, author: str = LEAD) -> str:
        completed = subprocess.run(
            ["git", *args],
            cwd=self.root,
            env=git_env(author),
            capture_output=True,
            text=True,
            check=True,
        )
        return completed.stdout

    def write(self, files: Mapping[str, str | bytes]) -> None:
        for relative, content in files.items():
            path = self.root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")

    def commit(
        self, files: Mapping[str, str | bytes], message: str = "change", *, author: str = AGENT
    ) -> str:
        self.write(files)
        self.git("add", "-A")
        self.git("commit", "-q", "--no-gpg-sign", "-m", message, author=author)
        return self.git("rev-parse", "HEAD").strip()

    def branch(self, name: str) -> None:
        self.git("checkout", "-q", "-b", name)


def make_repo(
    root: Path, standards: str | None = None, specs: dict[str, str] | None = None
) -> Repo:
    """main holds signoff.toml, specs and a little code; the lead's identity is git's."""
    root.mkdir(parents=True, exist_ok=True)
    repo = Repo(root)
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "user.email", LEAD)
    repo.git("config", "user.name", "Lead")
    files: dict[str, str | bytes] = {
        "signoff.toml": standards or standards_text(),
        ".signoff/.gitignore": "*\n",
        "src/checkout/totals.py": "def total(cents: int) -> int:\n    return cents\n",
        "README.md": "# Checkout\n",
        "db/seeds.rb": "Country.create!(code: 'FR')\n",
    }
    for spec_id, text in (specs or {"SO-1": spec_text("SO-1")}).items():
        files[f"specs/{spec_id}-story.md"] = text
    repo.commit(files, "slice", author=LEAD)
    return repo


def verdict_json(result: Result) -> dict[str, Any]:
    document = json.loads(result.stdout)
    assert isinstance(document, dict)
    return document
