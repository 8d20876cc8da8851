"""Write the built-in risk rules' translated patterns, stored so the gate need not translate.

Two generated modules, each checked against a live translation by a test that names this
script when the module is out of date:

- ``src/signoff/core/risk/path_regexes.py``: every built-in path pattern (gitignore style) as
  pathspec translates it to a regular expression. Importing pathspec costs more than a small
  gate's whole scan, so it is imported only for a slice's own patterns
  (tests/test_risk_paths.py).
- ``src/signoff/core/risk/screen_regexes.py``: every built-in line pattern as
  ``signoff.core.risk.prefilter.superset`` translates it for the RE2 screen. Translating the
  forty-odd patterns costs ~30 ms, on the path of every gate before its scanners can start
  (tests/test_risk_prefilter.py).

Run it after changing a built-in rule's paths or line patterns:

    .venv/bin/python scripts/stored_regexes.py && .venv/bin/ruff format src
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from signoff.core.risk.builtin import builtin_rules
from signoff.core.risk.paths import builtin_patterns, translate_with_pathspec
from signoff.core.risk.prefilter import builtin_line_patterns, translate

RISK = Path(__file__).resolve().parents[1] / "src/signoff/core/risk"


def _module(doc: str, declaration: str, entries: list[str]) -> str:
    """A generated module's text (run `ruff format` on it afterwards, as for any source)."""
    lines = [
        f'"""{doc} Generated: do not edit.',
        "",
        "Written by scripts/stored_regexes.py (see there why).",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        f"{declaration} = {{",
        *entries,
        "}",
    ]
    return "\n".join(lines) + "\n"


def path_regexes() -> str:
    return _module(
        "The built-in path patterns as pathspec translates them.",
        "TRANSLATED: dict[str, tuple[str, bool] | None]",
        [
            f"    {pattern!r}: {translate_with_pathspec(pattern)!r},"
            for pattern in builtin_patterns(builtin_rules())
        ],
    )


def screen_regexes() -> str:
    return _module(
        "The built-in line patterns as the RE2 screen translates them (MULTILINE).",
        "TRANSLATED: dict[str, str | None]",
        [
            f"    {pattern!r}: {translate(pattern, re.MULTILINE)!r},"
            for pattern in builtin_line_patterns(builtin_rules())
        ],
    )


def main() -> int:
    for name, text in (
        ("path_regexes.py", path_regexes()),
        ("screen_regexes.py", screen_regexes()),
    ):
        target = RISK / name
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
