"""Scanners that each read part of a diff, merged, find exactly what one scanner reading it all
finds: the same evidence in the same order, the same counts, each new directory once.

The gate deals a large diff's files out to one scanner per core (service/gate_scan.py); the
verdict must not depend on how many cores the machine has.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signoff.core.diff import FileChange
from signoff.core.risk.detect import RiskDetector, builtin_rules
from signoff.core.risk.model import Detection, merge_parts

AWS_KEY = "AK" + "IA" + "Q2WERTYUIOPASDFG"
DIRECTORIES_BEFORE = frozenset({"lib", "services", "services/billing"})
PATHS = [
    "services/billing/api/views.py",
    "services/payments/api/charge.py",  # a new service: reported once, at its first file
    "services/payments/jobs/retry.py",
    "tools/new_tool/main.go",  # a new top-level directory
    "tools/new_tool/flags.go",
    "db/migrate/20261121_add_index.rb",
    "config/locales/en.yml",
    "app/auth/session.py",
    "package.json",  # a manifest: read whole, after every other file
    "lib/util.py",
]
LINES = [
    "x = 1",
    f'key = "{AWS_KEY}"',
    "CREATE TABLE orders (id int);",
    "import stripe",
    '  welcome: "Welcome back!"',
    "@csrf_exempt",
    '    "left-pad": "1.3.0",',
]


def _change(path: str, lines: list[str]) -> FileChange:
    return FileChange(status="added", path=path, added=tuple(enumerate(lines, start=1)))


def _texts(change: FileChange) -> tuple[str | None, str | None]:
    """A manifest's two versions, as the gate reads them from blobs."""
    if not change.path.endswith("package.json"):
        return None, None
    return None, '{"dependencies": {"left-pad": "1.3.0", "stripe": "12.0.0"}}\n'


def _one_scanner(changes: list[FileChange], cap: int) -> tuple[Detection, ...]:
    """The gate's scan order with one scanner: manifests after everything else."""
    detector = RiskDetector(
        builtin_rules(), directories_before=DIRECTORIES_BEFORE, evidence_cap=cap
    )
    later = [c for c in changes if detector.needs_content(c)]
    for change in changes:
        if change not in later:
            detector.add(change)
    for change in later:
        old, new = _texts(change)
        detector.add(change, old_text=old, new_text=new)
    return detector.detections()


def _scanners(changes: list[FileChange], owner: list[int], count: int, cap: int) -> list:  # type: ignore[type-arg]
    parts = []
    for scanner in range(count):
        detector = RiskDetector(
            builtin_rules(), directories_before=DIRECTORIES_BEFORE, evidence_cap=cap
        )
        later = []
        for index, change in enumerate(changes):
            if owner[index] != scanner:
                continue
            if detector.needs_content(change):
                later.append((index, change))
            else:
                detector.add(change, order=(0, index))
        for index, change in later:
            old, new = _texts(change)
            detector.add(change, old_text=old, new_text=new, order=(1, index))
        parts.append(detector.part())
    return parts


@settings(max_examples=150, deadline=None)
@given(
    files=st.lists(
        st.tuples(st.sampled_from(PATHS), st.lists(st.sampled_from(LINES), max_size=6)),
        max_size=12,
        unique_by=lambda file: file[0],
    ),
    count=st.integers(1, 4),
    cap=st.integers(1, 4),
    data=st.data(),
)
def test_merged_scanners_find_exactly_what_one_scanner_finds(
    files: list[tuple[str, list[str]]], count: int, cap: int, data: st.DataObject
) -> None:
    changes = [_change(path, lines) for path, lines in files]
    owner = data.draw(
        st.lists(st.integers(0, count - 1), min_size=len(changes), max_size=len(changes))
    )
    merged = merge_parts(_scanners(changes, owner, count, cap), cap)
    assert merged == _one_scanner(changes, cap)


def test_a_new_directory_seen_by_two_scanners_is_reported_once_at_its_first_file() -> None:
    changes = [
        _change("services/payments/api/charge.py", ["x = 1"]),
        _change("services/payments/jobs/retry.py", ["x = 2"]),
    ]
    # Each scanner sees one file of the new service and reports it; the merge keeps the first.
    merged = merge_parts(_scanners(changes, [1, 0], 2, 20), 20)
    (architecture,) = [d for d in merged if d.category == "architecture"]
    assert architecture.count == 1
    assert [e.path for e in architecture.evidence] == ["services/payments/api/charge.py"]


@pytest.mark.parametrize("cap", [1, 3])
def test_the_cap_keeps_the_first_pieces_in_diff_order_whoever_found_them(cap: int) -> None:
    changes = [_change(f"lib/keys_{n}.py", [f'key = "{AWS_KEY}"']) for n in range(6)]
    merged = merge_parts(_scanners(changes, [n % 2 for n in range(6)], 2, cap), cap)
    (security,) = merged
    assert security.count == 6
    assert [e.path for e in security.evidence] == [f"lib/keys_{n}.py" for n in range(cap)]
