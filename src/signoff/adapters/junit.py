"""Read JUnit XML test reports, streamed, in the dialects test runners actually write.

pytest (``--junitxml``), Maven Surefire and Gradle, Jest's ``jest-junit`` and Go's
``go-junit-report`` all write ``<testsuites>`` (or a bare ``<testsuite>``) holding, at any depth
of nested suites, ``<testcase name= classname= [file=]>`` elements whose outcome is a
``<failure>``, ``<error>`` or ``<skipped>`` child, or none for a pass. Surefire's
``<flakyFailure>``/``<rerunFailure>`` children of a passing test are reruns and change nothing.

The report is fed to expat in chunks and no tree is built, so memory stays flat however large
the report: only the current test case and the results are held. ``xml.etree``'s ``iterparse``
would stream as well, but it reports no DOCTYPE, and a report with one is refused (an internal
subset can declare entities that expand without bound); expat's own handlers see the DOCTYPE
before any entity is declared, and give the line of every problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from xml.parsers import expat

from signoff.core.errors import JUnitError
from signoff.core.gates.traceability import TestCaseResult, TestStatus

if TYPE_CHECKING:
    from pathlib import Path

CHUNK_BYTES = 1 << 16
MESSAGE_LIMIT = 1_000  # characters of a failure message kept; a stack trace can be megabytes
ROOTS = ("testsuites", "testsuite")
_OUTCOMES: dict[str, TestStatus] = {"failure": "failed", "error": "error", "skipped": "skipped"}
_SEVERITY: dict[TestStatus, int] = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}
_FIX_CORRUPT = "the report is truncated or corrupt; run the tests again to rewrite it"


class _RefusedError(Exception):
    """Raised inside a handler to stop the parse; carries the message and line."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


@dataclass(slots=True)
class _Case:
    """The test case being read: its attributes and what its children said so far."""

    name: str
    classname: str
    file: str | None
    status: TestStatus = "passed"
    message: str | None = None
    properties: list[tuple[str, str]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)  # of the outcome element, when no message=
    text_size: int = 0
    property_name: str | None = None  # inside <property name=...> with no value=
    property_text: list[str] = field(default_factory=list)


def _clip(text: str | None) -> str | None:
    """The first non-blank line of ``text``, at most MESSAGE_LIMIT characters; None if blank."""
    if text is None:
        return None
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:MESSAGE_LIMIT]
    return None


class _Reader:
    """expat handlers that turn a JUnit report into :class:`TestCaseResult` values."""

    def __init__(self, parser: expat.XMLParserType) -> None:
        self.parser = parser
        self.results: list[TestCaseResult] = []
        self.depth = 0
        self.suite_files: list[str | None] = []
        self.case: _Case | None = None
        self.case_depth = 0
        self.outcome_depth = 0  # depth of the <failure>/<error>/<skipped> being read, or 0

    def doctype(self, name: str, *_: object) -> None:
        raise _RefusedError(
            self.parser.CurrentLineNumber,
            f"has a DOCTYPE (<!DOCTYPE {name}>), refused because its entities could expand "
            "without bound; write the report without a DOCTYPE",
        )

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.depth == 1 and tag not in ROOTS:
            raise _RefusedError(
                self.parser.CurrentLineNumber,
                f"the root element is <{tag}>, not <testsuites> or <testsuite>: this is not a "
                "JUnit XML report; pass the file the test runner wrote (pytest --junitxml=FILE)",
            )
        if tag == "testsuite":
            self.suite_files.append(attributes.get("file") or attributes.get("filepath"))
        elif tag == "testcase" and self.case is None:
            self._start_case(attributes)
        elif self.case is not None:
            self._start_in_case(self.case, tag, attributes)

    def _start_case(self, attributes: dict[str, str]) -> None:
        inherited = next((name for name in reversed(self.suite_files) if name), None)
        self.case = _Case(
            name=attributes.get("name", ""),
            classname=attributes.get("classname", ""),
            file=attributes.get("file") or inherited,
        )
        self.case_depth = self.depth

    def _start_in_case(self, case: _Case, tag: str, attributes: dict[str, str]) -> None:
        status = _OUTCOMES.get(tag)
        if status is not None and self.depth == self.case_depth + 1:
            if _SEVERITY[status] > _SEVERITY[case.status]:
                case.status = status
                case.message = _clip(attributes.get("message"))
                case.text, case.text_size = [], 0
            self.outcome_depth = self.depth
        elif tag == "property" and "name" in attributes:
            if "value" in attributes:
                case.properties.append((attributes["name"], attributes["value"]))
            else:
                case.property_name = attributes["name"]
                case.property_text = []

    def data(self, text: str) -> None:
        case = self.case
        if case is None:
            return
        if case.property_name is not None:
            case.property_text.append(text)
        elif self.outcome_depth and case.text_size < MESSAGE_LIMIT:
            # Only the first line is kept; the rest of a long stack trace is never stored.
            case.text.append(text[: MESSAGE_LIMIT - case.text_size])
            case.text_size += len(case.text[-1])

    def end(self, tag: str) -> None:
        case = self.case
        if case is not None and self.depth == self.case_depth:
            self._end_case(case)
        elif case is not None and self.depth == self.outcome_depth:
            if case.message is None and _OUTCOMES.get(tag) == case.status:
                case.message = _clip("".join(case.text))
            self.outcome_depth = 0
        elif case is not None and tag == "property" and case.property_name is not None:
            case.properties.append((case.property_name, "".join(case.property_text).strip()))
            case.property_name = None
        elif tag == "testsuite" and self.suite_files:
            self.suite_files.pop()
        self.depth -= 1

    def _end_case(self, case: _Case) -> None:
        self.results.append(
            TestCaseResult(
                name=case.name,
                classname=case.classname,
                status=case.status,
                file=case.file,
                message=case.message,
                properties=tuple(case.properties),
            )
        )
        self.case = None


def _new_parser() -> tuple[expat.XMLParserType, _Reader]:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    reader = _Reader(parser)
    parser.StartDoctypeDeclHandler = reader.doctype
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.data
    return parser, reader


def _expat_problem(error: expat.ExpatError, *, seen_any: bool) -> str:
    code = error.code
    if code == expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS] and seen_any:
        return f"ends before the report is closed; {_FIX_CORRUPT}"
    if code == expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS]:
        return "holds no XML element; the test run wrote nothing, check that it ran and finished"
    return f"not well-formed XML ({expat.ErrorString(code)}); {_FIX_CORRUPT}"


def read_junit(path: Path) -> list[TestCaseResult]:
    """Every test case in the JUnit XML report at ``path``, in document order.

    Raises :class:`JUnitError` naming the file, the line when known, and the fix when the file
    cannot be read, is empty, is not well-formed XML, ends early, has a DOCTYPE, or is not JUnit.
    """
    parser, reader = _new_parser()
    size = 0
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(CHUNK_BYTES):
                size += len(chunk)
                parser.Parse(chunk, False)  # noqa: FBT003  # expat's signature: isfinal
            if size == 0:
                raise JUnitError(
                    f"{path}: the JUnit report is empty; the test run wrote nothing, check that "
                    "it ran and finished"
                )
            parser.Parse(b"", True)  # noqa: FBT003
    except FileNotFoundError:
        raise JUnitError(
            f"{path}: no such JUnit report; check the --junit path and that the tests wrote it"
        ) from None
    except OSError as error:
        raise JUnitError(
            f"{path}: cannot read the JUnit report ({error.strerror or error}); check the "
            "--junit path and its permissions"
        ) from None
    except _RefusedError as refused:
        raise JUnitError(f"{path}:{refused.line}: {refused.problem}") from None
    except expat.ExpatError as error:
        problem = _expat_problem(error, seen_any=reader.depth > 0 or bool(reader.results))
        raise JUnitError(f"{path}:{error.lineno}: {problem}") from None
    return reader.results
