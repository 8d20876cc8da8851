"""Evidence never repeats a secret: the lines that rules and detectors show are scrubbed.

Every case is a line a rule really fires on (a DDL statement, a settings line, a CI step) with
a secret in a form the first version of the scrubber let through.
"""

from __future__ import annotations

import pytest

from signoff.core.diff import FileChange
from signoff.core.risk.detect import RiskDetector, builtin_rules
from signoff.core.risk.model import RiskRule
from signoff.core.risk.reconcile import reconcile
from signoff.core.risk.redact import MASK, scrub

# (line, the secret it holds)
LEAKS = [
    ("CREATE ROLE app WITH LOGIN PASSWORD 'Hunter2-long!';", "Hunter2-long!"),
    ("ALTER ROLE app ENCRYPTED PASSWORD 'md5abcdef0123';", "md5abcdef0123"),
    ("CREATE USER 'app'@'%' IDENTIFIED BY 's3cr3t-pass';", "s3cr3t-pass"),
    ('password: "p@ss$word!x"', "p@ss$word!x"),
    ('password = "correct horse battery staple"', "correct horse battery staple"),
    ("DB_PASSWORD='pa ss w0rd'", "pa ss w0rd"),
    ("Authorization: Bearer abcdef0123456789abcdef", "abcdef0123456789abcdef"),
    ('curl -H "Authorization: Basic dXNlcjpwYXNzd29yZA=="', "dXNlcjpwYXNzd29yZA=="),
    ("mysql --password hunter22xyz -u root", "hunter22xyz"),
    ("deploy --api-key 9f8e7d6c5b4a --region eu", "9f8e7d6c5b4a"),
]


@pytest.mark.parametrize(("line", "secret"), LEAKS, ids=[secret for _, secret in LEAKS])
def test_the_secret_is_masked(line: str, secret: str) -> None:
    shown = scrub(line)
    # Only the first four characters may remain: no five in a row from the rest are shown.
    assert not [secret[i : i + 5] for i in range(4, len(secret) - 4) if secret[i : i + 5] in shown]
    assert MASK in shown


def test_a_short_secret_is_never_shown_whole() -> None:
    assert scrub('password: "abc"') == f'password: "a{MASK}"'
    assert scrub("PASSWORD 'hunter22'") == f"PASSWORD 'hu{MASK}'"


KEPT = [
    "token: ${{ secrets.DEPLOY_TOKEN }}",
    'password: "${DB_PASSWORD}"',
    "password = os.environ['DB_PASSWORD']",
    "mysql --password $MYSQL_PASSWORD -u root",
    "Authorization: Bearer $TOKEN",
    "<p>Enter your password below</p>",
    'author = "Jane Example"',
]


@pytest.mark.parametrize("line", KEPT)
def test_references_and_prose_are_left_readable(line: str) -> None:
    assert scrub(line) == line


def test_a_ddl_line_with_a_password_fires_schema_and_shows_no_password() -> None:
    detector = RiskDetector(builtin_rules())
    detector.add(
        FileChange(
            "added",
            "db/roles.sql",
            added=((3, "CREATE ROLE reporting WITH LOGIN PASSWORD 'Rep0rt-2026!';"),),
        )
    )
    (schema,) = detector.detections()
    assessment = reconcile("SO-4", "reversible", (), (schema,))
    shown = [evidence.text for evidence in schema.evidence]
    shown += [mismatch.message for mismatch in assessment.mismatches]
    assert schema.category == "schema"
    assert len(shown) == 2
    assert all("Rep0rt-2026!" not in text and "-2026!" not in text for text in shown)


def test_a_slice_rule_on_a_ci_line_shows_no_token() -> None:
    rule = RiskRule(
        id="slice.curl", category="deploy", description="a curl call", origin="slice",
        added_lines=("curl",),
    )  # fmt: skip
    detector = RiskDetector((rule,))
    token = "Bearer " + "a1b2c3d4e5f6a7b8c9d0"
    detector.add(FileChange("modified", "ci.sh", added=((1, f'curl -H "Authorization: {token}"'),)))
    ((evidence,),) = (detection.evidence for detection in detector.detections())
    assert "c3d4e5f6" not in evidence.text
