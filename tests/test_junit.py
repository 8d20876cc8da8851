"""Reading JUnit XML: the dialects test runners write, and every way a report can be broken."""

from __future__ import annotations

import tracemalloc
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signoff.adapters.junit import MESSAGE_LIMIT, read_junit
from signoff.core.errors import JUnitError, UsageError
from signoff.core.gates.traceability import TestCaseResult

if TYPE_CHECKING:
    from pathlib import Path

PYTEST_XUNIT2 = """\
<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="4" time="0.2">
<testcase classname="tests.test_reset" name="test_ac1_sends_link" time="0.001">
  <properties><property name="criterion" value="AC-1" /></properties>
</testcase>
<testcase classname="tests.test_reset" name="test_ac2_expired_link" time="0.001">
  <failure message="AssertionError: assert 410 == 200">def test_ac2_expired_link():
&gt;       assert response.status == 200
E       AssertionError: assert 410 == 200</failure>
</testcase>
<testcase classname="tests.test_reset" name="test_ec1" time="0.000">
  <skipped type="pytest.skip" message="tax service stub missing">tests/test_reset.py:30: tax service stub missing</skipped>
</testcase>
<testcase classname="tests.test_reset" name="test_db" time="0.000">
  <error message="failed on setup with &quot;fixture 'db' not found&quot;">file tests/test_reset.py, line 40</error>
</testcase>
</testsuite></testsuites>
"""

PYTEST_XUNIT1 = """\
<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="1">
<testcase classname="tests.test_reset" name="test_ac1" file="tests/test_reset.py" line="11" time="0.1">
  <system-out>lots of output AC-9</system-out>
</testcase>
</testsuite></testsuites>
"""

SUREFIRE = """\
<?xml version="1.0" encoding="UTF-8"?>
<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="com.example.ResetTest" time="0.3" tests="3" errors="0" skipped="0" failures="1">
  <properties><property name="java.version" value="21"/></properties>
  <testcase name="ac1SendsLink" classname="com.example.ResetTest" time="0.1"/>
  <testcase name="ac2ExpiredLink" classname="com.example.ResetTest" time="0.1">
    <failure message="expected: &lt;200&gt; but was: &lt;410&gt;" type="org.opentest4j.AssertionFailedError"><![CDATA[org.opentest4j.AssertionFailedError: expected: <200> but was: <410>
	at com.example.ResetTest.ac2ExpiredLink(ResetTest.java:20)]]></failure>
  </testcase>
  <testcase name="flakyAc3" classname="com.example.ResetTest" time="0.1">
    <flakyFailure message="first run failed" type="java.lang.AssertionError"><stackTrace>boom</stackTrace></flakyFailure>
  </testcase>
</testsuite>
"""

JEST = """\
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="2" failures="1" errors="0" time="1.2">
  <testsuite name="password reset" errors="0" failures="1" skipped="0" timestamp="2026-01-01T00:00:00" time="1.1" tests="2">
    <testcase classname="password reset AC-1 sends a link" name="password reset AC-1 sends a link" time="0.5" file="src/reset.test.ts">
    </testcase>
    <testcase classname="password reset AC-2 rejects an expired link" name="password reset AC-2 rejects an expired link" time="0.6" file="src/reset.test.ts">
      <failure>Error: expect(received).toBe(expected) // Object.is equality

Expected: 200
Received: 410
    at Object.&lt;anonymous&gt; (src/reset.test.ts:12:20)</failure>
    </testcase>
  </testsuite>
</testsuites>
"""

GO = """\
<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="3" failures="1" skipped="1">
	<testsuite name="example.com/shop/reset" tests="3" failures="1" errors="0" id="0" hostname="h" skipped="1" time="0.010" timestamp="2026-01-01T00:00:00Z">
		<properties><property name="go.version" value="go1.22.0"></property></properties>
		<testcase name="TestAC1SendsLink" classname="example.com/shop/reset" time="0.000"></testcase>
		<testcase name="TestAC2ExpiredLink" classname="example.com/shop/reset" time="0.000">
			<failure message="Failed" type="">    reset_test.go:20: got 410, want 200</failure>
		</testcase>
		<testcase name="TestEC1Timeout" classname="example.com/shop/reset" time="0.000">
			<skipped message="    reset_test.go:30: needs network"></skipped>
		</testcase>
	</testsuite>
</testsuites>
"""

NESTED = """\
<testsuites>
  <testsuite name="outer" file="spec/reset_spec.rb">
    <testsuite name="inner">
      <testcase name="AC-1 sends a link" classname="Reset"/>
    </testsuite>
    <testcase name="AC-2" classname="Reset" file="spec/other_spec.rb">
      <properties>
        <property name="requirement">EC-1</property>
      </properties>
    </testcase>
  </testsuite>
  <testsuite name="sibling"><testcase name="no file" classname="X"/></testsuite>
</testsuites>
"""

Row = tuple[str, str, str, "str | None", "str | None"]


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        pytest.param(
            PYTEST_XUNIT2,
            [
                ("test_ac1_sends_link", "tests.test_reset", "passed", None, None),
                (
                    "test_ac2_expired_link",
                    "tests.test_reset",
                    "failed",
                    None,
                    "AssertionError: assert 410 == 200",
                ),
                ("test_ec1", "tests.test_reset", "skipped", None, "tax service stub missing"),
                (
                    "test_db",
                    "tests.test_reset",
                    "error",
                    None,
                    "failed on setup with \"fixture 'db' not found\"",
                ),
            ],
            id="pytest-xunit2",
        ),
        pytest.param(
            PYTEST_XUNIT1,
            [("test_ac1", "tests.test_reset", "passed", "tests/test_reset.py", None)],
            id="pytest-xunit1",
        ),
        pytest.param(
            SUREFIRE,
            [
                ("ac1SendsLink", "com.example.ResetTest", "passed", None, None),
                (
                    "ac2ExpiredLink",
                    "com.example.ResetTest",
                    "failed",
                    None,
                    "expected: <200> but was: <410>",
                ),
                ("flakyAc3", "com.example.ResetTest", "passed", None, None),  # passed on rerun
            ],
            id="surefire",
        ),
        pytest.param(
            JEST,
            [
                (
                    "password reset AC-1 sends a link",
                    "password reset AC-1 sends a link",
                    "passed",
                    "src/reset.test.ts",
                    None,
                ),
                (
                    "password reset AC-2 rejects an expired link",
                    "password reset AC-2 rejects an expired link",
                    "failed",
                    "src/reset.test.ts",
                    "Error: expect(received).toBe(expected) // Object.is equality",
                ),
            ],
            id="jest-junit",
        ),
        pytest.param(
            GO,
            [
                ("TestAC1SendsLink", "example.com/shop/reset", "passed", None, None),
                ("TestAC2ExpiredLink", "example.com/shop/reset", "failed", None, "Failed"),
                (
                    "TestEC1Timeout",
                    "example.com/shop/reset",
                    "skipped",
                    None,
                    "reset_test.go:30: needs network",
                ),
            ],
            id="go-junit-report",
        ),
        pytest.param(
            NESTED,
            [
                ("AC-1 sends a link", "Reset", "passed", "spec/reset_spec.rb", None),
                ("AC-2", "Reset", "passed", "spec/other_spec.rb", None),
                ("no file", "X", "passed", None, None),
            ],
            id="nested-suites",
        ),
    ],
)
def test_the_common_dialects_read_the_same_way(
    tmp_path: Path, report: str, expected: list[Row]
) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(report, encoding="utf-8")
    results = read_junit(path)
    assert [(r.name, r.classname, r.status, r.file, r.message) for r in results] == expected


def test_properties_inside_a_test_case_are_kept_and_suite_properties_are_not(
    tmp_path: Path,
) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(PYTEST_XUNIT2, encoding="utf-8")
    assert read_junit(path)[0].properties == (("criterion", "AC-1"),)
    path.write_text(NESTED, encoding="utf-8")
    assert read_junit(path)[1].properties == (("requirement", "EC-1"),)
    path.write_text(GO, encoding="utf-8")
    assert all(result.properties == () for result in read_junit(path))


def test_a_bare_testsuite_with_no_cases_is_an_empty_report_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text('<testsuite name="none" tests="0"/>', encoding="utf-8")
    assert read_junit(path) == []


def test_a_utf16_report_reads(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_bytes(
        '<?xml version="1.0" encoding="UTF-16"?><testsuites><testcase name="AC-1 ✓"/></testsuites>'.encode(
            "utf-16"
        )
    )
    assert [result.name for result in read_junit(path)] == ["AC-1 ✓"]


BILLION_LAUGHS = """\
<?xml version="1.0"?>
<!DOCTYPE testsuites [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<testsuites><testcase name="&lol3;"/></testsuites>
"""


@pytest.mark.parametrize(
    ("content", "where", "fragments"),
    [
        (b"", "junit.xml:", ["is empty", "check that it ran and finished"]),
        (b"  \n\n", "junit.xml:3:", ["holds no XML element"]),
        (b"PASS 12 tests\n", "junit.xml:1:", ["not well-formed XML", "run the tests again"]),
        (
            b'<testsuites>\n<testsuite name="x">\n<testcase name="a"',
            "junit.xml:3:",
            ["not well-formed XML", "truncated or corrupt"],
        ),
        (
            b'<testsuites>\n<testsuite name="x">\n<testcase name="a"/>\n',
            "junit.xml:4:",
            ["ends before the report is closed", "run the tests again"],
        ),
        (
            b"<html>\n<body>502 Bad Gateway</body></html>",
            "junit.xml:1:",
            ["root element is <html>", "not a JUnit XML report", "--junitxml"],
        ),
        (
            BILLION_LAUGHS.encode(),
            "junit.xml:2:",
            ["has a DOCTYPE", "write the report without a DOCTYPE"],
        ),
        (
            b'<!DOCTYPE testsuites SYSTEM "http://example.invalid/x.dtd"><testsuites/>',
            "junit.xml:1:",
            ["has a DOCTYPE"],
        ),
        (b"\xff\xfe\x00garbage", "junit.xml:1:", ["not well-formed XML"]),
        (b"<testsuites><testcase name='\xe9'/></testsuites>", "junit.xml:1:", ["not well-formed"]),
    ],
    ids=[
        "empty",
        "blank",
        "not-xml",
        "cut-mid-tag",
        "cut-after-case",
        "wrong-root",
        "billion-laughs",
        "external-dtd",
        "binary",
        "bad-utf8",
    ],
)
def test_a_broken_report_is_a_clear_error_naming_file_line_and_fix(
    tmp_path: Path, content: bytes, where: str, fragments: list[str]
) -> None:
    path = tmp_path / "junit.xml"
    path.write_bytes(content)
    with pytest.raises(JUnitError) as raised:
        read_junit(path)
    message = str(raised.value)
    assert message.startswith(f"{tmp_path}/{where}")
    for fragment in fragments:
        assert fragment in message
    assert "\n" not in message
    assert isinstance(raised.value, UsageError)  # the CLI turns it into exit 2 / blocked


def test_a_missing_or_unreadable_report_says_so(tmp_path: Path) -> None:
    with pytest.raises(JUnitError, match=r"missing\.xml: no such JUnit report; check the --junit"):
        read_junit(tmp_path / "missing.xml")
    with pytest.raises(JUnitError, match=r": cannot read the JUnit report \(.+\); check the"):
        read_junit(tmp_path)  # a folder


def test_a_huge_stack_trace_is_streamed_and_clipped_not_held(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    trace_line = "    at com.example.Deep.call(Deep.java:1)\n"
    with path.open("w", encoding="utf-8") as out:
        out.write('<testsuites><testsuite name="s">')
        for number in range(200):
            out.write(f'<testcase name="test_{number}" classname="c"><failure>Boom {number}\n')
            out.write(trace_line * 2_000)  # ~80 KB of trace each, 16 MB in all
            out.write("</failure><system-out>")
            out.write("x" * 10_000)
            out.write("</system-out></testcase>")
        out.write("</testsuite></testsuites>")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        results = read_junit(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(results) == 200
    assert results[7].message == "Boom 7"
    assert all(len(result.message or "") <= MESSAGE_LIMIT for result in results)
    assert size > 15_000_000
    assert peak < 2_000_000, f"peak {peak} bytes while reading {size} bytes"


# ---------------------------------------------------------------- properties

_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Zl", "Zp")), min_size=0, max_size=30
)
_MESSAGE = _TEXT.map(str.strip).filter(bool)
_CASES = st.lists(
    st.builds(
        TestCaseResult,
        name=_TEXT,
        classname=_TEXT,
        status=st.sampled_from(["passed", "failed", "error", "skipped"]),
        file=st.none() | _TEXT.filter(bool),
        message=st.none() | _MESSAGE,
        properties=st.lists(st.tuples(_TEXT, _TEXT), max_size=3).map(tuple),
    ),
    max_size=12,
)
_OUTCOME_TAGS = {"failed": "failure", "error": "error", "skipped": "skipped"}


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One file the property tests overwrite: a folder per example costs more than the test."""
    return tmp_path_factory.mktemp("junit") / "report.xml"


def _write(results: list[TestCaseResult], *, bare: bool) -> bytes:
    root = ET.Element("testsuite" if bare else "testsuites", name="generated")
    suite = root if bare else ET.SubElement(root, "testsuite", name="inner")
    for result in results:
        element = ET.SubElement(suite, "testcase", name=result.name, classname=result.classname)
        if result.file is not None:
            element.set("file", result.file)
        if result.properties:
            properties = ET.SubElement(element, "properties")
            for name, value in result.properties:
                ET.SubElement(properties, "property", name=name, value=value)
        if result.status != "passed":
            outcome = ET.SubElement(element, _OUTCOME_TAGS[result.status])
            if result.message is not None:
                outcome.set("message", result.message)
    written: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return written


@settings(max_examples=100)
@given(results=_CASES, bare=st.booleans())
def test_what_is_written_reads_back(
    scratch: Path, results: list[TestCaseResult], bare: bool
) -> None:
    path = scratch
    path.write_bytes(_write(results, bare=bare))
    expected = [
        result
        if result.status != "passed"
        else TestCaseResult(
            result.name, result.classname, "passed", result.file, None, result.properties
        )
        for result in results
    ]
    assert read_junit(path) == expected


@settings(max_examples=100)
@given(results=_CASES, data=st.data())
def test_a_report_cut_short_anywhere_is_refused(
    scratch: Path, results: list[TestCaseResult], data: st.DataObject
) -> None:
    whole = _write(results, bare=False)
    cut = data.draw(st.integers(min_value=0, max_value=len(whole) - 1))
    path = scratch
    path.write_bytes(whole[:cut])
    with pytest.raises(JUnitError):
        read_junit(path)


@settings(max_examples=100)
@given(content=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_give_results_or_a_junit_error_never_a_crash(
    scratch: Path, content: bytes
) -> None:
    path = scratch
    path.write_bytes(content)
    outcome: list[TestCaseResult] | str
    try:
        outcome = read_junit(path)
    except JUnitError as error:
        outcome = str(error)
    if isinstance(outcome, str):
        assert outcome.startswith(str(path))
        assert "\n" not in outcome
    else:
        assert all(isinstance(result, TestCaseResult) for result in outcome)
