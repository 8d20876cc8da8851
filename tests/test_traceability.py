"""Traceability: which acceptance criteria passing tests name, and when the gate fails."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signoff.core.gates.model import Location
from signoff.core.gates.traceability import (
    TestCaseResult,
    id_tokens,
    names_id,
    parse_id,
    trace,
    traceability_gate,
)


def case(
    name: str,
    status: str = "passed",
    *,
    classname: str = "tests.test_reset",
    file: str | None = None,
    properties: tuple[tuple[str, str], ...] = (),
    message: str | None = None,
) -> TestCaseResult:
    return TestCaseResult(name, classname, status, file, message, properties)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "ident", "named"),
    [
        ("AC-1", "AC-1", True),
        ("AC_1", "AC-1", True),
        ("ac1", "AC-1", True),
        ("AC1", "AC-1", True),
        ("AC 1", "AC-1", True),
        ("AC-01", "AC-1", True),
        ("test_ac1_sends_link", "AC-1", True),
        ("test_AC_1", "AC-1", True),
        ("TestReset::test_ac_1[expired]", "AC-1", True),
        ("testAc1SendsLink", "AC-1", True),  # camel case: Jest, JUnit
        ("shall do it (AC-1, AC-2)", "AC-2", True),
        ("AC-10", "AC-1", False),
        ("test_ac10_x", "AC-1", False),
        ("AC-1", "AC-10", False),
        ("AC-11", "AC-1", False),
        ("AC-21", "AC-1", False),
        ("back1", "AC-1", False),  # letters before the prefix
        ("xac1", "AC-1", False),
        ("spec1", "EC-1", False),
        ("SPEC1", "EC-1", False),
        ("2AC1", "AC-1", False),
        ("test_ec1", "AC-1", False),
        ("", "AC-1", False),
        ("SO-3", "SO-3", True),
        ("so_3", "SO-3", True),
        ("SO-30", "SO-3", False),
        ("AC-1", "not an id", False),
    ],
)
def test_a_test_names_a_criterion_only_as_a_whole_token(text: str, ident: str, named: bool) -> None:
    assert names_id(text, ident) is named


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("test_ac1_and_AC-2", [("AC", 1), ("AC", 2)]),
        ("test_so3_ec_12", [("SO", 3), ("EC", 12)]),
        ("testEc2Retries", [("EC", 2)]),
        ("no ids here", []),
        ("tests.test_reset.TestAc3", [("AC", 3)]),
        ("xAC1 so3ac1", [("AC", 1), ("SO", 3)]),  # camel boundary; no boundary after 3
        ("TestAbc1 bac2", []),  # ABC and BAC are not asked for
    ],
)
def test_id_tokens_reads_every_id_in_a_text(text: str, tokens: list[tuple[str, int]]) -> None:
    assert list(id_tokens(text, ["AC", "ec", "SO"])) == tokens


def test_id_tokens_without_prefixes_finds_nothing() -> None:
    assert list(id_tokens("AC-1", [])) == []


@pytest.mark.parametrize(
    ("ident", "parsed"),
    [("AC-1", ("AC", 1)), ("ec_12", ("EC", 12)), ("SO-003", ("SO", 3)), ("AC-1a", None)],
)
def test_parse_id(ident: str, parsed: tuple[str, int] | None) -> None:
    assert parse_id(ident) == parsed


SPELLINGS = (
    "{p}-{n}",
    "{p}_{n}",
    "{lower}{n}",
    "test_{lower}_{n}_works",
    "test{cap}{n}Works",
    "[{p} {n}]",
)


@given(
    prefix=st.sampled_from(["AC", "EC", "SO"]),
    wanted=st.integers(min_value=1, max_value=999),
    other=st.integers(min_value=1, max_value=9999),
    spelling=st.sampled_from(SPELLINGS),
)
def test_a_spelling_names_its_own_number_and_no_other(
    prefix: str, wanted: int, other: int, spelling: str
) -> None:
    def spell(number: int) -> str:
        return spelling.format(p=prefix, lower=prefix.lower(), cap=prefix.capitalize(), n=number)

    ident = f"{prefix}-{wanted}"
    assert names_id(spell(wanted), ident)
    assert names_id(spell(other), ident) is (other == wanted)


def test_criteria_are_covered_by_passing_tests_that_name_them() -> None:
    results = [
        case("test_ac1_sends_link"),
        case("test_sends_reset", properties=(("criterion", "AC-2"),)),
        case("test_ac2_again", file="tests/test_reset.py"),
        case("test_unrelated"),
        case("TestAc3", classname="tests.test_reset.TestAc3"),
    ]
    traced = trace(["AC-1", "AC-2", "AC-3", "AC-4"], "SO-3", results)
    assert {c.criterion: c.tests for c in traced.covered} == {
        "AC-1": ("tests.test_reset::test_ac1_sends_link",),
        "AC-2": ("tests.test_reset::test_sends_reset", "tests/test_reset.py::test_ac2_again"),
        "AC-3": ("tests.test_reset.TestAc3::TestAc3",),
    }
    assert traced.uncovered == ("AC-4",)
    assert traced.failing == ()
    assert traced.tests_read == 5
    gate = traceability_gate("trace", traced)
    assert gate.status == "fail"
    assert gate.detail == "3 of 4 criteria covered; uncovered: AC-4"
    assert gate.data["uncovered"] == ["AC-4"]


def test_a_property_name_can_name_a_criterion() -> None:
    traced = trace(["EC-2"], "SO-3", [case("test_x", properties=(("EC-2", "covered"),))])
    assert traced.uncovered == ()


def test_a_failing_test_that_names_a_criterion_fails_the_gate_even_when_covered() -> None:
    results = [
        case("test_ac1_ok"),
        case("test_ac2_ok"),
        case("test_ac2_expired_link", "failed", file="tests/test_reset.py", message="410 != 200"),
    ]
    traced = trace(["AC-1", "AC-2"], "SO-3", results)
    assert traced.uncovered == ()
    assert [(f.test, f.criteria, f.message) for f in traced.failing] == [
        ("tests/test_reset.py::test_ac2_expired_link", ("AC-2",), "410 != 200")
    ]
    gate = traceability_gate("trace", traced)
    assert gate.status == "fail"
    assert gate.detail.startswith(
        "AC-2 named by failing test tests/test_reset.py::test_ac2_expired_link; "
    )
    assert gate.locations == (Location("tests/test_reset.py"),)
    assert gate.data["failing"] == [
        {
            "test": "tests/test_reset.py::test_ac2_expired_link",
            "status": "failed",
            "criteria": ["AC-2"],
            "message": "410 != 200",
        }
    ]


def test_an_erroring_test_fails_the_gate_and_a_failing_unrelated_test_does_not() -> None:
    erroring = trace(["AC-1"], "SO-3", [case("test_ac1"), case("test_ac1_setup", "error")])
    assert traceability_gate("t", erroring).detail.startswith("AC-1 named by erroring test")
    assert traceability_gate("t", erroring).status == "fail"
    unrelated = trace(["AC-1"], "SO-3", [case("test_ac1"), case("test_other_thing", "failed")])
    assert traceability_gate("t", unrelated).status == "pass"


def test_skipped_tests_neither_cover_nor_fail() -> None:
    traced = trace(["AC-1", "EC-1"], "SO-3", [case("test_ac1"), case("test_ec1", "skipped")])
    assert traced.uncovered == ("EC-1",)
    assert traced.failing == ()
    assert traced.only_skipped == ("EC-1",)
    detail = traceability_gate("t", traced).detail
    assert detail == "1 of 2 criteria covered; uncovered: EC-1 (only skipped tests name EC-1)"


@pytest.mark.parametrize(
    ("name", "counted"),
    [
        ("test_so7_ac1", False),  # another spec only: left out
        ("test_SO_7_ac1", False),
        ("test_so3_ac1", True),
        ("test_so3_and_so7_ac1", True),  # names this spec too
        ("test_ac1", True),  # names no spec at all
        ("test_so30_ac1", False),  # SO-30 is not SO-3
    ],
)
def test_a_test_naming_only_another_spec_is_left_out(name: str, counted: bool) -> None:
    traced = trace(["AC-1"], "SO-3", [case(name)])
    assert (traced.uncovered == ()) is counted
    assert traced.other_spec == (0 if counted else 1)
    assert traced.tests_read == 1


def test_another_specs_failing_test_does_not_fail_this_gate() -> None:
    results = [case("test_so3_ac1"), case("test_so9_ac1", "failed")]
    assert traceability_gate("t", trace(["AC-1"], "SO-3", results)).status == "pass"


def test_all_covered_passes_with_a_count() -> None:
    traced = trace(["AC-1", "AC-2"], "SO-3", [case("test_ac1"), case("test_ac2"), case("x")])
    gate = traceability_gate("trace", traced)
    assert gate.status == "pass"
    assert gate.kind == "traceability"
    assert gate.detail == "2 of 2 criteria covered by passing tests (3 tests read)"


def test_no_results_read_says_how_to_pass_them() -> None:
    gate = traceability_gate("trace", trace(["AC-1"], "SO-3", []))
    assert gate.status == "fail"
    assert "no test results were read: pass the report with --junit FILE" in gate.detail


def test_a_spec_without_criteria_fails_rather_than_passing_vacuously() -> None:
    gate = traceability_gate("trace", trace([], "SO-3", [case("test_ac1")]))
    assert gate.status == "fail"
    assert "SO-3 has no acceptance criteria" in gate.detail


def test_many_failing_tests_are_summarised_in_the_detail_and_kept_in_data() -> None:
    results = [case(f"test_ac1_case_{n}", "failed") for n in range(7)]
    gate = traceability_gate("trace", trace(["AC-1"], "SO-3", results))
    assert gate.detail.count("named by failing test") == 3
    assert "and 4 more failing tests" in gate.detail
    assert len(gate.data["failing"]) == 7


def test_a_large_suite_keeps_a_few_test_ids_per_criterion_and_the_full_count() -> None:
    results = [case(f"test_ac1_{n}") for n in range(500)] + [case("test_ac2")]
    traced = trace(["AC-1", "AC-2"], "SO-3", results)
    first, second = traced.covered
    assert (first.count, len(first.tests), first.tests[0]) == (
        500,
        20,
        "tests.test_reset::test_ac1_0",
    )
    assert (second.count, second.tests) == (1, ("tests.test_reset::test_ac2",))
    assert traceability_gate("t", traced).data["covered"][0]["count"] == 500


def test_duplicate_and_blank_criteria_are_traced_once() -> None:
    traced = trace(["AC-1", "AC-1", " ", "AC-2"], "SO-3", [case("test_ac1")])
    assert traced.criteria == ("AC-1", "AC-2")
    assert traced.uncovered == ("AC-2",)


@given(
    st.lists(
        st.tuples(
            st.lists(st.integers(min_value=1, max_value=12), max_size=3),
            st.sampled_from(["passed", "failed", "error", "skipped"]),
        ),
        max_size=30,
    ),
    st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=6, unique=True),
)
def test_covered_and_uncovered_partition_the_criteria(
    tests: list[tuple[list[int], str]], numbers: list[int]
) -> None:
    criteria = [f"AC-{n}" for n in numbers]
    results = [case("test_" + "_".join(f"ac{n}" for n in named), status) for named, status in tests]
    traced = trace(criteria, "SO-1", results)
    covered = {c.criterion for c in traced.covered}
    assert covered | set(traced.uncovered) == set(criteria)
    assert not covered & set(traced.uncovered)
    expected_covered = {
        f"AC-{n}" for named, status in tests if status == "passed" for n in named
    } & set(criteria)
    assert covered == expected_covered
    gate = traceability_gate("t", traced)
    failing = any(
        status in ("failed", "error") and set(named) & set(numbers) for named, status in tests
    )
    assert (gate.status == "pass") is (not failing and not traced.uncovered)
