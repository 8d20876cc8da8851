"""signoff.toml: the defaults load, and every kind of bad value names its key and line."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signoff.adapters.standards_file import key_lines, parse_standards
from signoff.core.errors import ConfigError
from signoff.service.init import default_standards_text

GOOD = """\
[slice]
name = "checkout"
owners = ["alice@example.com"]

[approvers]
leads = ["alice@example.com"]

[gates.tests]
kind = "command"
command = "make test"

[gates.sign]
kind = "approval"
approvers = "leads"
required = 2

[gates.review]
kind = "review"
sample_rate = 0.1

[policy]
irreversible = ["tests", "sign"]

[checker]
max_acceptance_criteria = 5
disable = ["totality"]

[checker.severity]
negative = "off"

[checker.words]
subjective = ["snappy"]
"""


def test_a_full_file_loads_into_frozen_standards() -> None:
    standards = parse_standards(GOOD)
    assert standards.slice_name == "checkout"
    assert standards.gates["sign"].required == 2
    assert standards.gates["review"].sample_rate == 0.1
    assert standards.minimum_gates("irreversible") == ("tests", "sign")
    assert standards.minimum_gates("reversible") == ()
    assert standards.checker.max_acceptance_criteria == 5
    assert standards.checker.disabled == frozenset({"totality"})
    assert standards.checker.severity["negative"] == "off"
    assert standards.checker.extra_words["subjective"] == ("snappy",)


def test_the_file_signoff_init_writes_is_valid() -> None:
    standards = parse_standards(default_standards_text("shop", "lead@example.com"))
    assert standards.gates["human-approval"].kind == "approval"
    assert standards.approver_groups["leads"] == ("lead@example.com",)
    assert parse_standards(default_standards_text("shop", None)).owners == ()


@pytest.mark.parametrize(
    ("edit", "line", "key", "fragment"),
    [
        (('name = "checkout"', 'nam = "checkout"'), 2, "slice.nam", "unknown key"),
        (('name = "checkout"', "name = 3"), 2, "slice.name", "non-empty string"),
        (('command = "make test"', ""), 8, "gates.tests.command", "required"),
        (('kind = "review"', 'kind = "vote"'), 18, "gates.review.kind", "one of command"),
        (("sample_rate = 0.1", "sample_rate = 1.5"), 19, "gates.review.sample_rate", "0 to 1"),
        (("required = 2", "required = 0"), 15, "gates.sign.required", ">= 1"),
        (
            ('approvers = "leads"', 'approvers = "admins"'),
            14,
            "gates.sign.approvers",
            "not defined",
        ),
        (
            ('irreversible = ["tests", "sign"]', 'irreversible = ["tests", "deploy"]'),
            22,
            "policy.irreversible",
            "'deploy' is not defined",
        ),
        (
            ('disable = ["totality"]', 'disable = ["totally"]'),
            26,
            "checker.disable",
            "no rule is named",
        ),
        (('negative = "off"', 'negative = "loud"'), 29, "checker.severity.negative", "error"),
        (
            ('subjective = ["snappy"]', 'missing-field = ["x"]'),
            32,
            "checker.words.missing-field",
            "takes no word list",
        ),
        (
            ("max_acceptance_criteria = 5", "max_acceptance_criteria = true"),
            25,
            "checker.max_acceptance_criteria",
            "whole number",
        ),
        (("[checker]", "[checkr]"), 24, "checkr", "unknown key"),
    ],
)
def test_bad_values_name_the_key_and_line(
    edit: tuple[str, str], line: int, key: str, fragment: str
) -> None:
    old, new = edit
    assert old in GOOD
    with pytest.raises(ConfigError) as caught:
        parse_standards(GOOD.replace(old, new), "repo/signoff.toml")
    error = caught.value
    assert (error.line, error.key) == (line, key)
    assert fragment in error.problem
    assert str(error).startswith(f"repo/signoff.toml:{line}: {key}: ")
    assert "\n" not in str(error)


def test_toml_syntax_errors_name_the_line() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_standards('[slice]\nname = "x\n', "signoff.toml")
    assert caught.value.line == 2
    assert "not valid TOML" in str(caught.value)


def test_missing_slice_table_is_reported() -> None:
    with pytest.raises(ConfigError, match=r"slice: is required"):
        parse_standards("[policy]\n")


def test_key_lines_follow_tables_and_dotted_keys() -> None:
    text = '[a]\nx = 1\n[a.b]\n"quoted key" = 2\nc.d = 3\n[[e]]\nf = """\nx = not a key\n"""\n'
    lines = key_lines(text)
    assert lines["a.x"] == 2
    assert lines["a.b.quoted key"] == 4
    assert lines["a.b.c.d"] == 5
    assert lines["e.f"] == 7
    assert "e.x" not in lines


def test_vague_pronoun_takes_no_word_list() -> None:
    with pytest.raises(ConfigError, match="takes no word list"):
        parse_standards('[slice]\nname = "x"\n[checker.words]\nvague-pronoun = ["it"]\n')


_toml_fragment = st.sampled_from(
    [
        "[slice]",
        'name = "x"',
        "[gates.a]",
        'kind = "command"',
        'kind = "approval"',
        'command = "make"',
        "[policy]",
        'reversible = ["a"]',
        "[checker]",
        "disable = []",
        "max_acceptance_criteria = 0",
        "[checker.words]",
        'subjective = ["x"]',
        "[approvers]",
        'leads = ["a"]',
        'approvers = "leads"',
        "required = -1",
        "sample_rate = 2",
        "= =",
        "[",
        "[risk]",
        "[[risk.rules]]",
        "[risk.rules]",
        'category = "schema"',
        'paths = ["src/**", "["]',
        "added_lines = ['(', 'x']",
        'disable = ["schema.prisma", "nope"]',
        "builtin = false",
        'id = "schema.prisma"',
        "rules = 3",
        "[gate]",
        "require_spec = 3",
        'default_branch = "main"',
    ]
)


@settings(max_examples=300)
@given(st.lists(st.one_of(_toml_fragment, st.text(max_size=20)), max_size=12))
def test_any_text_either_loads_or_raises_one_config_error(parts: list[str]) -> None:
    text = "\n".join(parts)
    try:
        parse_standards(text, "signoff.toml")
    except ConfigError as error:
        message = str(error)
    else:
        return
    assert message.startswith("signoff.toml")
    assert "\n" not in message.strip()


RISK = (
    GOOD
    + """
[risk]
builtin = true
disable = ["copy.templates"]

[[risk.rules]]
id = "payments"
category = "security"
paths = ["src/payments/**"]
added_lines = ['stripe\\.Charge']
exclude = ["**/tests/**"]

[[risk.rules]]
category = "schema"
removed_lines = ['^\\s*class \\w+Migration']

[gate]
require_spec = true
default_branch = "trunk"
"""
)


def _line_of(text: str, fragment: str, nth: int = 1) -> int:
    numbers = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return numbers[nth - 1]


def test_risk_and_gate_settings_load() -> None:
    standards = parse_standards(RISK)
    assert standards.risk.builtin is True
    assert standards.risk.disabled == frozenset({"copy.templates"})
    first, second = standards.risk.rules
    assert (first.id, first.category, first.paths, first.added_lines, first.exclude) == (
        "payments",
        "security",
        ("src/payments/**",),
        (r"stripe\.Charge",),
        ("**/tests/**",),
    )
    assert (second.id, second.description, second.origin) == (
        "slice.2",
        "a file covered by slice rule slice.2",
        "slice",
    )
    assert (standards.gate.require_spec, standards.gate.default_branch) == (True, "trunk")


def test_the_defaults_when_risk_and_gate_are_left_out() -> None:
    standards = parse_standards(GOOD)
    assert (standards.risk.builtin, standards.risk.disabled, standards.risk.rules) == (
        True,
        frozenset(),
        (),
    )
    assert (standards.gate.require_spec, standards.gate.default_branch) == (False, None)


def test_risk_rules_are_builtin_minus_disabled_plus_the_slices() -> None:
    from signoff.core.risk.detect import builtin_rules

    standards = parse_standards(RISK)
    ids = [rule.id for rule in standards.risk_rules()]
    assert "copy.templates" not in ids
    assert ids[-2:] == ["payments", "slice.2"]
    assert len(ids) == len(builtin_rules()) - 1 + 2
    only_slice = parse_standards(RISK.replace("builtin = true", "builtin = false"))
    assert [rule.id for rule in only_slice.risk_rules()] == ["payments", "slice.2"]


def test_standards_with_risk_rules_survive_pickling() -> None:
    import pickle

    standards = parse_standards(RISK)
    assert pickle.loads(pickle.dumps(standards)) == standards  # noqa: S301 - our own value


@pytest.mark.parametrize(
    ("old", "new", "at", "key", "fragment"),
    [
        (
            'disable = ["copy.templates"]',
            'disable = ["copy.template"]',
            ("disable = [", 2),
            "risk.disable",
            "docs/risk.md",
        ),
        ("builtin = true", 'builtin = "yes"', ("builtin =", 1), "risk.builtin", "true or false"),
        (
            'category = "schema"',
            'category = "data"',
            ('category = "data"', 1),
            "risk.rules.1.category",
            "one of",
        ),
        (
            'category = "security"\n',
            "",
            ("[[risk.rules]]", 1),
            "risk.rules.0.category",
            "is required",
        ),
        (
            "removed_lines = ['^",
            "removed_lines = ['(^",
            ("removed_lines", 1),
            "risk.rules.1.removed_lines",
            "invalid regular expression",
        ),
        (
            'paths = ["src/payments/**"]',
            'paths = ["src/[payments"]',
            ("paths = [", 1),
            "risk.rules.0.paths",
            "no closing",
        ),
        (
            'exclude = ["**/tests/**"]',
            'exclud = ["**/tests/**"]',
            ("exclud =", 1),
            "risk.rules.0.exclud",
            "unknown key",
        ),
        (
            "removed_lines = ['^\\s*class \\w+Migration']\n",
            "",
            ("[[risk.rules]]", 2),
            "risk.rules.1",
            "at least one of paths",
        ),
        (
            'category = "schema"',
            'id = "payments"\ncategory = "schema"',
            ('id = "payments"', 2),
            "risk.rules.1.id",
            "already a rule id",
        ),
        (
            'id = "payments"',
            'id = "schema.prisma"',
            ('id = "schema.prisma"', 1),
            "risk.rules.0.id",
            "already a rule id",
        ),
        (
            'id = "payments"',
            'id = "pay ments"',
            ('id = "pay ments"', 1),
            "risk.rules.0.id",
            "letters, digits",
        ),
        (
            "require_spec = true",
            "require_spec = 1",
            ("require_spec", 1),
            "gate.require_spec",
            "true or false",
        ),
        (
            'default_branch = "trunk"',
            'default_branch = "my branch"',
            ("default_branch", 1),
            "gate.default_branch",
            "not a branch name",
        ),
        (
            'default_branch = "trunk"',
            'default_brunch = "trunk"',
            ("default_brunch", 1),
            "gate.default_brunch",
            "unknown key",
        ),
    ],
)
def test_bad_risk_and_gate_values_name_the_key_and_line(
    old: str, new: str, at: tuple[str, int], key: str, fragment: str
) -> None:
    assert old in RISK
    text = RISK.replace(old, new)
    line = _line_of(text, *at)
    with pytest.raises(ConfigError) as caught:
        parse_standards(text, "signoff.toml")
    error = caught.value
    assert (error.line, error.key) == (line, key), str(error)
    assert fragment in error.problem
    assert str(error).startswith(f"signoff.toml:{line}: {key}: ")


def test_risk_rules_written_as_a_single_table_are_refused() -> None:
    text = '[slice]\nname = "x"\n[risk.rules]\ncategory = "schema"\n'
    with pytest.raises(ConfigError, match=r"signoff.toml:3: risk.rules: must be a list of tables"):
        parse_standards(text, "signoff.toml")


def test_key_lines_give_each_array_of_tables_entry_its_own_line() -> None:
    text = '[[risk.rules]]\npaths = ["a"]\n\n[[risk.rules]]\npaths = ["b"]\n[risk.rules.x]\ny = 1\n[[other]]\nz = 2\n'
    lines = key_lines(text)
    assert (lines["risk.rules.0"], lines["risk.rules.0.paths"]) == (1, 2)
    assert (lines["risk.rules.1"], lines["risk.rules.1.paths"]) == (4, 5)
    assert lines["risk.rules.1.x.y"] == 7
    assert lines["risk.rules.paths"] == 2  # without an index: the first entry
    assert lines["other.0.z"] == 9


def test_a_slice_rule_that_can_backtrack_for_ever_is_refused_with_its_line() -> None:
    text = (
        '[slice]\nname = "x"\n\n[[risk.rules]]\ncategory = "security"\nadded_lines = ["(a+)+b"]\n'
    )
    with pytest.raises(ConfigError) as caught:
        parse_standards(text)
    message = str(caught.value)
    assert message.startswith("signoff.toml:6: risk.rules.0.added_lines:")
    assert "possessive" in message
    fine = text.replace("(a+)+b", "(?>a+)+b")
    assert parse_standards(fine).risk.rules[0].added_lines == ("(?>a+)+b",)
