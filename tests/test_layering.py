"""core/ is pure: no I/O, database, subprocess or framework. This test keeps it so."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "src" / "signoff" / "core"

# Modules whose import means the code touches the world or a framework.
BANNED_MODULES = frozenset(
    {
        "os",
        "io",
        "sys",
        "subprocess",
        "socket",
        "shutil",
        "pathlib",
        "tempfile",
        "glob",
        "sqlite3",
        "sqlalchemy",
        "alembic",
        "psycopg",
        "click",
        "typer",
        "rich",
        "fastapi",
        "starlette",
        "uvicorn",
        "httpx",
        "requests",
        "urllib",
        "http",
        "asyncio",
        "threading",
        "multiprocessing",
        "time",
        "random",
        "secrets",
        "pydantic",
        "mcp",
        "openai",
        "anthropic",
        "signoff.adapters",
        "signoff.service",
        "signoff.cli",
        "signoff.web",
        "signoff.mcp",
    }
)
BANNED_CALLS = frozenset({"open", "input", "print", "exec", "eval", "__import__"})


def impurities(source: str) -> list[str]:
    """What in ``source`` breaks the purity rule, as 'line: what' strings."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found.extend(
            f"{line}: imports {name}"
            for name in names
            if any(name == banned or name.startswith(banned + ".") for banned in BANNED_MODULES)
        )
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in BANNED_CALLS
        ):
            found.append(f"{line}: calls {node.func.id}()")
    return found


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import subprocess", ["1: imports subprocess"]),
        ("from pathlib import Path", ["1: imports pathlib"]),
        (
            "from signoff.adapters.files import read_spec_bytes",
            ["1: imports signoff.adapters.files"],
        ),
        ("import sqlalchemy.orm", ["1: imports sqlalchemy.orm"]),
        ("x = open('f')", ["1: calls open()"]),
        ("import re\nfrom dataclasses import dataclass", []),
        ("import yaml", []),
    ],
)
def test_the_purity_check_catches_what_it_should(source: str, expected: list[str]) -> None:
    assert impurities(source) == expected


def test_core_imports_no_io_database_subprocess_or_framework() -> None:
    modules = sorted(CORE.rglob("*.py"))
    assert len(modules) >= 8, "the core package moved; update CORE"
    problems = [
        f"{module.relative_to(CORE.parent)}:{problem}"
        for module in modules
        for problem in impurities(module.read_text(encoding="utf-8"))
    ]
    assert problems == []
