"""Shared helpers for the benchmarks: the machine line, compiled bytecode, docs/performance.md.

Each benchmark owns one section of ``docs/performance.md``, fenced by a marker pair::

    <!-- bench:NAME:start -->
    ...generated markdown...
    <!-- bench:NAME:end -->

``write_section`` replaces what is between one pair and leaves every other byte of the file as
it was, so hand-written prose around the sections survives a ``make bench``.
"""

from __future__ import annotations

import compileall
import datetime as dt
import importlib.util
import os
import platform
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DOC = ROOT / "docs" / "performance.md"

TITLE = "# Performance"
INTRO = (
    "How fast `signoff` checks specs, and how well its wording rules do on real requirements. "
    "Every section below is generated: `make bench` (or `.venv/bin/python bench/run_all.py`) "
    "rewrites the text between each pair of `<!-- bench:NAME -->` markers and leaves everything "
    "else in this file alone, so edit prose outside the markers only. Each section names the "
    "command that produced it, the date and the machine; figures from different machines are "
    "not comparable."
)


def markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"


def write_section(path: Path, name: str, markdown: str) -> None:
    """Replace the text between ``name``'s markers in ``path`` with ``markdown``.

    A missing file is created with a title and an introduction; a missing marker pair is
    appended at the end. Nothing outside the markers changes.
    """
    start_marker, end_marker = markers(name)
    if path.exists():
        current = path.read_text(encoding="utf-8")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        current = f"{TITLE}\n\n{INTRO}\n"
    start = current.find(start_marker)
    end = current.find(end_marker, start + len(start_marker)) if start != -1 else -1
    if start == -1 or end == -1:
        separator = "" if not current or current.endswith("\n") else "\n"
        current = f"{current}{separator}\n{start_marker}\n{end_marker}\n"
        start = current.find(start_marker)
        end = current.find(end_marker, start)
    body = markdown if markdown.endswith("\n") else markdown + "\n"
    updated = current[: start + len(start_marker)] + "\n" + body + current[end:]
    path.write_text(updated, encoding="utf-8")


# ---------------------------------------------------------------- the machine


def cpu_count() -> int:
    """What ``nproc`` prints: the CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def cpu_model() -> str:
    try:
        with Path("/proc/cpuinfo").open(encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    return (
        f"nproc {cpu_count()} ({cpu_model()}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()} ({platform.python_implementation()})"
    )


def today() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def header(title: str, command: str) -> list[str]:
    """The first lines of every section: what produced it, when, and where."""
    return [
        f"## {title}",
        "",
        f"Command: `{command}` (also part of `make bench`)  ",
        f"Date: {today()}  ",
        f"Machine: {machine()}",
        "",
    ]


# ---------------------------------------------------------------- bytecode


def compile_signoff() -> Path:
    """Compile the ``signoff`` sources to bytecode, as pip and uv do at install time.

    This environment sets PYTHONDONTWRITEBYTECODE=1, so without this step every ``signoff``
    process would recompile the package from source and the figures would overstate start-up.
    (The venv's site-packages are compiled by ``uv sync --compile-bytecode``.) This is
    ``python -m compileall -q <src/signoff>``, run in-process so that no extra child process
    counts towards the children's peak memory.
    """
    spec = importlib.util.find_spec("signoff")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("error: the signoff package is not importable; run 'make test' first")
    package = Path(next(iter(spec.submodule_search_locations)))
    if not compileall.compile_dir(package, quiet=1):
        raise SystemExit(f"error: compileall failed on {package}")
    return package


# ---------------------------------------------------------------- figures


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear-interpolated percentile (``fraction`` in 0..1) of a non-empty sample."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def verdict(passed: bool) -> str:
    return "pass" if passed else "**FAIL**"


def display_command(argv: Sequence[str]) -> str:
    """A command line as a reader would type it from the project root."""
    parts: list[str] = []
    for part in argv:
        path = Path(part)
        if path.is_absolute():
            try:
                part = str(path.relative_to(ROOT))  # noqa: PLW2901 - shortening for display
            except ValueError:
                pass
        parts.append(part)
    return " ".join(parts)


def python_for_display() -> str:
    return display_command([sys.executable])
