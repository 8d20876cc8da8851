"""Where evidence points and what a line rule sees: the side a line is on, lines joined across
hunks, carriage returns, the evidence cap on huge files, and slice patterns that would hang.

The detector searches all of a file's added (or removed) lines joined into one string; these
tests pin that the joining never shows through: a match belongs to one stretch of consecutive
lines, ``$`` ends a CRLF line, and a removed line is reported where it was, in the old file.
"""

from __future__ import annotations

import re
import time
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signoff.core.diff import FileChange, Lines
from signoff.core.errors import ConfigError
from signoff.core.lazy_regex import LazyPattern
from signoff.core.risk import builtin, detectors, manifests, redact, templates
from signoff.core.risk.backtracking import nested_repetition
from signoff.core.risk.detect import RiskDetector, builtin_rules
from signoff.core.risk.model import Detection, RiskRule


def slice_rule(**fields: object) -> RiskRule:
    values: dict[str, object] = {
        "id": "slice.watch",
        "category": "schema",
        "description": "watched code",
        "origin": "slice",
    }
    values.update(fields)
    return RiskRule(**values)  # type: ignore[arg-type]


def detect(
    *changes: FileChange, rules: tuple[RiskRule, ...], cap: int = 20
) -> tuple[Detection, ...]:
    detector = RiskDetector(rules, evidence_cap=cap)
    for file_change in changes:
        detector.add(file_change)
    return detector.detections()


def only(detections: tuple[Detection, ...]) -> list[tuple[str, int | None, str]]:
    (detection,) = detections
    return [(e.path, e.line, e.text) for e in detection.evidence]


# ---------------------------------------------------------------- which file a line is in


def test_a_removed_line_of_a_renamed_file_points_at_the_old_file() -> None:
    rule = slice_rule(removed_lines=("@login_required",), added_lines=("@csrf_exempt",))
    moved = FileChange(
        "renamed",
        "shop/account_views.py",
        old_path="shop/views.py",
        added=((3, "@csrf_exempt"),),
        removed=((7, "@login_required"),),
    )
    assert only(detect(moved, rules=(rule,))) == [
        ("shop/account_views.py", 3, "@csrf_exempt"),  # an added line: the new file
        ("shop/views.py", 7, "@login_required"),  # a removed line: line 7 of the old file
    ]


def test_a_detector_reporting_a_removed_line_of_a_renamed_file_points_at_the_old_file() -> None:
    # The deploy step is only on a removed line: the evidence is that line, in the old file.
    moved = FileChange(
        "renamed",
        ".github/workflows/ship.yml",
        old_path=".github/workflows/deploy.yml",
        added=((12, "      - run: make test"),),
        removed=((12, "      - run: kubectl apply -f k8s/"),),
    )
    rules = tuple(rule for rule in builtin_rules() if rule.id == "deploy.ci-step")
    assert only(detect(moved, rules=rules)) == [
        (".github/workflows/deploy.yml", 12, "- run: kubectl apply -f k8s/")
    ]


def test_removed_copy_in_a_renamed_template_points_at_the_old_template() -> None:
    moved = FileChange(
        "renamed",
        "templates/checkout.html",
        old_path="templates/cart.html",
        removed=((4, "<p>Free returns for 30 days</p>"),),
    )
    rules = tuple(rule for rule in builtin_rules() if rule.id == "copy.templates")
    ((path, line, _),) = only(detect(moved, rules=rules))
    assert (path, line) == ("templates/cart.html", 4)


def test_an_exclude_can_take_back_part_of_itself_with_a_negation() -> None:
    rule = slice_rule(paths=("src/**",), exclude=("**/tests/**", "!**/tests/security/**"))
    in_tests = FileChange("modified", "src/tests/test_cart.py", added=((1, "x"),))
    security_tests = FileChange("modified", "src/tests/security/test_login.py", added=((1, "x"),))
    assert detect(in_tests, rules=(rule,)) == ()
    assert only(detect(security_tests, rules=(rule,))) == [
        ("src/tests/security/test_login.py", 1, "changes watched code")
    ]


# ---------------------------------------------------------------- lines joined across hunks


def test_a_match_never_joins_lines_from_different_hunks() -> None:
    rule = slice_rule(added_lines=(r"DROP\s+TABLE",))
    apart = FileChange("modified", "app/jobs.py", added=((3, 'x = "DROP"'), (90, "TABLE = 1")))
    assert detect(apart, rules=(rule,)) == ()


def test_a_match_may_run_over_lines_that_follow_each_other() -> None:
    rule = slice_rule(added_lines=(r"DROP\s+TABLE",))
    together = FileChange(
        "modified", "db/x.sql", added=((3, "DROP"), (4, "TABLE users;"), (90, "DROP TABLE t;"))
    )
    assert [line for _, line, _ in only(detect(together, rules=(rule,)))] == [3, 90]


def test_a_later_match_on_the_line_is_still_found_after_a_match_that_ran_too_far() -> None:
    rule = slice_rule(added_lines=(r"[a-z]+\s+TABLE",))
    hunks = FileChange(
        "modified", "db/x.sql", added=((3, "drop\t"), (9, "TABLE t; drop TABLE u"), (20, "ok"))
    )
    # "drop\t" + newline + "TABLE" would match across hunks; the line 9 match is what counts.
    assert [line for _, line, _ in only(detect(hunks, rules=(rule,)))] == [9]


# ---------------------------------------------------------------- carriage returns


def test_dollar_ends_a_crlf_line_as_it_ends_any_other() -> None:
    rule = slice_rule(added_lines=(r"DROP TABLE \w+;$",), removed_lines=(r"^GRANT .*;$",))
    crlf = FileChange(
        "modified",
        "db/x.sql",
        added=((1, "DROP TABLE users;\r"), (2, "DROP TABLE orders;\r")),
        removed=((5, "GRANT ALL ON t TO app;\r"),),
    )
    assert only(detect(crlf, rules=(rule,))) == [
        ("db/x.sql", 1, "DROP TABLE users;"),
        ("db/x.sql", 2, "DROP TABLE orders;"),
        ("db/x.sql", 5, "GRANT ALL ON t TO app;"),
    ]


def test_crlf_lines_from_a_parsed_patch_match_too() -> None:
    # Lines as the patch parser builds them: one joined text and the runs of line numbers.
    lines = Lines("DROP TABLE users;\r\nkeep\r\nDROP TABLE t;\r", ((10, 2), (40, 1)))
    rule = slice_rule(added_lines=(r"DROP TABLE \w+;$",))
    found = only(detect(FileChange("modified", "db/x.sql", added=lines), rules=(rule,)))
    assert [(line, text) for _, line, text in found] == [
        (10, "DROP TABLE users;"),
        (40, "DROP TABLE t;"),
    ]


# ---------------------------------------------------------------- huge files


def test_past_the_cap_lines_are_counted_but_no_evidence_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scrubbed: list[str] = []
    real_scrub = redact.scrub

    def counting_scrub(line: str) -> str:
        scrubbed.append(line)
        return real_scrub(line)

    monkeypatch.setattr("signoff.core.risk.detect.scrub", counting_scrub)
    count = 5_000
    text = "\n".join(f"CREATE TABLE t{n} (id int);" for n in range(count))
    dump = FileChange("added", "db/dump.sql", added=Lines(text, ((1, count),)))
    rules = tuple(rule for rule in builtin_rules() if rule.id == "schema.sql-ddl")
    (schema,) = detect(dump, rules=rules, cap=7)

    assert schema.count == count
    assert [e.line for e in schema.evidence] == list(range(1, 8))
    assert len(scrubbed) == 7  # each line past the cap was only counted


runs_strategy = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 4)), min_size=1, max_size=6
).map(
    # (gap before, count) into ascending (first, count) runs; a zero gap makes a run continue
    # the one before, as two hunks can (the parser keeps them apart, Lines.of joins them)
    lambda gaps: tuple(
        (1 + sum(gap + count for gap, count in gaps[:index]) + gap, count)
        for index, (gap, count) in enumerate(gaps)
        if count
    )
)


@settings(max_examples=200)
@given(runs_strategy, st.data())
def test_locating_a_position_agrees_with_the_numbered_lines(
    runs: tuple[tuple[int, int], ...], data: st.DataObject
) -> None:
    size = sum(count for _, count in runs)
    texts = data.draw(st.lists(st.text("ab\r ;", max_size=5), min_size=size, max_size=size))
    numbers = [number for first, count in runs for number in range(first, first + count)]
    from_text = Lines("\n".join(texts), runs)
    from_pairs = Lines.of(zip(numbers, texts, strict=True))
    if not size:
        return
    position = data.draw(st.integers(0, len("\n".join(texts))))
    # the oracle: walk the lines
    offset, index = 0, 0
    while position > offset + len(texts[index]):
        offset += len(texts[index]) + 1
        index += 1
    expected = (numbers[index], texts[index], offset + len(texts[index]) + 1)
    stretch = index
    while stretch + 1 < size and numbers[stretch + 1] == numbers[stretch] + 1:
        stretch += 1
    stretch_end = sum(len(line) + 1 for line in texts[: stretch + 1]) - 1
    for lines in (from_text, from_pairs):
        assert lines.locate(position) == expected
        assert lines.stretch_end(position) == stretch_end
        assert list(lines.without_carriage_returns()) == [
            (number, text.removesuffix("\r")) for number, text in zip(numbers, texts, strict=True)
        ]


# ---------------------------------------------------------------- patterns that would hang


@pytest.mark.parametrize(
    "pattern",
    [r"(a+)+$", r"(\w+\s?)*$", r"(?:x*)*y", r"((ab)+)+c", r"(.*,){2,}z", r"([a-z]+)*="],
)
def test_a_slice_pattern_with_nested_repetition_is_refused_with_the_fix(pattern: str) -> None:
    rule = slice_rule(id="slice.slow", added_lines=(pattern,))
    with pytest.raises(ConfigError) as raised:
        RiskDetector((rule,))
    message = str(raised.value)
    assert "slice.slow" in message
    assert pattern in message
    assert "possessive" in message


@pytest.mark.parametrize(
    "pattern",
    [r"(a++)+$", r"(?>\w+\s?)*$", r"(a+)++$", r"(\d{2}:){2}\d{2}", r"stripe\.Charge", r"(ab|cd)+"],
)
def test_repetition_that_cannot_backtrack_badly_is_accepted(pattern: str) -> None:
    rule = slice_rule(added_lines=(pattern,))
    RiskDetector((rule,))  # no error


def test_built_in_patterns_are_not_checked_they_are_reviewed_and_benchmarked() -> None:
    RiskDetector(builtin_rules())  # the SQL DDL pattern repeats (\s+KEYWORD)*: delimited, safe


@settings(max_examples=300)
@given(st.text(alphabet="ab()[]{}*+?|\\:,0129^$.>#=", max_size=16))
def test_the_check_reads_any_pattern_that_compiles(pattern: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "possible nested set": still compiles
        try:
            re.compile(pattern)
        except re.error:
            return
    found = nested_repetition(pattern)
    assert found is None or found in pattern


# ---------------------------------------------------------------- deletions, as docs/risk.md says


@pytest.mark.parametrize(
    ("path", "removed", "category", "text"),
    [
        (
            "db/migrate/20261121_add_index.rb",
            ["class AddIndex"],
            "schema",
            "deletes a Rails migration",
        ),
        (
            "shop/migrations/0007_orders.py",
            ["class Migration"],
            "schema",
            "deletes a Django migration",
        ),
        ("Dockerfile", ["FROM python:3.12"], "deploy", "deletes a container image build"),
        ("k8s/web.yaml", ["kind: Deployment"], "deploy", "deletes a Kubernetes manifest"),
    ],
)
def test_deleting_a_migration_or_a_deploy_file_is_risk(
    path: str, removed: list[str], category: str, text: str
) -> None:
    gone = FileChange("deleted", path, removed=tuple(enumerate(removed, start=1)))
    detections = {d.category: d for d in detect(gone, rules=builtin_rules())}
    assert list(detections) == [category]
    assert [(e.path, e.line, e.text) for e in detections[category].evidence] == [(path, None, text)]


def test_deleting_a_dependency_manifest_commits_to_nothing() -> None:
    gone = FileChange("deleted", "requirements.txt", removed=((1, "stripe==7.0"),))
    assert detect(gone, rules=builtin_rules()) == ()


# ---------------------------------------------------------------- the built-in patterns themselves

# Built-in repetitions of repetitions that were read and found safe: each repeated group starts
# with a delimiter its inner run cannot match (".", "#", a keyword after white space), so there
# is one way only to cut a line into repetitions.
REVIEWED_SAFE = {
    r"(?:[.#][\w\-]+)*",  # templates: a CSS selector, ".a.b#c"
    r"(?:\.\w+)*",  # vendor.sdk-import-python: "from stripe.api.x import"
    r"(?:\.[a-z0-9-]+)*",  # vendor.api-url: "api.eu.example.com"
    r"(?:\s+(?:OR\s+REPLACE|UNIQUE|TEMP|TEMPORARY|MATERIALIZED|IF\s+(?:NOT\s+)?EXISTS))*",  # DDL
}


def _built_in_patterns() -> dict[str, str]:
    found = {
        f"{module.__name__}.{name}": value.pattern
        for module in (detectors, manifests, templates, redact)
        for name, value in vars(module).items()
        if isinstance(value, re.Pattern | LazyPattern) and isinstance(value.pattern, str)
    }
    for rule in builtin.BUILTIN_RULES:
        for number, pattern in enumerate((*rule.added_lines, *rule.removed_lines)):
            found[f"{rule.id}[{number}]"] = pattern
    return found


def test_no_built_in_pattern_can_backtrack_for_ever() -> None:
    patterns = _built_in_patterns()
    assert len(patterns) > 100
    nested = {name: nested_repetition(pattern) for name, pattern in patterns.items()}
    assert {name: part for name, part in nested.items() if part not in (None, *REVIEWED_SAFE)} == {}


def test_a_template_line_with_an_equals_sign_is_read_in_no_time() -> None:
    # Took 4.8 s before the attribute pattern's name run was made possessive, and twice as
    # long for each character more: one such line in a diff could stall a gate for hours.
    line = "<p>Your code = reset_token(user_1, 'x')</p>"
    started = time.perf_counter()
    detect(FileChange("modified", "templates/cart.html", added=((3, line),)), rules=builtin_rules())
    assert time.perf_counter() - started < 0.5
