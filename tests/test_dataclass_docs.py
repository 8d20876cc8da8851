"""Every dataclass says what it is in a docstring.

For the next engineer first; and on Python 3.11 a dataclass without one has its signature
worked out by ``inspect`` as it is defined (about 0.3 ms each, at every start of the CLI).
"""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "signoff"


def _is_dataclass(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Name) and target.id == "dataclass"


def undocumented(source: str) -> list[str]:
    """The dataclasses of ``source`` that have no docstring, by name."""
    return [
        node.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ClassDef)
        and any(_is_dataclass(decorator) for decorator in node.decorator_list)
        and ast.get_docstring(node) is None
    ]


def test_the_check_finds_a_dataclass_without_a_docstring() -> None:
    source = (
        "from dataclasses import dataclass\n"
        "@dataclass(frozen=True)\nclass Bare:\n    x: int\n"
        '@dataclass\nclass Told:\n    """Says so."""\n    x: int\n'
        "class Plain:\n    x: int\n"
    )
    assert undocumented(source) == ["Bare"]


def test_every_dataclass_has_a_docstring() -> None:
    missing = [
        f"{path.relative_to(SOURCE.parent)}: {name}"
        for path in sorted(SOURCE.rglob("*.py"))
        for name in undocumented(path.read_text(encoding="utf-8"))
    ]
    assert not missing, "dataclasses without a docstring (say what each is):\n" + "\n".join(missing)
