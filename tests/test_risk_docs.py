"""docs/risk.md lists every built-in rule, and the risk examples in the docs are valid."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from signoff.adapters.standards_file import parse_standards
from signoff.core.risk.categories import CATEGORIES
from signoff.core.risk.detect import rule_catalogue

DOCS = Path(__file__).resolve().parent.parent / "docs"
RISK_DOC = (DOCS / "risk.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("rule", [rule for rule, _, _ in rule_catalogue()])
def test_every_builtin_rule_is_documented_in_its_category(rule: str) -> None:
    category = rule.split(".", 1)[0]
    section = RISK_DOC.split(f"### {category}\n", 1)[1].split("\n### ", 1)[0]
    assert f"| `{rule}` |" in section, f"{rule} is missing from docs/risk.md under ### {category}"


def test_the_doc_names_no_rule_that_does_not_exist() -> None:
    known = {rule for rule, _, _ in rule_catalogue()}
    named = set(re.findall(r"^\| `([a-z]+\.[a-z0-9-]+)` \|", RISK_DOC, re.MULTILINE))
    assert named - known == set()


def test_every_category_has_a_section() -> None:
    for category in CATEGORIES:
        assert f"### {category}\n" in RISK_DOC
        assert f"| `{category}` |" in RISK_DOC


@pytest.mark.parametrize("page", ["risk.md", "configuration.md"])
def test_the_risk_examples_in_the_docs_load(page: str) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    blocks = [
        block
        for block in re.findall(r"```toml\n(.*?)```", text, re.DOTALL)
        if re.search(r"^\[(?:\[risk\.rules\]|risk|gate)\]", block, re.MULTILINE)
    ]
    assert blocks
    for block in blocks:
        prefix = "" if "[slice]" in block else '[slice]\nname = "docs"\n'
        standards = parse_standards(prefix + block)
        assert standards.risk.rules or standards.risk.disabled or standards.gate.require_spec
