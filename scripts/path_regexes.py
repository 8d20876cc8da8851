"""Write src/signoff/core/risk/path_regexes.py: every built-in path pattern, translated.

The risk rules' path patterns are gitignore patterns, which pathspec translates to regular
expressions. Importing pathspec costs more than a small gate's whole scan, so the built-in
patterns' translations are stored in a generated module and pathspec is imported only for a
slice's own patterns. Run this after changing a built-in rule's paths:

    .venv/bin/python scripts/path_regexes.py

tests/test_risk_paths.py fails, naming this script, when the module is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from signoff.core.risk.builtin import builtin_rules
from signoff.core.risk.paths import builtin_patterns, translate_with_pathspec

TARGET = Path(__file__).resolve().parents[1] / "src/signoff/core/risk/path_regexes.py"


def render() -> str:
    """The module's text (run `ruff format` on it afterwards, as for any source)."""
    lines = [
        '"""The built-in path patterns as pathspec translates them. Generated: do not edit.',
        "",
        "Written by scripts/path_regexes.py (see there why); tests/test_risk_paths.py checks",
        "it against pathspec.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "TRANSLATED: dict[str, tuple[str, bool] | None] = {",
    ]
    lines.extend(
        f"    {pattern!r}: {translate_with_pathspec(pattern)!r},"
        for pattern in builtin_patterns(builtin_rules())
    )
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> int:
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
