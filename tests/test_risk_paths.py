"""The indexed path matcher agrees with pathspec on every pattern list and path.

:class:`PatternTable` skips most regexes by looking up a literal first; these tests pin that
the shortcut never changes an answer, against ``pathspec.PathSpec`` with the same gitignore
pattern class (last matching pattern wins, ``!`` negates).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pathspec import PathSpec
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

from signoff.core.risk.paths import PatternTable, pattern_list_problem, pattern_problem

if TYPE_CHECKING:
    from pathlib import Path

_SEGMENTS = st.sampled_from(
    ["src", "docs", "a", "b.py", "Dockerfile", "Dockerfile.dev", "x.tf", "x.tf.json", "test_a.py",
     "a_test.py", "migrations", "0001_init.py", ".env", ".env.local", "app.yaml", "k8s", "ab", "ba",
     "my_settings.py"]
)  # fmt: skip
_PATTERN_PARTS = st.sampled_from(
    ["**", "*", "src", "docs", "a", "*.py", "*.tf", "Dockerfile", "Dockerfile.*", "test_*.py",
     "*_test.py", "[0-9]*_*.py", "migrations", ".env*", "*.tf.json", "a?", "*b*", "k8s", "x.*",
     "*ab*", "?_te*",  # indexed by an infix
     "*settings*.py", "[!a]*_test.py", "**/a_test.py/"]
)  # fmt: skip


@st.composite
def patterns(draw: st.DrawFn) -> str:
    parts = draw(st.lists(_PATTERN_PARTS, min_size=1, max_size=3))
    pattern = "/".join(parts)
    if draw(st.booleans()):
        pattern = "/" + pattern
    if draw(st.booleans()):
        pattern += "/"
    if draw(st.integers(0, 4)) == 0:
        pattern = "!" + pattern
    return pattern


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(
    st.lists(patterns(), min_size=1, max_size=4),
    st.lists(st.lists(_SEGMENTS, min_size=1, max_size=4).map("/".join), min_size=1, max_size=6),
)
def test_the_index_agrees_with_pathspec(pattern_list: list[str], paths: list[str]) -> None:
    table = PatternTable([tuple(pattern_list)])
    spec = PathSpec.from_lines(GitIgnoreSpecPattern, pattern_list)
    for path in paths:
        assert table.verdicts(path).get(0, False) == spec.match_file(path), path


def test_a_path_with_a_newline_is_matched_by_its_components_as_git_does() -> None:
    # pathspec's regexes stop ".+" at a newline and let "$" match before a final one; git
    # matches a component by its whole name, newline or not, and so does the table.
    table = PatternTable([("migrations",), ("**/*_test.py",), ("*.py",)])
    assert table.verdicts("x\ny/migrations/0001.py") == {0: True, 2: True}
    assert table.verdicts("a/x\n_test.py") == {1: True, 2: True}
    assert table.verdicts("a/x_test.py\n") == {}


def test_sets_are_answered_separately_and_shared_patterns_once() -> None:
    table = PatternTable([("**/*.py",), ("**/tests/**",), ("**/*.py", "!**/tests/**")])
    assert table.verdicts("src/a.py") == {0: True, 2: True}
    assert table.verdicts("src/tests/a.py") == {0: True, 1: True, 2: False}
    assert table.verdicts("README.md") == {}


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        ("", "blank"),
        ("# notes", "comment"),
        ("!", "matches nothing"),
        ("src\\", "backslash"),
        ("src/[ab", "no closing"),
        ("src/[z-a].py", "invalid character range"),
        ("src/**", None),
        ("*.[jt]s", None),
        ("!docs/**", None),
    ],
)
def test_pattern_problems_are_found_without_pathspec(pattern: str, fragment: str | None) -> None:
    problem = pattern_problem(pattern)
    if fragment is None:
        assert problem is None
    else:
        assert problem is not None
        assert fragment in problem


def test_a_list_of_only_negations_matches_nothing_and_says_so() -> None:
    only_negations = ("!tests/**", "# a comment", "!docs/**")
    table = PatternTable([only_negations])
    assert table.verdicts("src/app.py").get(0, False) is False  # gitignore: nothing to take back
    problem = pattern_list_problem(only_negations)
    assert problem is not None
    assert "matches no file" in problem
    assert "**" in problem
    assert pattern_list_problem(("**", "!tests/**")) is None
    assert pattern_list_problem(()) is None
    assert PatternTable([("**", "!tests/**")]).verdicts("src/app.py") == {0: True}


def test_the_stored_translations_of_the_built_in_patterns_are_pathspecs_own() -> None:
    """The gate reads built-in patterns' regexes from a generated table, not from pathspec
    (its import costs more than a small scan): the table must say what pathspec says."""
    from signoff.core.risk.builtin import builtin_rules
    from signoff.core.risk.path_regexes import TRANSLATED
    from signoff.core.risk.paths import builtin_patterns, translate_with_pathspec

    expected = {p: translate_with_pathspec(p) for p in builtin_patterns(builtin_rules())}
    assert expected == TRANSLATED, (
        "src/signoff/core/risk/path_regexes.py is out of date: run "
        "`.venv/bin/python scripts/stored_regexes.py && .venv/bin/ruff format src`"
    )


def test_a_gate_on_built_in_rules_alone_never_imports_pathspec(tmp_path: Path) -> None:
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from signoff.core.diff import FileChange\n"
        "from signoff.core.risk.detect import RiskDetector, builtin_rules\n"
        "detector = RiskDetector(builtin_rules())\n"
        "for path in ('app/settings.py', 'a/b_test.go', 'web/x.config.ts', 'Dockerfile'):\n"
        "    detector.add(FileChange('added', path, added=[(1, 'x = 1')]))\n"
        "print('pathspec' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert done.stdout.strip() == "False"
