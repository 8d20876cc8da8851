"""Shared fixtures: a real slice on disk, and a runner that calls the real CLI entry point."""

from __future__ import annotations

import io
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, text

from signoff.adapters.store.url import LedgerLocation, resolve_location
from signoff.cli.app import main
from signoff.service.init import init_slice

# A real PostgreSQL server: postgres_server/postgres_url fixtures and the `postgres` marker.
pytest_plugins = ["tests.pg_server"]

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

READY_SPEC = """\
---
id: SO-1
title: Show order total with tax
status: draft
owner: alice@example.com
risk: reversible
gates: [tests]
---

# Show order total with tax

## Intent
Shoppers see what they will pay before they confirm.

## Acceptance criteria
- AC-1: When the cart changes, the system shall show the total including tax within 1 second.
- AC-2: Given a cart with two items, when the shopper opens checkout, then the page shows the tax line.

## Edge cases
- EC-1: If the tax service times out, then the system shall show the total without tax and a notice.
"""


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def slice_root(tmp_path: Path) -> Path:
    """A slice made by ``signoff init`` inside a real git repository."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    init_slice(tmp_path)
    return tmp_path


@pytest.fixture
def run(slice_root: Path) -> Callable[..., Result]:
    """Run ``signoff ARGS`` in the slice through the console entry point, capturing output."""

    def invoke(*args: str, cwd: Path | None = None) -> Result:
        out, err = io.StringIO(), io.StringIO()
        code = 0
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main(["-C", str(cwd or slice_root), *args])
            except SystemExit as exit_:
                code = int(exit_.code or 0)
        return Result(code, out.getvalue(), err.getvalue())

    return invoke


def write_spec(root: Path, name: str, text: str | bytes) -> Path:
    path = root / "specs" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LedgerLocation]:
    """A ledger location on each backend: a SQLite file, and a clean real PostgreSQL schema."""
    if request.param == "sqlite":
        yield resolve_location(tmp_path, {})
        return
    url: str = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    with engine.begin() as connection:  # a clean schema for every test
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    yield resolve_location(tmp_path, {"SIGNOFF_DATABASE_URL": url})
