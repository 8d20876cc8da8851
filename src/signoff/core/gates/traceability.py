"""Traceability: every acceptance criterion of a spec is named by a passing test.

A test *names* a criterion when its name, class name or one of its properties (name or value)
holds the criterion's id as a token. Test runners spell ids differently, so ``AC-1``, ``AC_1``,
``ac1``, ``AC 1``, ``AC-01`` and the camel-case ``testAc1Works`` all name AC-1, while ``AC-10``,
``back1`` and ``SPEC1`` do not: a token starts at a non-alphanumeric character or at a
lower-to-upper case change, and its number ends where the digits end.

A test that names another spec (``SO-7`` while tracing SO-3) and not this one is left out: a
shared suite may hold several specs' tests with the same criterion numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar, Literal

from signoff.core.gates.model import GateResult, Location

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

TestStatus = Literal["passed", "failed", "error", "skipped"]
TEST_STATUSES: tuple[TestStatus, ...] = ("passed", "failed", "error", "skipped")

# How many failing tests the one-line detail names before "and N more" (data keeps them all).
DETAIL_FAILING_LIMIT = 3
# How many passing test ids are kept per criterion; ``count`` keeps the full number (a suite
# of 100,000 tests need not be held twice to say that AC-1 is covered).
TESTS_KEPT_PER_CRITERION = 20

_CRITERION_ID = re.compile(r"^(?P<prefix>[A-Za-z]{1,4})[-_ ]?(?P<number>\d+)$")


@dataclass(frozen=True, slots=True)
class TestCaseResult:
    """One test case as a JUnit report records it.

    ``properties`` are the ``<property name= value=>`` pairs inside the test case (pytest's
    ``record_property`` writes them); ``file`` is set when the report names the test's file.
    """

    __test__: ClassVar[bool] = False  # not a pytest test class, despite the name

    name: str
    classname: str
    status: TestStatus
    file: str | None = None
    message: str | None = None
    properties: tuple[tuple[str, str], ...] = ()

    @property
    def display_id(self) -> str:
        """``file::name`` when the file is known, else ``classname::name`` (or the bare name)."""
        owner = self.file or self.classname
        return f"{owner}::{self.name}" if owner else self.name

    def texts(self) -> Iterator[str]:
        """Every text that may name a criterion: name, class name, property names and values."""
        yield self.name
        yield self.classname
        for name, value in self.properties:
            yield name
            yield value


@dataclass(frozen=True, slots=True)
class CoveredCriterion:
    """A criterion, the first passing tests that name it, and how many do in all."""

    criterion: str
    tests: tuple[str, ...]
    count: int


@dataclass(frozen=True, slots=True)
class FailingTest:
    """A failed or erroring test that names at least one criterion: it fails the gate."""

    test: str
    status: TestStatus
    criteria: tuple[str, ...]
    message: str | None
    file: str | None


@dataclass(frozen=True, slots=True)
class Traceability:
    """How the spec's criteria are covered by one set of test results."""

    spec_id: str
    criteria: tuple[str, ...]
    covered: tuple[CoveredCriterion, ...]
    uncovered: tuple[str, ...]
    failing: tuple[FailingTest, ...]
    tests_read: int
    other_spec: int = 0  # tests left out because they name another spec only
    only_skipped: tuple[str, ...] = ()  # uncovered criteria that skipped tests name

    @property
    def passed(self) -> bool:
        return bool(self.criteria) and not self.uncovered and not self.failing


def _key(prefix: str, number: str) -> tuple[str, int]:
    return (prefix.upper(), int(number))


@lru_cache(maxsize=64)
def _token_pattern(prefixes: tuple[str, ...]) -> re.Pattern[str]:
    """Id tokens with one of ``prefixes`` (upper case), as a regular expression.

    A token is a prefix then digits, optionally joined by ``-``, ``_`` or a space. The prefix
    starts after a non-alphanumeric character (or the start), in any case, or at a camel-case
    boundary (``testAc1``: a lower-case letter, then the prefix with its first letter upper
    case). The digits run to the last digit, so AC-10 is never AC-1. Only the prefixes asked
    for are searched: one pass per text, whatever else the text holds.
    """
    ordered = sorted(set(prefixes), key=len, reverse=True)
    plain = "|".join(re.escape(prefix) for prefix in ordered)
    camel = "|".join(
        re.escape(prefix[0]) + (f"(?i:{re.escape(prefix[1:])})" if prefix[1:] else "")
        for prefix in ordered
    )
    return re.compile(
        rf"(?:(?<![A-Za-z0-9])(?P<plain>(?i:{plain}))|(?<=[a-z])(?P<camel>{camel}))"
        r"[-_ ]?(?P<number>\d+)"
    )


def id_tokens(text: str, prefixes: Iterable[str]) -> Iterator[tuple[str, int]]:
    """The ``(PREFIX, number)`` tokens in ``text`` with one of ``prefixes``.

    ``id_tokens("test_ac1_and_AC-2", ["AC"])`` gives ``("AC", 1)`` and ``("AC", 2)``.
    """
    wanted = tuple(sorted({prefix.upper() for prefix in prefixes if prefix}))
    if wanted:
        yield from _tokens(text, _token_pattern(wanted))


def _tokens(text: str, pattern: re.Pattern[str]) -> Iterator[tuple[str, int]]:
    for match in pattern.finditer(text):
        yield _key(match["plain"] or match["camel"], match["number"])


def parse_id(ident: str) -> tuple[str, int] | None:
    """``"AC-1"`` as ``("AC", 1)``; None when it is not letters followed by a number."""
    match = _CRITERION_ID.match(ident.strip())
    return _key(match["prefix"], match["number"]) if match else None


def names_id(text: str, ident: str) -> bool:
    """Whether ``text`` holds ``ident`` (``AC-1``, ``SO-3``) as a token."""
    wanted = parse_id(ident)
    return wanted is not None and any(token == wanted for token in id_tokens(text, [wanted[0]]))


def _named(
    result: TestCaseResult,
    criteria: dict[tuple[str, int], str],
    spec: tuple[str, int] | None,
    pattern: re.Pattern[str],
) -> tuple[list[str], bool]:
    """(criteria the test names, whether it names another spec and not this one)."""
    found: list[str] = []
    other_spec = this_spec = False
    # One search over all the texts: a newline joins them, and no token spans a newline.
    for token in _tokens("\n".join(result.texts()), pattern):
        if token in criteria and criteria[token] not in found:
            found.append(criteria[token])
        elif spec is not None and token[0] == spec[0]:
            this_spec = this_spec or token == spec
            other_spec = other_spec or token != spec
    return found, other_spec and not this_spec


def trace(criteria: Sequence[str], spec_id: str, results: Iterable[TestCaseResult]) -> Traceability:
    """Match test results to the spec's criteria (ids like ``AC-1``, ``EC-2``).

    A criterion is covered when at least one passing test names it. Every failed or erroring
    test that names a criterion is listed as failing; skipped tests neither cover nor fail.
    """
    wanted = list(dict.fromkeys(ident.strip() for ident in criteria if ident.strip()))
    by_key = {key: ident for ident in wanted if (key := parse_id(ident)) is not None}
    spec = parse_id(spec_id)
    prefixes = {key[0] for key in by_key} | ({spec[0]} if spec else set())
    pattern = _token_pattern(tuple(sorted(prefixes))) if prefixes else None
    passing: dict[str, list[str]] = {ident: [] for ident in wanted}
    counts = dict.fromkeys(wanted, 0)
    skipped: set[str] = set()
    failing: list[FailingTest] = []
    read = other = 0
    for result in results:
        read += 1
        named, elsewhere = (
            _named(result, by_key, spec, pattern) if pattern is not None else ([], False)
        )
        if elsewhere:
            other += 1
            continue
        if not named:
            continue
        if result.status == "passed":
            for ident in named:
                counts[ident] += 1
                if counts[ident] <= TESTS_KEPT_PER_CRITERION:
                    passing[ident].append(result.display_id)
        elif result.status == "skipped":
            skipped.update(named)
        else:
            failing.append(
                FailingTest(
                    result.display_id, result.status, tuple(named), result.message, result.file
                )
            )
    uncovered = tuple(ident for ident in wanted if not counts[ident])
    return Traceability(
        spec_id=spec_id,
        criteria=tuple(wanted),
        covered=tuple(
            CoveredCriterion(ident, tuple(tests), counts[ident])
            for ident, tests in passing.items()
            if tests
        ),
        uncovered=uncovered,
        failing=tuple(failing),
        tests_read=read,
        other_spec=other,
        only_skipped=tuple(ident for ident in uncovered if ident in skipped),
    )


def _failing_phrase(test: FailingTest) -> str:
    verb = "erroring" if test.status == "error" else "failing"
    return f"{', '.join(test.criteria)} named by {verb} test {test.test}"


def _detail(traced: Traceability) -> str:
    parts = [_failing_phrase(test) for test in traced.failing[:DETAIL_FAILING_LIMIT]]
    if len(traced.failing) > DETAIL_FAILING_LIMIT:
        parts.append(f"and {len(traced.failing) - DETAIL_FAILING_LIMIT} more failing tests")
    total = len(traced.criteria)
    coverage = f"{len(traced.covered)} of {total} criteria covered"
    if traced.uncovered:
        coverage += f"; uncovered: {', '.join(traced.uncovered)}"
        if traced.only_skipped:
            coverage += f" (only skipped tests name {', '.join(traced.only_skipped)})"
        if traced.tests_read == 0:
            coverage += "; no test results were read: pass the report with --junit FILE"
    else:
        coverage += f" by passing tests ({traced.tests_read} tests read)"
    parts.append(coverage)
    return "; ".join(parts)


def _data(traced: Traceability) -> dict[str, object]:
    return {
        "criteria": list(traced.criteria),
        "covered": [
            {"criterion": covered.criterion, "tests": list(covered.tests), "count": covered.count}
            for covered in traced.covered
        ],
        "uncovered": list(traced.uncovered),
        "only_skipped": list(traced.only_skipped),
        "failing": [
            {
                "test": test.test,
                "status": test.status,
                "criteria": list(test.criteria),
                "message": test.message,
            }
            for test in traced.failing
        ],
        "tests_read": traced.tests_read,
        "other_spec": traced.other_spec,
    }


def traceability_gate(name: str, trace: Traceability) -> GateResult:
    """The gate's result: pass when every criterion is covered and no naming test fails."""
    if not trace.criteria:
        detail = f"{trace.spec_id} has no acceptance criteria to trace; add AC-n items to the spec"
        return GateResult(name, "traceability", "fail", detail, _data(trace))
    locations = tuple(
        dict.fromkeys(Location(test.file) for test in trace.failing if test.file is not None)
    )
    return GateResult(
        name,
        "traceability",
        "pass" if trace.passed else "fail",
        _detail(trace),
        _data(trace),
        locations,
    )
