"""Structure rules: what each must flag, and what it must leave alone."""

from __future__ import annotations

import pytest

from signoff.core.specs.check import (
    SpecResult,
    check_document,
    check_documents,
)
from signoff.core.specs.parse import document_from_bytes, parse_spec
from signoff.core.specs.rules import CheckContext
from signoff.core.standards import CheckerSettings, GateDefinition, Standards

GATES = {
    "tests": GateDefinition("tests", "command", command="make test"),
    "trace": GateDefinition("trace", "traceability"),
    "review": GateDefinition("review", "review"),
    "sign": GateDefinition("sign", "approval", approvers="leads"),
}
STANDARDS = Standards("shop", gates=GATES, approver_groups={"leads": ("a@x.io",)})

FRONT = {
    "id": "SO-1",
    "title": "Refund an order",
    "status": "draft",
    "owner": "alice@example.com",
    "risk": "reversible",
    "gates": "[tests]",
}
BODY = """
## Intent
Support staff refund a paid order without engineering help.

## Acceptance criteria
- AC-1: When staff refund an order, the system shall return the payment to the card used.
- AC-2: Given a refunded order, when staff open the order, then the page shows the refund date.

## Edge cases
- EC-1: If the payment provider rejects the refund, then the system shall keep the order paid.
"""


def spec(body: str = BODY, **fields: str | None) -> str:
    merged = {**FRONT, **fields}
    lines = [f"{name}: {value}" for name, value in merged.items() if value is not None]
    return "---\n" + "\n".join(lines) + "\n---\n" + body


def check(
    text: str, standards: Standards = STANDARDS, exists: set[str] | None = None
) -> SpecResult:
    context = CheckContext(
        standards, path_exists=None if exists is None else (lambda path: path in exists)
    )
    return check_document(parse_spec(text, "specs/SO-1.md"), context)


def names(result: SpecResult) -> list[str]:
    return [finding.name for finding in result.findings]


def test_a_complete_spec_is_ready_with_no_findings() -> None:
    result = check(spec())
    assert result.findings == ()
    assert result.ready


@pytest.mark.parametrize(
    ("text", "rule", "line"),
    [
        ("# just markdown\n", "front-matter", 1),
        ("---\nid: SO-1\ntitle: [unclosed\n---\n", "front-matter", 3),
        (spec(id=None), "missing-field", 7),
        (spec(id="12"), "missing-field", 2),
        (spec(title='""'), "missing-field", 3),
        (spec(status="doing"), "missing-field", 4),
        (spec(owner=None), "missing-field", 7),
        (spec(gates=None), "missing-field", 7),
        (spec(gates="tests-and-review"), "missing-field", 7),
        (
            spec(
                BODY.replace(
                    "## Intent\nSupport staff refund a paid order without engineering help.\n", ""
                )
            ),
            "missing-section",
            16,
        ),
        (
            spec(
                BODY.replace(
                    "Support staff refund a paid order without engineering help.",
                    "<!-- fill in -->",
                )
            ),
            "missing-section",
            10,
        ),
        (
            spec(BODY.split("## Edge cases", maxsplit=1)[0] + "## Edge cases\nSee the wiki.\n"),
            "missing-section",
            17,
        ),
        (spec(BODY.replace("- AC-2:", "- AC-1:")), "criterion-id", 15),
        (spec(BODY.replace("- AC-2:", "- AC2:")), "criterion-id", 15),
        (spec(BODY.replace("- EC-1:", "- AC-3:")), "criterion-id", 18),
        (spec(BODY.replace("- AC-2: Given", "- AC-2: given")), None, 0),
        (
            spec(
                BODY.replace(
                    "When staff refund an order, the system shall return", "Refunds return"
                )
            ),
            "unverifiable-criterion",
            14,
        ),
        (spec(risk=None), "risk-unclassified", 7),
        (spec(risk="maybe"), "risk-unclassified", 6),
        (spec(risk_categories="[schema]"), "risk-inconsistent", 8),
        (spec(risk="irreversible", gates="[tests, sign]"), "risk-inconsistent", 6),
        (
            spec(risk="irreversible", risk_categories="[money]", gates="[tests, sign]"),
            "risk-inconsistent",
            8,
        ),
        (spec(gates="[tests, lint]"), "unknown-gate", 7),
        (spec(risk="irreversible", risk_categories="[schema]"), "approval-gate-missing", 7),
        (spec(BODY.replace("engineering help.", "engineering help. TBD")), "placeholder", 11),
        (
            spec(BODY.replace("the card used", "[NEEDS CLARIFICATION: which card?]")),
            "placeholder",
            14,
        ),
        (spec(title="Refunds ???"), "placeholder", 3),
    ],
)
def test_each_structure_rule_flags_its_gap(text: str, rule: str | None, line: int) -> None:
    result = check(text)
    if rule is None:  # the control row: a variant that must stay clean
        assert result.findings == ()
        return
    matching = [finding for finding in result.findings if finding.name == rule]
    assert matching, f"{rule} did not fire; got {names(result)}"
    assert matching[0].line == line
    assert matching[0].severity.value == "error"
    assert matching[0].hint
    assert not result.ready


@pytest.mark.parametrize(
    "text",
    [
        spec(
            BODY.replace(
                "AC-2: Given a refunded order, when staff open it, then",
                "AC-2: While an order is refunded, the system shall",
            )
        ),
        spec(
            BODY.replace(
                "- AC-2: Given a refunded order, when staff open the order, then the page shows the refund date.",
                "- AC-2:\n  - Given a refunded order\n  - When staff open the order\n  - Then the page shows the refund date",
            )
        ),
        spec(BODY + "\n```\nTODO in a code sample is documentation\n```\n"),
        spec(BODY.replace("engineering help.", "engineering help, like a todo list.")),
        spec(risk="irreversible", risk_categories="[schema, deploy]", gates="[tests, sign]"),
    ],
    ids=[
        "ears-while",
        "gherkin-sub-items",
        "todo-in-code",
        "lowercase-todo",
        "irreversible-complete",
    ],
)
def test_structure_rules_leave_good_specs_alone(text: str) -> None:
    result = check(text)
    assert [f for f in result.findings if f.severity.value == "error"] == []


def test_policy_approval_gate_satisfies_an_irreversible_spec() -> None:
    standards = Standards(
        "shop",
        gates=GATES,
        approver_groups={"leads": ("a@x.io",)},
        policy={"irreversible": ("tests", "sign")},
    )
    result = check(spec(risk="irreversible", risk_categories="[schema]"), standards)
    assert "approval-gate-missing" not in names(result)


def test_missing_unwanted_case_warns_for_irreversible_specs_only() -> None:
    body = BODY.replace(
        "- EC-1: If the payment provider rejects the refund, then the system shall keep the order paid.",
        "- EC-1: A refund of a gift card goes back to the gift card.",
    )
    irreversible = check(
        spec(body, risk="irreversible", risk_categories="[vendor]", gates="[sign]")
    )
    assert "missing-unwanted-case" in names(irreversible)
    assert irreversible.ready  # a warning does not block
    assert "missing-unwanted-case" not in names(check(spec(body)))
    good = check(spec(risk="irreversible", risk_categories="[vendor]", gates="[sign]"))
    assert "missing-unwanted-case" not in names(good)


def test_too_large_uses_the_slice_limit() -> None:
    items = "".join(
        f"- AC-{n}: When step {n} runs, the system shall record it.\n" for n in range(1, 5)
    )
    body = BODY.replace(
        "- AC-1: When staff refund an order, the system shall return the payment to the card used.\n",
        items,
    )
    small = Standards("shop", gates=GATES, checker=CheckerSettings(max_acceptance_criteria=3))
    assert "too-large" in names(check(spec(body), small))
    assert "too-large" not in names(check(spec(body)))


def test_context_missing_path_names_the_path_and_its_line() -> None:
    text = spec(context="\n  - src/refunds/\n  - docs/gone.md")
    result = check(text, exists={"src/refunds/"})
    (finding,) = [f for f in result.findings if f.name == "context-missing-path"]
    assert "docs/gone.md" in finding.message
    assert finding.line == 10
    assert check(text, exists={"src/refunds/", "docs/gone.md"}).findings == ()
    assert check(text).findings == ()  # no filesystem: cannot tell, stays quiet


def test_duplicate_id_is_caught_across_specs_and_against_unchecked_ones() -> None:
    first = parse_spec(spec(), "specs/SO-1-a.md")
    second = parse_spec(spec(), "specs/SO-1-b.md")
    context = CheckContext(STANDARDS)
    results = check_documents([first, second], context)
    for result in results:
        assert names(result) == ["duplicate-id"]
    (alone,) = check_documents([first], context, other_ids=[("SO-1", "specs/SO-1-b.md")])
    assert "specs/SO-1-b.md" in alone.findings[0].message
    assert check_documents([first], context)[0].findings == ()


def test_rules_can_be_switched_off_or_regraded() -> None:
    text = spec(gates="[tests, lint]")
    off = Standards(
        "shop", gates=GATES, checker=CheckerSettings(disabled=frozenset({"unknown-gate"}))
    )
    assert check(text, off).ready
    demoted = Standards(
        "shop", gates=GATES, checker=CheckerSettings(severity={"unknown-gate": "warning"})
    )
    result = check(text, demoted)
    assert result.ready
    assert result.findings[0].severity.value == "warning"
    silenced = Standards(
        "shop", gates=GATES, checker=CheckerSettings(severity={"unknown-gate": "off"})
    )
    assert check(text, silenced).findings == ()


def test_extra_placeholder_words_come_from_the_slice() -> None:
    text = spec(BODY.replace("engineering help.", "engineering help. XXX"))
    assert check(text).ready
    custom = Standards(
        "shop", gates=GATES, checker=CheckerSettings(extra_words={"placeholder": ("XXX",)})
    )
    assert "placeholder" in names(check(text, custom))


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b"\x00\x01\x02binary", "binary"),
        (b"---\nid: SO-1\ntitle: caf\xe9\n---\n", "not UTF-8"),
    ],
)
def test_unreadable_files_are_one_finding_and_never_ready(raw: bytes, fragment: str) -> None:
    document = document_from_bytes(raw, "specs/x.md")
    result = check_document(document, CheckContext(STANDARDS))
    assert names(result) == ["unreadable"]
    assert fragment in result.findings[0].message
    assert not result.ready
    silenced = Standards("s", checker=CheckerSettings(severity={"unreadable": "off"}))
    assert not check_document(document, CheckContext(silenced)).ready
