"""Wording rules: what each must flag (naming the words, at their line and column), and what
it must leave alone. Every case goes through the public path: parse a spec, check it."""

from __future__ import annotations

import re

import pytest

from signoff.core.specs.check import check_document
from signoff.core.specs.model import SectionKind
from signoff.core.specs.parse import parse_spec
from signoff.core.specs.rules import CheckContext, Finding
from signoff.core.specs.rules.wording import (
    SMELLS,
    WORDING_RULE_NAMES,
    Smell,
    first_word_keys,
    wording_hits,
)
from signoff.core.standards import CheckerSettings, Standards

CONTEXT = CheckContext(Standards("s"))
CLEAN_EDGE = "If the shop has no orders, then the system shall download the header row only."
SPEC = """\
---
id: SO-1
title: Export orders
status: draft
owner: alice@example.com
risk: reversible
gates: [tests]
---

# Export orders

## Intent
Shop managers can take their order history into a spreadsheet.

## Acceptance criteria
- AC-1: {criterion}

## Edge cases
- EC-1: {edge}
"""


def spec_text(criterion: str, edge: str = CLEAN_EDGE) -> str:
    return SPEC.format(criterion=criterion, edge=edge)


def findings(text: str, rule: str, context: CheckContext = CONTEXT) -> list[Finding]:
    result = check_document(parse_spec(text, "specs/SO-1-export-orders.md"), context)
    return [finding for finding in result.findings if finding.name == rule]


def positions(text: str, marker: str, words: list[str]) -> list[tuple[int, int]]:
    """(line, column) of each word, in order, on the line that starts with ``marker``."""
    lines = text.splitlines()
    number = next(index for index, line in enumerate(lines) if line.startswith(marker))
    line = lines[number]
    found: list[tuple[int, int]] = []
    start = len(marker)
    for word in words:
        at = line.index(word, start)
        found.append((number + 1, at + 1))
        start = at + len(word)
    return found


# (rule, criterion, the words each finding names, in order)
FLAGGED: list[tuple[str, str, list[str]]] = [
    ("subjective", "The export page shall be user-friendly.", ["user-friendly"]),
    (
        "subjective",
        "The settings screen shall be intuitive and easy to use.",
        ["intuitive", "easy to use"],
    ),
    (
        "subjective",
        "When the report loads, the system shall show a clean, modern layout.",
        ["clean", "modern"],
    ),
    ("vague-qualifier", "When a manager clicks Export, the system shall respond fast.", ["fast"]),
    ("vague-qualifier", "The page shall load approximately 50 rows at a time.", ["approximately"]),
    (
        "vague-qualifier",
        "The service shall have high availability and low latency.",
        ["high", "low"],
    ),
    ("loophole", "The system shall include refunded orders if possible.", ["if possible"]),
    ("loophole", "The system shall notify the owner as soon as possible.", ["as soon as possible"]),
    ("loophole", "Where practical, the system shall compress the file.", ["Where practical"]),
    ("loophole", "The system shall log the refund as appropriate.", ["as appropriate"]),
    ("open-ended", "The export shall offer CSV, XLSX, etc.", ["etc."]),
    ("open-ended", "The system shall accept images such as PNG and JPEG.", ["such as"]),
    (
        "open-ended",
        "The report shall include, but not limited to, totals and taxes.",
        ["but not limited to"],
    ),
    (
        "open-ended",
        "The checkout shall support various payment providers.",
        ["shall support", "various"],
    ),
    ("superlative", "The system shall build the file in the fastest way.", ["fastest"]),
    ("superlative", "The team shall follow best practices for the export.", ["best"]),
    ("superlative", "The system shall pick the most efficient delivery route.", ["most efficient"]),
    (
        "comparative",
        "When a manager exports orders, the system shall produce smaller files.",
        ["smaller"],
    ),
    ("comparative", "The new search shall be faster.", ["faster"]),
    ("comparative", "The app shall use less memory.", ["less memory"]),
    ("negative", "The export shall not include cancelled orders.", ["shall not"]),
    ("negative", "Users without the admin role cannot delete invoices.", ["cannot"]),
    ("negative", "The system must never store card numbers.", ["never"]),
    (
        "vague-pronoun",
        "When a manager attaches an invoice to a shipment, the system shall archive it.",
        ["it"],
    ),
    ("vague-pronoun", "We must be able to export the orders as a CSV file.", ["We"]),
    ("vague-pronoun", "The service shall copy the file to the archive and then delete it.", ["it"]),
    ("vague-pronoun", "This must happen within 2 seconds.", ["This"]),
    (
        "incomplete-reference",
        "The system shall write the CSV file according to the standard.",
        ["according to the standard"],
    ),
    ("incomplete-reference", "The order page shall meet WCAG.", ["WCAG"]),
    ("incomplete-reference", "The service shall use TLS for the payment call.", ["TLS"]),
    ("incomplete-reference", "Errors shall be handled as described above.", ["as described above"]),
    (
        "totality",
        "When a manager clicks Export, the system shall always include every order.",
        ["always"],
    ),
    ("totality", "The order page shall work in all browsers.", ["all browsers"]),
    ("totality", "The service shall be available at all times.", ["at all times"]),
    (
        "unbounded-quantity",
        "If the export fails, then the system shall retry several times.",
        ["several"],
    ),
    ("unbounded-quantity", "The checkout shall accept multiple currencies.", ["multiple"]),
    ("unbounded-quantity", "The job shall finish within 30.", ["within 30"]),
    ("unbounded-quantity", "The page shall load quickly.", ["quickly"]),
]

# (rule, criterion the rule must leave alone)
CLEAN: list[tuple[str, str]] = [
    ("subjective", "The system shall run on Windows XP Professional."),
    ("subjective", "When a manager selects `simple` mode, the system shall hide the tax column."),
    ("subjective", "The help link shall open https://example.com/easy/guide in a new tab."),
    ("subjective", 'When a manager clicks "Export", the system shall download the orders as CSV.'),
    ("vague-qualifier", "The dashboard shall show one high-level summary per report type."),
    ("vague-qualifier", "The export shall continue as long as the session is open."),
    ("vague-qualifier", "The board shall show the 5 most recently posted messages."),
    ("vague-qualifier", "The search shall respond within 200 ms."),
    ("loophole", "The system shall keep invoices for 7 years as required by the tax law."),
    ("loophole", "If the payment fails, then the system shall show the error code."),
    ("loophole", "The system shall include refunded orders."),
    ("open-ended", "The user shall be able to download the invoice as a PDF file."),
    ("open-ended", "The service shall support 350 concurrent users."),
    ("open-ended", "The system shall email the invoice to the customer."),
    ("superlative", "The system shall list the facility with the highest rating first."),
    ("superlative", "The system shall lock the account after at most 5 attempts."),
    ("superlative", "The board shall show the 5 most recent messages."),
    ("comparative", "The search shall respond faster than 200 ms."),
    ("comparative", "The export shall produce files smaller than 5 MB."),
    ("comparative", "The number of failed payments shall be reduced by 40%."),
    ("comparative", "The page shall render at 800x600 and higher."),
    ("comparative", "The form shall accept one or more attachments."),
    ("negative", "If the card is not valid, then the system shall show the error code."),
    ("negative", "The response time shall not exceed 2 seconds."),
    ("negative", "The list shall hide orders that do not belong to the shop."),
    (
        "negative",
        "When the refund is not approved within 2 days, the system shall email the owner.",
    ),
    ("vague-pronoun", "It shall be possible to export the report as a PDF file."),
    ("vague-pronoun", "When the upload finishes, the system shall email it to the owner."),
    ("vague-pronoun", "The system shall show this page to the owner."),
    ("vague-pronoun", "The system shall keep the orders and their invoices for 7 years."),
    ("vague-pronoun", "When the driver logs in, the system shall show his schedule."),
    ("incomplete-reference", "The order page shall meet WCAG 2.1 AA."),
    (
        "incomplete-reference",
        "The system shall write the CSV file according to RFC 4180, section 2.",
    ),
    ("incomplete-reference", "The service shall use TLS 1.3 for the payment call."),
    ("incomplete-reference", "The store shall keep card data in line with PCI DSS v4.0."),
    ("totality", "All users shall sign in with SSO."),
    ("totality", "The page shall render correctly in 95% of all browsers."),
    ("totality", "The export shall include the orders placed in the selected date range."),
    ("unbounded-quantity", "The system shall lock the account after at most 5 attempts."),
    ("unbounded-quantity", "The job shall finish within 30 seconds."),
    ("unbounded-quantity", "If the export fails, then the system shall retry up to 3 times."),
    ("unbounded-quantity", "The system shall lock the account after more than 3 failed attempts."),
]


def test_the_cases_cover_every_wording_rule() -> None:
    assert {rule for rule, _, _ in FLAGGED} == WORDING_RULE_NAMES
    assert {rule for rule, _ in CLEAN} == WORDING_RULE_NAMES


def test_the_baseline_spec_draws_no_wording_finding() -> None:
    text = spec_text("When a manager clicks Export, the system shall download a CSV file.")
    result = check_document(parse_spec(text), CONTEXT)
    assert [f.name for f in result.findings if f.name in WORDING_RULE_NAMES] == []


@pytest.mark.parametrize(("rule", "criterion", "words"), FLAGGED)
def test_rule_flags_the_words_where_they_are(rule: str, criterion: str, words: list[str]) -> None:
    text = spec_text(criterion)
    found = findings(text, rule)
    assert [(finding.line, finding.column) for finding in found] == positions(
        text, "- AC-1: ", words
    )
    for finding, word in zip(found, words, strict=True):
        assert finding.message.startswith(f'AC-1: "{word}" '), finding.message
        assert finding.severity.value == "warning"
        assert finding.rule.startswith("SO3")


@pytest.mark.parametrize(("rule", "criterion"), CLEAN)
def test_rule_leaves_clean_wording_alone(rule: str, criterion: str) -> None:
    assert findings(spec_text(criterion), rule) == []


@pytest.mark.parametrize(
    "edge",
    [
        "If the payment fails, then the system shall not charge the card.",
        "If the export is cancelled, then the system must never send the file.",
        "If the shop has no orders, then the system cannot build a file and shall say so.",
    ],
)
def test_negative_does_not_read_edge_cases(edge: str) -> None:
    text = spec_text("When a manager clicks Export, the system shall download a CSV file.", edge)
    assert findings(text, "negative") == []


@pytest.mark.parametrize(
    ("edge", "rule", "words"),
    [
        (
            "If the export fails, then the system shall retry several times.",
            "unbounded-quantity",
            ["several"],
        ),
        ("If the file is large, then the system shall zip it.", "vague-qualifier", ["large"]),
        (
            "If the upload stalls, then the system shall retry if possible.",
            "loophole",
            ["if possible"],
        ),
    ],
)
def test_other_rules_read_edge_cases(edge: str, rule: str, words: list[str]) -> None:
    text = spec_text("When a manager clicks Export, the system shall download a CSV file.", edge)
    found = findings(text, rule)
    assert [(f.line, f.column) for f in found] == positions(text, "- EC-1: ", words)
    assert all(f.message.startswith(f'EC-1: "{w}"') for f, w in zip(found, words, strict=True))


def test_column_points_at_the_word_on_a_continuation_line() -> None:
    text = spec_text("When a manager clicks Export,\n  the system shall respond fast.")
    (finding,) = findings(text, "vague-qualifier")
    lines = text.splitlines()
    assert lines[finding.line - 1] == "  the system shall respond fast."
    assert finding.column == lines[finding.line - 1].index("fast") + 1


def test_column_counts_a_bold_identifier() -> None:
    text = spec_text("x").replace("- AC-1: x", "- **AC-1**: The page shall load quickly.")
    (finding,) = findings(text, "unbounded-quantity")
    line = text.splitlines()[finding.line - 1]
    assert line[finding.column - 1 :].startswith("quickly")
    assert '"quickly"' in finding.message


def test_extra_words_make_a_slice_word_fire() -> None:
    text = spec_text("The checkout shall feel snappy.")
    assert findings(text, "subjective") == []
    tuned = CheckContext(
        Standards("s", checker=CheckerSettings(extra_words={"subjective": ("snappy",)}))
    )
    (finding,) = findings(text, "subjective", tuned)
    assert (finding.line, finding.column) == positions(text, "- AC-1: ", ["snappy"])[0]
    assert finding.message == 'AC-1: "snappy" is a matter of opinion'


def test_extra_words_are_literal_and_may_hold_any_characters() -> None:
    tuned = CheckContext(
        Standards("s", checker=CheckerSettings(extra_words={"open-ended": ("k8s-ready", "(beta)")}))
    )
    text = spec_text("The cluster shall be k8s-ready in (beta) builds.")
    assert [f.message.split('"')[1] for f in findings(text, "open-ended", tuned)] == [
        "k8s-ready",
        "(beta)",
    ]


def test_a_disabled_rule_is_silent() -> None:
    quiet = CheckContext(Standards("s", checker=CheckerSettings(disabled=frozenset({"totality"}))))
    assert findings(spec_text("The service shall always respond."), "totality", quiet) == []


def test_the_longer_phrase_wins_one_warning() -> None:
    text = spec_text("The system shall notify the owner as soon as possible.")
    result = check_document(parse_spec(text), CONTEXT)
    wording = [f for f in result.findings if f.name in WORDING_RULE_NAMES]
    assert [(f.name, f.message.split('"')[1]) for f in wording] == [
        ("loophole", "as soon as possible")
    ]


# ---------------------------------------------------------------- the fast matcher

# Sentences that hold every kind of trigger, in several letter cases, for the index check below.
TEXTS = [
    *(criterion for _, criterion, _ in FLAGGED),
    *(criterion for _, criterion in CLEAN),
    "Per the relevant policy, the job runs in all cases under any circumstances, in any case.",
    "A few, a lot of, lots of, a large number of and the majority of rows; most rows; few.",
    "Ideally the page preferably loads optionally and should try to stay within 10.",
    "It doesn't, don't, won't, mustn't, shouldn't and can't; users may not; it is not allowed.",
    "See below; as mentioned earlier; conforms to the specification; per the latest version.",
    "OWASP, ISO 27001, SOC2, PCI-DSS, OAuth and RFC style references; TLSv1.2 and WCAG2.",
    "Real-time, self-explanatory, state-of-the-art, well-designed, high-quality, cost-effective.",
    "Almost always, nearly, reasonably, suitably, instantly, instantaneously, labelled clearly.",
    "Everything, everyone, everybody, everywhere, anything, nothing, nobody, completely.",
    "More rows, less noise, fewer clicks, improved, enhanced, increased, decreased, better.",
]


@pytest.mark.parametrize("smell", SMELLS, ids=lambda smell: smell.rule.name)
def test_every_alternative_starts_with_a_word_it_is_filed_under(smell: Smell) -> None:
    """The matcher only tries an alternative at words filed under its keys; so every match of
    the alternative must start at such a word, or the index would lose hits."""
    for pattern in smell.patterns:
        keys = first_word_keys(pattern)
        assert keys is not None, f"{pattern!r} would be searched in full: give it a first word"
        compiled = re.compile(r"(?<![\w-])(?:" + pattern + r")(?![\w-])", re.IGNORECASE)
        for text in TEXTS:
            for variant in (text, text.upper(), text.lower(), text.title()):
                for match in compiled.finditer(variant):
                    word = re.match(r"[A-Za-z]+", variant[match.start() :])
                    assert word is not None
                    assert word.group(0)[:3].lower() in keys, (pattern, match.group(0))


@pytest.mark.parametrize(
    ("pattern", "keys"),
    [
        ("if possible", {"if"}),
        ("(?:the |a )?majority of", {"the", "a", "maj"}),
        ("(?<!at )most(?! recent)", {"mos"}),
        ("conforms? to", {"con"}),
        ("high(?:ly)?", {"hig"}),
        ("do(?:es)? not", None),
        (r"\d+ items", None),
        (r"look\ and\ feel", {"loo"}),
    ],
)
def test_first_word_keys(pattern: str, keys: set[str] | None) -> None:
    assert first_word_keys(pattern) == (None if keys is None else frozenset(keys))


def test_hits_match_a_plain_scan_of_every_pattern() -> None:
    """The indexed matcher finds what a scan of the whole text with each smell finds."""
    extra = {"subjective": ("snappy", "k8s-ready"), "totality": ("all",)}
    context = CheckContext(Standards("s", checker=CheckerSettings(extra_words=extra)))
    enabled = WORDING_RULE_NAMES - {"vague-pronoun"}
    for text in [*TEXTS, "It is snappy, k8s-ready and all set."]:
        for variant in (text, text.upper(), text.lower()):
            fast = {
                (hit.rule.name, hit.start, hit.end)
                for hit in wording_hits(variant, context, SectionKind.ACCEPTANCE_CRITERIA, enabled)
            }
            slow: set[tuple[str, int, int]] = set()
            for smell in SMELLS:
                words = extra.get(smell.rule.name, ())
                alternatives = [*smell.patterns, *(re.escape(word) for word in words)]
                compiled = re.compile(
                    r"(?<![\w-])(?:"
                    + "|".join(sorted(alternatives, key=len, reverse=True))
                    + r")(?![\w-])",
                    re.IGNORECASE,
                )
                slow |= {
                    (smell.rule.name, match.start(), match.end())
                    for match in compiled.finditer(variant)
                }
            # Every indexed hit is a scan hit; suppressors and overlaps only remove scan hits.
            assert fast <= slow, (variant, fast - slow)
