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
