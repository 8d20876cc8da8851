"""The command gate's runner: exit codes, the output's tail, timeouts that stop everything."""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

from signoff.adapters.commands import TAIL_BYTES, run_command

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_exit_code_and_interleaved_output_are_kept(tmp_path: Path) -> None:
    ran = run_command("echo out; echo err >&2; exit 3", tmp_path, 30)
    assert ran.exit_code == 3
    assert ran.output.splitlines() == ["out", "err"]
    assert ran.error is None


def test_it_runs_in_the_folder_with_the_environment_given(tmp_path: Path) -> None:
    ran = run_command(
        'pwd; echo "$SIGNOFF_DIFF_SHA256"',
        tmp_path,
        30,
        {"SIGNOFF_DIFF_SHA256": "abc", "PATH": os.environ["PATH"]},
    )
    assert ran.output.splitlines() == [str(tmp_path), "abc"]
    assert ran.exit_code == 0


def test_only_the_tail_of_a_long_output_is_kept(tmp_path: Path) -> None:
    ran = run_command("seq 1 200000", tmp_path, 60)
    assert ran.exit_code == 0
    assert len(ran.output) <= TAIL_BYTES
    assert ran.output.endswith("199999\n200000\n")


def test_a_timeout_stops_the_whole_process_group(tmp_path: Path) -> None:
    marker = tmp_path / "still-running"
    started = time.monotonic()
    # The shell starts a child that would write the marker after the timeout if it survived.
    ran = run_command(f"(sleep 3; touch {marker}) & sleep 30", tmp_path, 0.5)
    assert time.monotonic() - started < 10
    assert ran.exit_code is None
    assert ran.error is not None
    assert "timed out after 0.5s" in ran.error
    time.sleep(3.5)
    assert not marker.exists()


def test_a_folder_that_does_not_exist_is_reported_not_raised(tmp_path: Path) -> None:
    ran = run_command("true", tmp_path / "missing", 5)
    assert ran.exit_code is None
    assert ran.error is not None
    assert ran.error.startswith("could not start")


def test_a_process_left_holding_the_output_never_reads_a_reused_descriptor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from signoff.adapters import commands

    monkeypatch.setattr(commands, "DRAIN_WAIT_SECONDS", 0.2)
    started = time.monotonic()
    # The shell exits at once; its background child keeps the output pipe open and writes later.
    ran = run_command("(sleep 0.6; echo late) & echo now", tmp_path, 30)
    assert time.monotonic() - started < 5
    assert (ran.exit_code, ran.output) == (0, "now\n")
    # Descriptors opened now may get the number the pipe had. The reader, still waiting on the
    # pipe, must not read from them (nor fail on a closed one) once the late line arrives.
    read_end, write_end = os.pipe()
    try:
        time.sleep(1.0)
        os.write(write_end, b"mine")
        os.set_blocking(read_end, False)
        assert os.read(read_end, 16) == b"mine"
    finally:
        os.close(read_end)
        os.close(write_end)
