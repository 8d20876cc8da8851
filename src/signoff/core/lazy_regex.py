"""Regular expressions compiled when first used, for modules that define many and use few.

Compiling a pattern costs ~0.3 ms. The risk detectors define some eighty at import, most for
one kind of file only (a Gemfile, a Terraform variable, a mail template), and the gate imports
them before its scanners can start, on every run. A pattern made with :func:`lazy_compile` is
compiled the first time one of its methods is used, and behaves as the compiled pattern from
then on (each use goes through one attribute lookup more, so patterns used on every file of a
diff stay compiled at import).
"""

from __future__ import annotations

import re
from typing import Any, cast


class LazyPattern:
    """A pattern and its flags, compiled on first use (see :func:`lazy_compile`)."""

    __slots__ = ("_compiled", "_flags", "_pattern")

    def __init__(self, pattern: str, flags: int) -> None:
        self._pattern = pattern
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:  # only for what the slots above do not hold
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(self._pattern, self._flags)
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_compile({self._pattern!r}, {self._flags})"


def lazy_compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, done when the pattern is first used (an invalid
    pattern raises then, not here)."""
    return cast("re.Pattern[str]", LazyPattern(pattern, flags))
