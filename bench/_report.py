# Copyright 2025 The Signoff developers
# SPDX-License-Identifier: Apache-2.0
"""Shared helpers for the benchmarks: the machine line, compiled bytecode, docs/performance.md.

Each benchmark owns one section of ``docs/performance.md``, fenced by a marker pair::

    <!-- bench:NAME:start -->
    ...generated markdown...
    <!-- bench:NAME:end -->

``write_section`` replaces what is between one pair and leaves every other byte of the file as
it was, so hand-written prose around the sections survives a ``make bench``.
"""

from __future__ import annotations

import atexit
import compileall
import contextlib
import datetime as dt
import functools
import importlib.util
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DOC = ROOT / "docs" / "performance.md"

TITLE = "# Performance"
INTRO = """\
How fast `signoff` checks specs, and how well its wording rules do on real requirements. Every
section below is generated: `make bench` (or `.venv/bin/python bench/run_all.py`) rewrites the
text between each `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->` pair and leaves the
rest of this file alone, so write prose outside the markers only. Each section names the command
that produced it, the date and the machine; figures from different machines are not comparable.
"""


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
        current = f"{TITLE}\n\n{INTRO}"
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


def load() -> str:
    """The 1-minute load average: how busy the machine was with other work."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def today() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def header(title: str, command: str) -> list[str]:
    """The first lines of every section: what produced it, when, and where."""
    return [
        f"## {title}",
        "",
        f"Command: `{command}` (also part of `make bench`)  ",
        f"Date: {today()}  ",
        f"Machine: {machine()}, load average {load()} at the start",
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


def source_fingerprint(package: Path) -> tuple[tuple[str, int, int], ...]:
    """Every source file of ``package`` with its mtime and size, to notice edits mid-run.

    Other people edit this repository while benchmarks run; a run whose figures mix two
    versions of the checker says so instead of publishing them silently.
    """
    return tuple(
        (str(path.relative_to(package)), path.stat().st_mtime_ns, path.stat().st_size)
        for path in sorted(package.rglob("*.py"))
    )


def changed_sources(
    before: tuple[tuple[str, int, int], ...], after: tuple[tuple[str, int, int], ...]
) -> list[str]:
    return sorted({name for name, *_ in set(before) ^ set(after)})


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


def warnings(stale: Sequence[str], changed: Sequence[str]) -> list[str]:
    """Paragraphs that say why a section's figures may not be trusted, if any."""
    lines: list[str] = []
    if stale:
        names = ", ".join(stale[:10])
        lines += [
            "",
            (
                f"**Warning:** {len(stale)} modules were loaded from source, not bytecode, so "
                f"these figures overstate start-up: {names}."
            ),
        ]
    if changed:
        lines += [
            "",
            (
                f"**Warning:** {len(changed)} signoff source files changed while this benchmark "
                f"ran ({', '.join(changed[:10])}), so its figures may mix two versions of the "
                "code. Run it again."
            ),
        ]
    return lines


def summary_warnings(name: str, stale: Sequence[str], changed: Sequence[str]) -> list[str]:
    lines: list[str] = []
    if stale:
        lines.append(f"{name}: WARNING {len(stale)} modules loaded from source, not bytecode")
    if changed:
        lines.append(f"{name}: WARNING sources changed during the run: {', '.join(changed)}")
    return lines


def verdict(passed: bool) -> str:
    return "pass" if passed else "**FAIL**"


def display_command(argv: Sequence[str]) -> str:
    """A command line as a reader would type it from the project root, quoted for a shell."""
    parts: list[str] = []
    for part in argv:
        path = Path(part)
        shown = part
        if path.is_absolute():
            with contextlib.suppress(ValueError):
                shown = str(path.relative_to(ROOT))
        parts.append(shlex.quote(shown))
    return " ".join(parts)


_CODE_SPAN = re.compile(r"`[^`]*`")


def paragraph(*sentences: str) -> list[str]:
    """Prose for a section, wrapped at the project's line length (never inside `code`)."""
    text = _CODE_SPAN.sub(lambda span: span.group().replace(" ", "\0"), " ".join(sentences))
    lines = textwrap.wrap(text, width=100, break_on_hyphens=False, break_long_words=False)
    return [*(line.replace("\0", " ") for line in lines), ""]


def python_for_display() -> str:
    return display_command([sys.executable])


# ---------------------------------------------------------------- child processes


class BenchError(Exception):
    """The benchmark could not measure (the CLI failed, the data is missing)."""


@dataclass(frozen=True, slots=True)
class ChildRun:
    seconds: float
    peak_rss_kib: int
    exit_code: int
    stdout: str
    stderr: str


# The spawner: a bare interpreter (-I -S) that forks and times the measured commands. On Linux
# a child's ru_maxrss starts from the RSS of the process that forked it (exec keeps the high
# water mark of the memory it replaces), so children forked by the benchmark itself, which may
# hold 10,000 parsed specs, would all report the benchmark's own peak. The spawner is small, so
# the figure it reports is the command's own.
_SPAWNER = r"""
import json, os, sys, time

for line in sys.stdin:
    request = json.loads(line)
    flags = os.O_WRONLY | os.O_TRUNC
    out = os.open(request["stdout"] or os.devnull, flags)
    err = os.open(request["stderr"], flags)
    null = os.open(os.devnull, os.O_RDONLY)
    began = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.chdir(request["cwd"])
            os.dup2(null, 0)
            os.dup2(out, 1)
            os.dup2(err, 2)
            os.execvp(request["argv"][0], request["argv"])
        except BaseException as error:
            os.write(2, f"cannot run {request['argv'][0]}: {error}\n".encode())
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - began
    for fd in (out, err, null):
        os.close(fd)
    exit_code = os.waitstatus_to_exitcode(status)
    reply = {"seconds": seconds, "maxrss": usage.ru_maxrss, "exit": exit_code}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
"""


class _Spawner:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _SPAWNER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        atexit.register(self.close)

    def run(self, command: Sequence[str], cwd: Path, stdout: Path | None, stderr: Path) -> Any:
        assert self.process.stdin is not None  # noqa: S101 - opened with PIPE
        assert self.process.stdout is not None  # noqa: S101
        request = {
            "argv": list(command),
            "cwd": str(cwd),
            "stdout": None if stdout is None else str(stdout),
            "stderr": str(stderr),
        }
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        reply = self.process.stdout.readline()
        if not reply:
            raise BenchError(f"the spawner process died (exit {self.process.wait()})")
        return json.loads(reply)

    def close(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        self.process.wait()


@functools.cache
def _spawner() -> _Spawner:
    return _Spawner()


def run_child(command: Sequence[str], cwd: Path, *, capture: bool = False) -> ChildRun:
    """Run ``command`` in ``cwd``: wall time from fork to exit, and its own peak RSS.

    The figure is ``ru_maxrss`` from ``os.wait4`` on exactly this child (what
    ``resource.getrusage(RUSAGE_CHILDREN)`` reports when it is the only child ever reaped),
    measured by a small spawner process, see ``_SPAWNER``. Output goes to temporary files, not
    pipes, so nothing competes with the child while it runs; stdin is /dev/null.
    """
    with tempfile.TemporaryDirectory(prefix="signoff-bench-run-") as folder:
        out, err = Path(folder) / "stdout", Path(folder) / "stderr"
        out.touch()
        err.touch()
        reply = _spawner().run(command, cwd, out if capture else None, err)
        return ChildRun(
            seconds=float(reply["seconds"]),
            peak_rss_kib=int(reply["maxrss"]),  # KiB on Linux
            exit_code=int(reply["exit"]),
            stdout=out.read_text(encoding="utf-8", errors="replace"),
            stderr=err.read_text(encoding="utf-8", errors="replace"),
        )


_STALE_MARK = "STALE-BYTECODE:"
_STALE_CHECK = f"""
import atexit, importlib.util, os, runpy, sys

def _stale():
    found = []
    for name, module in sorted(sys.modules.items()):
        spec = getattr(module, "__spec__", None)
        origin, cached = getattr(spec, "origin", None), getattr(spec, "cached", None)
        if not origin or not cached or not origin.endswith(".py"):
            continue
        try:
            with open(cached, "rb") as handle:
                head = handle.read(16)
            source = os.stat(origin)
        except OSError:
            found.append(name)
            continue
        flags = int.from_bytes(head[4:8], "little")
        if head[:4] != importlib.util.MAGIC_NUMBER or (flags == 0 and (
            int.from_bytes(head[8:12], "little") != int(source.st_mtime) & 0xFFFFFFFF
            or int.from_bytes(head[12:16], "little") != source.st_size & 0xFFFFFFFF
        )):
            found.append(name)
    sys.__stderr__.write("{_STALE_MARK}" + " ".join(found) + "\\n")

atexit.register(_stale)
args = sys.argv[1:]
if args[0] == "-m":
    sys.argv = [args[1], *args[2:]]
    runpy.run_module(args[1], run_name="__main__", alter_sys=True)
else:
    sys.argv = args
    runpy.run_path(args[0], run_name="__main__")
"""


def stale_bytecode(arguments: Sequence[str], cwd: Path) -> list[str]:
    """Modules that ``python ARGUMENTS`` loaded from source because no valid .pyc existed.

    ``arguments`` is a script path or ``-m module`` and its arguments. An empty list means every
    Python module the command imported came from bytecode, as it would after an install.
    """
    run = run_child([sys.executable, "-c", _STALE_CHECK, *arguments], cwd, capture=True)
    for line in run.stderr.splitlines():
        if line.startswith(_STALE_MARK):
            return line.removeprefix(_STALE_MARK).split()
    raise BenchError(f"the bytecode check did not finish (exit {run.exit_code}):\n{run.stderr}")


# ---------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one benchmark produced: its section, a few summary lines, and its exit code.

    Exit codes: 0 every goal met, 1 a goal missed, 2 the benchmark could not run.
    """

    name: str
    markdown: str
    summary: tuple[str, ...]
    exit_code: int


class TimedRuns:
    """Median, p90 and fastest of a measure's wall times (``seconds``), in milliseconds."""

    __slots__ = ()
    seconds: Sequence[float]

    @property
    def median_ms(self) -> float:
        return 1000 * median(self.seconds)

    @property
    def p90_ms(self) -> float:
        return 1000 * percentile(self.seconds, 0.9)

    @property
    def min_ms(self) -> float:
        return 1000 * min(self.seconds)


class Measurement(Protocol):
    """What every benchmark's result has: whether its goals were met."""

    @property
    def passed(self) -> bool: ...


M = TypeVar("M", bound=Measurement)


def refuse(name: str, message: str) -> Outcome:
    """The outcome of a benchmark given arguments it cannot run with."""
    print(f"error: {message}", file=sys.stderr)
    return Outcome(name, "", (), exit_code=2)


def conclude(
    name: str,
    measure: Callable[[], M | None],
    render: Callable[[M], str],
    summarise: Callable[[M], tuple[str, ...]],
    write: Path | None,
) -> Outcome:
    """Run ``measure``; publish its section, or say why it could not run (exit 2).

    ``measure`` returning None means there was nothing to report (exit 0).
    """
    try:
        measured = measure()
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return Outcome(name, "", (f"{name}: could not run: {error}",), exit_code=2)
    if measured is None:
        return Outcome(name, "", (), exit_code=0)
    outcome = Outcome(
        name, render(measured), summarise(measured), exit_code=0 if measured.passed else 1
    )
    return publish(outcome, write)


def conclude_in_folder(
    name: str,
    measure: Callable[[Path], M | None],
    render: Callable[[M], str],
    summarise: Callable[[M], tuple[str, ...]],
    write: Path | None,
) -> Outcome:
    """:func:`conclude`, with ``measure`` working in a temporary folder removed afterwards."""

    def in_a_temporary_folder() -> M | None:
        with tempfile.TemporaryDirectory(prefix=f"signoff-{name}-") as folder:
            return measure(Path(folder))

    return conclude(name, in_a_temporary_folder, render, summarise, write)


def publish(outcome: Outcome, write: Path | None) -> Outcome:
    """Write the section into ``write`` and print the summary, or print the section."""
    if write is None:
        print(outcome.markdown, end="")
    else:
        write_section(write, outcome.name, outcome.markdown)
        for line in outcome.summary:
            print(line)
        print(f"wrote the '{outcome.name}' section of {display_command([str(write.resolve())])}")
    return outcome
