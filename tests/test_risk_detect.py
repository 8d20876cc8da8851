"""The risk detector: evidence, redaction, slice rules, dependencies, new directories, limits.

Built-in rules are tested one by one in ``test_risk_rules.py``; this file tests what the
detector does with any rule, and the code detectors that need more than one line to decide.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signoff.core.diff import FileChange
from signoff.core.risk.categories import CATEGORIES
from signoff.core.risk.detect import RiskDetector, builtin_rules
from signoff.core.risk.manifests import normalise
from signoff.core.risk.model import Detection, Evidence, RiskRule

if TYPE_CHECKING:
    from collections.abc import Callable

AWS_KEY = "AK" + "IA" + "Q2WERTYUIOPASDFG"


def change(
    path: str,
    added: list[str] | None = None,
    removed: list[str] | None = None,
    *,
    status: str = "modified",
    start: int = 1,
    **fields: object,
) -> FileChange:
    return FileChange(
        status=status,  # type: ignore[arg-type]
        path=path,
        added=tuple(enumerate(added or [], start=start)),
        removed=tuple(enumerate(removed or [], start=start)),
        **fields,  # type: ignore[arg-type]
    )


def detect(
    *changes: FileChange, rules: tuple[RiskRule, ...] | None = None, **options: object
) -> tuple[Detection, ...]:
    detector = RiskDetector(builtin_rules() if rules is None else rules, **options)  # type: ignore[arg-type]
    for file_change in changes:
        detector.add(file_change)
    return detector.detections()


def by_category(detections: tuple[Detection, ...]) -> dict[str, Detection]:
    return {detection.category: detection for detection in detections}


def slice_rule(**fields: object) -> RiskRule:
    values: dict[str, object] = {
        "id": "payments",
        "category": "security",
        "description": "payment code",
        "origin": "slice",
    }
    values.update(fields)
    return RiskRule(**values)  # type: ignore[arg-type]


# ---------------------------------------------------------------- evidence


def test_a_path_rule_names_the_file_its_first_added_line_and_what_it_does() -> None:
    found = by_category(
        detect(
            change("db/migrate/20261121_add_index.rb", ["class A", "end"], status="added", start=1)
        )
    )
    (evidence,) = found["schema"].evidence
    assert (evidence.path, evidence.line, evidence.rule) == (
        "db/migrate/20261121_add_index.rb",
        1,
        "schema.rails-migration",
    )
    assert evidence.text == "adds a Rails migration"


@pytest.mark.parametrize(
    ("status", "fields", "text"),
    [
        ("deleted", {}, "deletes a Rails migration"),
        ("modified", {"binary": True}, "changes a Rails migration"),
        ("renamed", {"old_path": "db/migrate/1_old.rb"}, "renames a Rails migration"),
    ],
)
def test_a_whole_file_match_without_added_lines_has_no_line(
    status: str, fields: dict[str, object], text: str
) -> None:
    found = by_category(detect(change("db/migrate/2_x.rb", status=status, **fields)))  # type: ignore[arg-type]
    (evidence,) = found["schema"].evidence
    assert evidence.line is None
    assert evidence.text == text


def test_a_rename_out_of_a_watched_folder_still_counts() -> None:
    moved = change("archive/1_add.rb", status="renamed", old_path="db/migrate/1_add.rb")
    assert "schema" in by_category(detect(moved))


def test_a_line_rule_names_the_line_number_in_the_new_file_and_the_line() -> None:
    found = by_category(
        detect(
            change(
                "app/db.py", ["import db", "", 'db.execute("CREATE TABLE t (id int)")'], start=40
            )
        )
    )
    (evidence,) = found["schema"].evidence
    assert (evidence.line, evidence.rule) == (42, "schema.ddl-in-code")
    assert evidence.text == 'db.execute("CREATE TABLE t (id int)")'


def test_a_line_with_two_matches_is_one_piece_of_evidence() -> None:
    found = by_category(
        detect(change("app/db.py", ["CREATE TABLE a (x int); CREATE TABLE b (y int)"]))
    )
    assert found["schema"].count == 1


def test_long_lines_are_trimmed() -> None:
    line = 'q = "CREATE TABLE t (' + "x int, " * 100 + ')"'
    (evidence,) = by_category(detect(change("app/db.py", [line])))["schema"].evidence
    assert len(evidence.text) <= 200
    assert evidence.text.startswith('q = "CREATE TABLE t (')


def test_evidence_is_capped_but_counted_in_diff_order() -> None:
    files = [change(f"db/migrate/{n:03}_m.rb", ["x"], status="added") for n in range(30)]
    (schema,) = detect(*files, evidence_cap=5)
    assert schema.count == 30
    assert [evidence.path for evidence in schema.evidence] == [
        f"db/migrate/{n:03}_m.rb" for n in range(5)
    ]


def test_detections_come_in_category_order_one_per_category() -> None:
    detections = detect(
        change("docs/adr/0001-x.md", ["# x"], status="added"),
        change("templates/a.html", ["<p>Hello there</p>"]),
        change("Dockerfile", ["FROM x"]),
        change("db/migrate/1_a.rb", ["x"], status="added"),
    )
    categories = [detection.category for detection in detections]
    assert categories == [c for c in CATEGORIES if c in categories]
    assert set(categories) == {"deploy", "schema", "copy", "architecture"}


def test_nothing_detected_for_ordinary_code() -> None:
    assert detect(change("src/shop/cart.py", ["def total(items):", "    return sum(items)"])) == ()


# ---------------------------------------------------------------- secrets


def test_a_secret_is_recorded_redacted_never_whole() -> None:
    found = by_category(detect(change("app/aws.py", [f'KEY_ID = "{AWS_KEY}"'])))
    texts = [evidence.text for evidence in found["security"].evidence]
    assert texts == ["AKIA…[redacted]"]
    assert all(AWS_KEY not in text for text in texts)


def test_a_secret_on_a_line_that_fired_another_rule_is_masked_there_too() -> None:
    value = "django-insecure-" + "q8w7e6r5t4y3"
    found = by_category(detect(change("shop/settings.py", [f'SECRET_KEY = "{value}"'])))
    texts = [evidence.text for evidence in found["security"].evidence]
    assert texts == ['SECRET_KEY = "djan…[redacted]"']


def test_a_secret_in_a_comment_is_still_a_secret() -> None:
    found = by_category(detect(change("app/aws.py", [f"# old key {AWS_KEY}"])))
    assert [evidence.rule for evidence in found["security"].evidence] == ["security.aws-key"]


def test_slice_rules_are_scrubbed_too() -> None:
    rule = slice_rule(added_lines=(r"KEY_ID",))
    (detection,) = detect(change("app/aws.py", [f'KEY_ID = "{AWS_KEY}"']), rules=(rule,))
    assert AWS_KEY not in detection.evidence[0].text


# ---------------------------------------------------------------- slice rules


def test_a_slice_rule_with_paths_and_exclude() -> None:
    rule = slice_rule(paths=("src/payments/**",), exclude=("**/tests/**",))
    assert detect(change("src/payments/charge.py", ["x"]), rules=(rule,))
    assert not detect(change("src/payments/tests/test_charge.py", ["x"]), rules=(rule,))
    assert not detect(change("src/cart.py", ["x"]), rules=(rule,))
    (detection,) = detect(change("src/payments/charge.py", ["x"]), rules=(rule,))
    assert detection.evidence[0].text == "changes payment code"


def test_a_slice_rule_with_paths_and_added_lines_needs_both() -> None:
    rule = slice_rule(paths=("src/**",), added_lines=(r"stripe\.Charge",))
    assert detect(change("src/pay.py", ["stripe.Charge.create()"]), rules=(rule,))
    assert not detect(change("src/pay.py", ["stripe.Refund.create()"]), rules=(rule,))
    assert not detect(change("lib/pay.py", ["stripe.Charge.create()"]), rules=(rule,))


def test_a_removed_lines_rule_reports_the_old_line_number() -> None:
    rule = slice_rule(category="security", removed_lines=(r"@login_required",))
    found = detect(
        change("shop/views.py", ["def view(): ..."], ["x = 1", "@login_required"], start=10),
        rules=(rule,),
    )
    (detection,) = found
    assert (detection.evidence[0].line, detection.evidence[0].text) == (11, "@login_required")
    assert not detect(change("shop/views.py", ["@login_required"]), rules=(rule,))


def test_negated_path_patterns_follow_gitignore_order() -> None:
    rule = slice_rule(paths=("src/**", "!src/generated/**"))
    assert detect(change("src/a.py", ["x"]), rules=(rule,))
    assert not detect(change("src/generated/a.py", ["x"]), rules=(rule,))


def test_slice_rules_do_not_skip_comments() -> None:
    rule = slice_rule(added_lines=("TODO-SECURITY",))
    assert detect(change("src/a.py", ["# TODO-SECURITY check"]), rules=(rule,))


def test_disabled_builtin_rules_do_not_run() -> None:
    template = change("templates/cart.html", ["<p>Check out now</p>"])
    assert "copy" in by_category(detect(template))
    rules = builtin_rules(frozenset({"copy.templates"}))
    assert "copy" not in by_category(detect(template, rules=rules))
    assert "copy.templates" not in {rule.id for rule in rules}


# ---------------------------------------------------------------- dependencies


def _added_dependencies(path: str, old: str | None, new: str | None, **kwargs: object) -> list[str]:
    detector = RiskDetector(builtin_rules())
    status = "added" if old is None else "modified"
    file_change = change(path, status=status, **kwargs)  # type: ignore[arg-type]
    assert detector.needs_content(file_change)
    detector.add(file_change, old_text=old, new_text=new)
    found = by_category(detector.detections())
    if "vendor" not in found:
        return []
    return [e.text for e in found["vendor"].evidence if e.rule == "vendor.new-dependency"]


PACKAGE_JSON = {"name": "shop", "version": "1.0.0", "dependencies": {"express": "^4.19.0"}}

MANIFESTS: list[tuple[str, str, str, str, str]] = [
    # (path, old, bumped, added, the new name)
    ("requirements.txt", "django==4.2\n", "django==5.0\n", "django==4.2\nstripe>=7\n", "stripe"),
    (
        "requirements/prod.txt",
        "Django==4.2\n",
        "django==5.0  # LTS\n",
        "Django==4.2\n-e git+https://x/y.git#egg=acme-sdk\n",
        "acme-sdk",
    ),
    (
        "pyproject.toml",
        '[project]\nname = "shop"\ndependencies = ["django>=4.2"]\n',
        '[project]\nname = "shop"\ndependencies = ["django>=5.0"]\n',
        '[project]\nname = "shop"\ndependencies = ["django>=4.2", "stripe[async]>=7"]\n',
        "stripe",
    ),
    (
        "pyproject.toml",
        '[tool.poetry.dependencies]\npython = "^3.11"\ndjango = "^4.2"\n',
        '[tool.poetry.dependencies]\npython = "^3.12"\ndjango = "^5.0"\n',
        '[tool.poetry.dependencies]\npython = "^3.11"\ndjango = "^4.2"\ncelery = "^5"\n',
        "celery",
    ),
    (
        "package.json",
        json.dumps(PACKAGE_JSON),
        json.dumps({**PACKAGE_JSON, "version": "1.1.0", "dependencies": {"express": "^5.0.0"}}),
        json.dumps({**PACKAGE_JSON, "dependencies": {"express": "^4.19.0", "stripe": "^14.0.0"}}),
        "stripe",
    ),
    (
        "go.mod",
        "module shop\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.9.0\n)\n",
        "module shop\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.10.0\n\tgolang.org/x/net v0.1.0 // indirect\n)\n",
        "module shop\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.9.0\n\tgithub.com/stripe/stripe-go/v76 v76.1.0\n)\n",
        "github.com/stripe/stripe-go/v76",
    ),
    (
        "Cargo.toml",
        '[package]\nname = "shop"\nversion = "0.1.0"\n\n[dependencies]\nserde = "1"\n',
        '[package]\nname = "shop"\nversion = "0.2.0"\n\n[dependencies]\nserde = "1.0.200"\n',
        '[package]\nname = "shop"\nversion = "0.1.0"\n\n[dependencies]\nserde = "1"\nreqwest = { version = "0.12" }\n',
        "reqwest",
    ),
    (
        "Gemfile",
        "source 'https://rubygems.org'\ngem 'rails', '~> 7.1'\n",
        "source 'https://rubygems.org'\ngem 'rails', '~> 7.2'\n",
        "source 'https://rubygems.org'\ngem 'rails', '~> 7.1'\ngem 'stripe'\n",
        "stripe",
    ),
    (
        "pom.xml",
        "<project><dependencies><dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.0</version></dependency></dependencies></project>",
        "<project><dependencies><dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.13</version></dependency></dependencies></project>",
        "<project><dependencies><dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.0</version></dependency>\n<dependency>\n<groupId>com.stripe</groupId>\n<artifactId>stripe-java</artifactId>\n</dependency></dependencies></project>",
        "com.stripe:stripe-java",
    ),
    (
        "app/build.gradle.kts",
        'dependencies {\n    implementation("com.squareup.okhttp3:okhttp:4.11.0")\n}\n',
        'dependencies {\n    implementation("com.squareup.okhttp3:okhttp:4.12.0")\n}\n',
        'dependencies {\n    implementation("com.squareup.okhttp3:okhttp:4.11.0")\n    implementation("com.stripe:stripe-java:24.0.0")\n}\n',
        "com.stripe:stripe-java",
    ),
    (
        "composer.json",
        '{"require": {"php": "^8.2", "laravel/framework": "^10.0"}}',
        '{"require": {"php": "^8.3", "laravel/framework": "^11.0"}}',
        '{"require": {"php": "^8.2", "laravel/framework": "^10.0", "stripe/stripe-php": "^13"}}',
        "stripe/stripe-php",
    ),
]


@pytest.mark.parametrize(
    ("path", "old", "bumped", "grown", "name"),
    MANIFESTS,
    ids=[m[0] + ":" + m[4] for m in MANIFESTS],
)
def test_a_new_dependency_is_a_vendor_commitment_a_bump_or_removal_is_not(
    path: str, old: str, bumped: str, grown: str, name: str
) -> None:
    (text,) = _added_dependencies(path, old, grown)
    assert text.startswith(f"adds dependency {name} (")
    assert _added_dependencies(path, old, bumped) == []
    assert _added_dependencies(path, grown, old) == []  # a removal


def test_a_new_manifest_commits_to_every_dependency_in_it() -> None:
    texts = _added_dependencies("services/api/requirements.txt", None, "flask\nstripe\n")
    assert texts == [
        "adds dependency flask (dependencies)",
        "adds dependency stripe (dependencies)",
    ]


def test_a_manifest_that_does_not_parse_is_read_line_by_line() -> None:
    texts = _added_dependencies(
        "package.json", '{"dependencies": {}}', '{"dependencies": {\n"stripe": "^14"\n'
    )
    assert texts == ["adds dependency stripe (dependencies)"]


def test_without_the_texts_the_diff_lines_decide() -> None:
    bump = change("requirements.txt", ["django==5.0"], ["django==4.2"])
    new = change("requirements.txt", ["django==4.2", "stripe==7"], ["django==4.2"])
    assert "vendor" not in by_category(detect(bump))
    (evidence,) = by_category(detect(new))["vendor"].evidence
    assert (evidence.line, evidence.text) == (2, "adds dependency stripe (dependencies)")


def test_needs_content_only_for_manifests_that_can_have_new_dependencies() -> None:
    detector = RiskDetector(builtin_rules())
    assert detector.needs_content(change("package.json"))
    assert not detector.needs_content(change("package.json", status="deleted"))
    assert not detector.needs_content(change("src/app.py"))
    assert not detector.needs_content(change("tests/fixtures/package.json"))
    quiet = RiskDetector(
        builtin_rules(frozenset({"vendor.new-dependency", "architecture.framework"}))
    )
    assert not quiet.needs_content(change("package.json"))


GEMFILE = "source 'https://rubygems.org'\ngem 'rails'\n\ngroup :development do\n  gem 'web-console'\nend\n"
PYPROJECT = '[project]\nname = "shop"\ndependencies = ["django"]\n'

# (path, old, new, the runtime dependencies the change adds): development-only additions add
# none, the same addition at runtime is a commitment.
DEVELOPMENT_ONLY: list[tuple[str, str, str, list[str]]] = [
    (
        "package.json",
        json.dumps(PACKAGE_JSON),
        json.dumps({**PACKAGE_JSON, "devDependencies": {"eslint-plugin-jsx-a11y": "^6"}}),
        [],
    ),
    (  # moved from devDependencies into dependencies: it ships now
        "package.json",
        json.dumps({**PACKAGE_JSON, "devDependencies": {"stripe": "^14"}}),
        json.dumps({**PACKAGE_JSON, "dependencies": {"express": "^4.19.0", "stripe": "^14"}}),
        ["stripe"],
    ),
    ("requirements-dev.txt", "pytest\n", "pytest\npytest-xdist\n", []),
    ("requirements-test.in", "pytest\n", "pytest\nfactory-boy\n", []),
    ("dev-requirements.txt", "pytest\n", "pytest\nruff\n", []),
    ("requirements/local.txt", "-r base.txt\n", "-r base.txt\ndjango-debug-toolbar\n", []),
    ("requirements/production.txt", "-r base.txt\n", "-r base.txt\nsentry-sdk\n", ["sentry-sdk"]),
    (
        "Gemfile",
        GEMFILE,
        GEMFILE.replace("  gem 'web-console'\n", "  gem 'web-console'\n  gem 'rubocop-rails'\n"),
        [],
    ),
    (
        "Gemfile",
        GEMFILE,
        GEMFILE
        + "\ngroup :development, :test do\n  platforms :mri do\n    gem 'byebug'\n  end\nend\n",
        [],
    ),
    ("Gemfile", GEMFILE, GEMFILE + "gem 'pry', groups: [:development, :test]\n", []),
    ("Gemfile", GEMFILE, GEMFILE + "\ngroup :production do\n  gem 'lograge'\nend\n", ["lograge"]),
    ("Gemfile", GEMFILE, GEMFILE + "gem 'stripe'\n", ["stripe"]),
    (
        "pyproject.toml",
        PYPROJECT,
        PYPROJECT + '\n[dependency-groups]\ndev = ["pytest"]\nlint = ["ruff"]\ntyping = ["mypy"]\n',
        [],
    ),
    (
        "pyproject.toml",
        PYPROJECT,
        PYPROJECT + '\n[project.optional-dependencies]\ntests = ["pytest"]\ndocs = ["sphinx"]\n',
        [],
    ),
    (
        "pyproject.toml",
        PYPROJECT,
        PYPROJECT + '\n[project.optional-dependencies]\npostgres = ["psycopg"]\n',
        ["psycopg"],
    ),
    (
        "pyproject.toml",
        '[tool.poetry.dependencies]\ndjango = "^5"\n',
        '[tool.poetry.dependencies]\ndjango = "^5"\n\n[tool.poetry.group.dev.dependencies]\nblack = "^24"\n',
        [],
    ),
    (
        "Cargo.toml",
        '[package]\nname = "shop"\n\n[dependencies]\nserde = "1"\n',
        '[package]\nname = "shop"\n\n[dependencies]\nserde = "1"\n\n[dev-dependencies]\nproptest = "1"\n',
        [],
    ),
    (
        "build.gradle.kts",
        'dependencies {\n    implementation("a:b:1")\n}\n',
        'dependencies {\n    implementation("a:b:1")\n    testImplementation("org.junit.jupiter:junit-jupiter:5.10.0")\n}\n',
        [],
    ),
    (
        "build.gradle.kts",
        'dependencies {\n    implementation("a:b:1")\n}\n',
        'dependencies {\n    implementation("a:b:1")\n    implementation("com.stripe:stripe-java:24.0.0")\n}\n',
        ["com.stripe:stripe-java"],
    ),
    (
        "pom.xml",
        "<project><dependencies></dependencies></project>",
        (
            "<project><dependencies><dependency><groupId>org.mockito</groupId>"
            "<artifactId>mockito-core</artifactId><scope>test</scope></dependency>"
            "</dependencies></project>"
        ),
        [],
    ),
    (
        "composer.json",
        '{"require": {"php": "^8.2"}}',
        '{"require": {"php": "^8.2"}, "require-dev": {"phpunit/phpunit": "^11"}}',
        [],
    ),
    (
        "Pipfile",
        "[packages]\ndjango = '*'\n",
        "[packages]\ndjango = '*'\n\n[dev-packages]\npytest = '*'\n",
        [],
    ),
]


@pytest.mark.parametrize(
    ("path", "old", "new", "names"),
    DEVELOPMENT_ONLY,
    ids=[f"{row[0]}:{','.join(row[3]) or 'dev-only'}" for row in DEVELOPMENT_ONLY],
)
def test_a_development_only_dependency_is_no_vendor_commitment(
    path: str, old: str, new: str, names: list[str]
) -> None:
    texts = _added_dependencies(path, old, new)
    assert [text.split(" ")[2] for text in texts] == names


def test_a_gemfile_group_in_the_added_lines_alone_is_read_too() -> None:
    lines = ["group :development, :test do", "  gem 'rspec-rails'", "end", "gem 'sidekiq'"]
    found = by_category(detect(change("Gemfile", lines)))
    assert [e.text for e in found["vendor"].evidence] == ["adds dependency sidekiq (dependencies)"]


def test_a_new_helm_chart_dependency_is_vendor_its_version_bump_is_not() -> None:
    chart = "apiVersion: v2\nname: api\nversion: 1.0.0\n"
    grown = chart + "dependencies:\n- name: redis\n  version: 18.19.2\n"  # a list at column 0
    (text,) = _added_dependencies("charts/api/Chart.yaml", chart, grown)
    assert text == "adds dependency redis (dependencies)"
    bumped = grown.replace("18.19.2", "18.20.0")
    assert _added_dependencies("charts/api/Chart.yaml", grown, bumped) == []


@pytest.mark.parametrize(
    ("path", "old", "new", "text"),
    [
        (
            "requirements.txt",
            "flask==3.0\n",
            "fastapi==0.110\n",
            "adds web framework fastapi, replacing flask",
        ),
        (
            "package.json",
            '{"dependencies": {"express": "4"}}',
            '{"dependencies": {"fastify": "4"}}',
            "adds web framework fastify, replacing express",
        ),
        (
            "package.json",
            '{"dependencies": {}}',
            '{"dependencies": {"react": "18"}}',
            "adds UI framework react",
        ),
        (
            "go.mod",
            "module a\n",
            "module a\nrequire github.com/labstack/echo/v4 v4.11.0\n",
            "adds web framework github.com/labstack/echo/v4",
        ),
    ],
)
def test_a_framework_added_or_replaced_is_architecture(
    path: str, old: str, new: str, text: str
) -> None:
    detector = RiskDetector(builtin_rules())
    detector.add(change(path), old_text=old, new_text=new)
    found = by_category(detector.detections())
    assert [e.text for e in found["architecture"].evidence] == [text]


def test_a_framework_version_bump_is_not_architecture() -> None:
    detector = RiskDetector(builtin_rules())
    detector.add(change("requirements.txt"), old_text="django==4.2\n", new_text="django==5.0\n")
    assert detector.detections() == ()


# ---------------------------------------------------------------- new directories

BEFORE = frozenset({"src", "src/shop", "docs", "services", "services/api"})


@pytest.mark.parametrize(
    ("path", "status", "expected"),
    [
        ("billing/main.go", "added", "adds a new top-level directory billing/"),
        ("services/payments/app.py", "added", "adds a new service or package services/payments/"),
        ("cmd/worker/main.go", "added", "adds a new service or package cmd/worker/"),
        ("src/newpkg/__init__.py", "added", None),  # inside an existing folder
        ("services/api/new.py", "added", None),
        ("examples/demo.py", "added", None),  # not a service
        (".github/workflows/ci.yml", "added", None),
        ("README.md", "added", None),
        ("billing/main.go", "modified", None),
    ],
)
def test_a_new_top_level_directory_or_service_is_architecture(
    path: str, status: str, expected: str | None
) -> None:
    found = by_category(detect(change(path, ["x"], status=status), directories_before=BEFORE))
    texts = [e.text for e in found["architecture"].evidence] if "architecture" in found else []
    assert texts == ([expected] if expected else [])


def test_a_new_directory_is_reported_once_and_not_at_all_when_the_base_is_unknown() -> None:
    files = [change(f"billing/f{n}.go", ["x"], status="added") for n in range(3)]
    (architecture,) = detect(*files, directories_before=BEFORE)
    assert architecture.count == 1
    assert detect(*files) == ()


# ---------------------------------------------------------------- properties

_PATHS = st.sampled_from(
    [
        "Dockerfile", "db/migrate/1_a.rb", "templates/a.html", "src/App.tsx", "package.json",
        "requirements.txt", "go.mod", "pyproject.toml", "Cargo.toml", "pom.xml", "build.gradle",
        "docs/adr/1.md", "src/auth/x.py", "a.sql", ".env", "k8s/a.yaml", "x/y/z.vue", "a.haml",
        "legal/terms.md", "Gemfile", "composer.json", "Pipfile", "a.gemspec",
        "messages/en.json", "config/locales/en.yml", "a.po", "messages_fr.properties",
        ".github/workflows/ci.yml", ".gitlab-ci.yml", "charts/a/Chart.yaml",
        "charts/a/templates/_helpers.tpl", "variables.tf", "accounts/views.py",
    ]
) | st.text(st.characters(codec="utf-8"), max_size=30)  # fmt: skip
_TEXT = st.text(st.characters(codec="utf-8"), max_size=60) | st.sampled_from(
    ["<p>", "-->", "<!--", "{%", "%}", "<script>", "kind: Deployment", "CREATE TABLE x", '"a": "1"',
     "gem 'x'", "[dependencies]", "require (", "import stripe", AWS_KEY, "{", "}", "{{/*",
     "*/}}", "{{- /*", "*/ -}}", 'variable "db_password" {', 'default = "abcdefghij"',
     "dependencies:", "  - name: redis", "group :test do", "end", "<<EOT", "EOT", "/*", "*/",
     'msgstr "x"', "a: 'b'", "run: kubectl apply", "environment:", "login_attempts",
     "throttle("]
)  # fmt: skip
_LINES = st.lists(st.tuples(st.integers(min_value=-3, max_value=10**6), _TEXT), max_size=8)
_CHANGES = st.builds(
    FileChange,
    status=st.sampled_from(["added", "modified", "deleted", "renamed", "copied", "type-changed"]),
    path=_PATHS,
    old_path=st.none() | _PATHS,
    binary=st.booleans(),
    added=_LINES.map(tuple),
    removed=_LINES.map(tuple),
)
_MANIFEST_TEXT = st.none() | _TEXT | st.lists(_TEXT, max_size=6).map("\n".join)


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(_CHANGES, _MANIFEST_TEXT, _MANIFEST_TEXT), max_size=5),
    st.none() | st.frozensets(_PATHS, max_size=3),
)
def test_the_detector_never_raises(
    files: list[tuple[FileChange, str | None, str | None]], before: frozenset[str] | None
) -> None:
    detector = RiskDetector(builtin_rules(), directories_before=before, evidence_cap=3)
    for file_change, old, new in files:
        if detector.needs_content(file_change):
            detector.add(file_change, old_text=old, new_text=new)
        else:
            detector.add(file_change)
    for detection in detector.detections():
        assert detection.category in CATEGORIES
        assert len(detection.evidence) == min(detection.count, 3)
        assert all(len(evidence.text) <= 200 for evidence in detection.evidence)


_EXTRA_RULES = st.builds(
    RiskRule,
    id=st.just("extra"),
    category=st.sampled_from(CATEGORIES),
    description=st.just("an extra rule"),
    paths=st.lists(
        st.sampled_from(["**", "src/**", "*.py", "!src/**", "Dockerfile", "**/*.html"]), max_size=3
    ).map(tuple),
    added_lines=st.lists(st.sampled_from(["x", "^", "kind", r"\w+", "TABLE", "$"]), max_size=2).map(
        tuple
    ),
    removed_lines=st.lists(st.sampled_from(["x", "import"]), max_size=1).map(tuple),
    exclude=st.lists(st.sampled_from(["**/tests/**", "*.md", "src/**"]), max_size=2).map(tuple),
    skip_comments=st.booleans(),
)


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_CHANGES, max_size=5), _EXTRA_RULES)
def test_adding_a_rule_never_removes_a_detection(files: list[FileChange], extra: RiskRule) -> None:
    before = {d.category: d.count for d in detect(*files, directories_before=frozenset({"src"}))}
    after = {
        d.category: d.count
        for d in detect(
            *files, rules=(*builtin_rules(), extra), directories_before=frozenset({"src"})
        )
    }
    for category, count in before.items():
        assert after.get(category, 0) >= count


def test_every_sensitive_path_word_contains_a_stem_of_the_quick_test() -> None:
    from signoff.core.risk.detectors import _SENSITIVE_STEMS, _SENSITIVE_WORDS

    assert [w for w in _SENSITIVE_WORDS if not any(s in w for s in _SENSITIVE_STEMS)] == []


@pytest.mark.parametrize(
    ("lines", "copy_lines"),
    [
        (["<script>", "  const greeting = 'Hello there';", "</script>", "<p>Hello there</p>"], [4]),
        (["<!--", "  Old banner: Free shipping", "-->", "<p>New banner</p>"], [4]),
        (["<style>", "  .title { color: red }", "</style>"], []),
        (["{% comment %}", "Draft text here", "{% endcomment %}"], []),
        (["<button", '  class="btn"', "  disabled>", "  Pay now", "</button>"], [4]),
        (["{% if user %}", "  {{ user.name }}", "{% endif %}"], []),
    ],
)
def test_template_text_state_runs_along_the_lines_of_a_hunk(
    lines: list[str], copy_lines: list[int]
) -> None:
    found = by_category(detect(change("templates/page.html", lines)))
    got = [e.line for e in found["copy"].evidence] if "copy" in found else []
    assert got == copy_lines


def test_removed_copy_is_changed_copy() -> None:
    found = by_category(detect(change("templates/page.html", [], ["<p>Free returns</p>"], start=7)))
    (evidence,) = found["copy"].evidence
    assert (evidence.line, evidence.text) == (7, "<p>Free returns</p>")


# ---------------------------------------------------------------- rules that read whole files


def _evidence(
    file_change: FileChange, old: str | None = None, new: str | None = None
) -> list[Evidence]:
    detector = RiskDetector(builtin_rules())
    detector.add(file_change, old_text=old, new_text=new)
    return [e for detection in detector.detections() for e in detection.evidence]


@pytest.mark.parametrize(
    "path",
    [
        "charts/api/values.yaml",
        "charts/api/Chart.yaml",
        "infra/main.tf",
        "envs/prod.tfvars",
        ".github/workflows/ci.yml",
        ".gitlab-ci.yml",
        "Jenkinsfile",
    ],
)
def test_files_judged_on_their_whole_text_ask_for_it(path: str) -> None:
    assert RiskDetector(builtin_rules()).needs_content(change(path, ["x"]))


@pytest.mark.parametrize("path", ["src/app.py", "src/App.tsx", "config/locales/en.yml"])
def test_ordinary_files_do_not_ask_for_their_text(path: str) -> None:
    assert not RiskDetector(builtin_rules()).needs_content(change(path, ["x"]))


@pytest.mark.parametrize(
    ("path", "rule", "text"),
    [
        ("charts/api/values.yaml", "deploy.helm", "changes a Helm chart"),
        ("infra/main.tf", "deploy.terraform", "changes a Terraform configuration"),
    ],
)
def test_a_deploy_file_read_whole_reads_as_before(path: str, rule: str, text: str) -> None:
    found = _evidence(change(path, ["replicas = 3"], start=4), "replicas = 2\n", "replicas = 3\n")
    assert [(e.rule, e.line, e.text) for e in found] == [(rule, 4, text)]


def test_a_change_to_a_deploy_workflow_names_the_step_that_deploys() -> None:
    new = (
        "on: push\njobs:\n  ship:\n    steps:\n      - run: make\n      - run: helm upgrade api .\n"
    )
    old = new.replace("make", "make all")
    found = _evidence(change(".github/workflows/ci.yml", ["      - run: make"], start=5), old, new)
    assert [(e.rule, e.line, e.text) for e in found] == [
        (
            "deploy.ci-step",
            5,
            "changes a CI workflow that deploys (line 6: - run: helm upgrade api .)",
        )
    ]


def test_an_added_deploy_step_is_its_own_evidence() -> None:
    lines = ["      - run: npm test", "      - run: kubectl apply -f k8s/"]
    found = _evidence(change(".github/workflows/ci.yml", lines, start=10))
    assert [(e.line, e.text) for e in found] == [(11, "- run: kubectl apply -f k8s/")]


def test_a_terraform_secret_default_is_redacted_in_the_evidence() -> None:
    secret = "Sh0p-Prod-" + "2024!xQ9"
    lines = ['variable "db_password" {', f'  default = "{secret}"', "}"]
    found = [
        e for e in _evidence(change("variables.tf", lines, status="added")) if "secret" in e.rule
    ]
    assert [(e.rule, e.line) for e in found] == [("security.terraform-secret-default", 2)]
    assert secret not in found[0].text
    assert found[0].text == 'variable "db_password" default = "Sh0p…[redacted]"'


def test_a_terraform_password_literal_is_redacted_in_the_evidence() -> None:
    secret = "Sh0p-Prod-" + "2024!xQ9"
    found = _evidence(change("rds.tf", [f'  password = "{secret}"']))
    texts = [e.text for e in found if e.rule == "security.secret-assignment"]
    assert texts == ['password = "Sh0p…[redacted]"']


def test_a_catalog_change_points_at_the_first_new_text() -> None:
    removed = ['  pay_button: "Pay now"', '  title: "Cart"']
    added = ['  checkout_button: "Pay now"', '  title: "Your cart"']
    found = _evidence(change("config/locales/en.yml", added, removed, start=7))
    assert [(e.rule, e.line, e.text) for e in found] == [
        ("copy.locale-catalog", 8, 'title: "Your cart"')
    ]


def test_a_binary_catalog_is_copy_as_a_whole() -> None:
    found = _evidence(change("locale/fr/LC_MESSAGES/django.mo", binary=True))
    assert [(e.rule, e.line, e.text) for e in found] == [
        ("copy.locale-catalog", None, "changes a translation catalog")
    ]


def test_a_secret_in_a_copy_line_is_masked() -> None:
    found = _evidence(change("templates/page.html", [f"<p>Use key {AWS_KEY} to sign in</p>"]))
    copy = [e.text for e in found if e.rule == "copy.templates"]
    assert copy == ["<p>Use key AKIA…[redacted] to sign in</p>"]


def test_one_sql_line_matching_two_ddl_forms_is_one_piece_of_evidence() -> None:
    found = _evidence(change("db/init.sql", ["ALTER TABLE users ADD COLUMN email text;"]))
    assert [(e.rule, e.line) for e in found] == [("schema.sql-ddl", 1)]


# ---------------------------------------------------------------- properties of the readers

_KEYS = st.from_regex(r"[a-z][a-z_]{0,11}", fullmatch=True)
_VALUES = st.from_regex(r"[A-Z][a-z]{1,8}( [a-z]{1,8}){0,3}", fullmatch=True)
_CATALOGS: dict[str, Callable[[str, str], str]] = {
    "config/locales/en.yml": lambda key, value: f'    {key}: "{value}"',
    "messages/en.json": lambda key, value: f'  "{key}": "{value}",',
    "src/main/resources/messages_en.properties": lambda key, value: f"{key}={value}",
}


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(sorted(_CATALOGS)),
    st.lists(st.tuples(_KEYS, _KEYS, _VALUES), min_size=1, max_size=5),
    st.randoms(use_true_random=False),
)
def test_renamed_or_moved_keys_are_never_copy_a_changed_text_always_is(
    path: str, entries: list[tuple[str, str, str]], rng: object
) -> None:
    line = _CATALOGS[path]
    removed = [line(old_key, value) for old_key, _, value in entries]
    added = [line(new_key, value) for _, new_key, value in entries]
    rng.shuffle(added)  # type: ignore[attr-defined]
    assert "copy" not in by_category(detect(change(path, added, removed)))
    changed = [*added[:-1], line("k", entries[-1][2] + " now")]
    assert "copy" in by_category(detect(change(path, changed, removed)))


_HCL = st.sampled_from(
    [
        'resource "aws_s3_bucket" "a" {', '  bucket = "shop-assets"', "}", 'variable "x" {',
        "  type = string", '  default = "eu west"', '  description = "The region."',
        "  tags = {", '    Name = "a  b"', "  }", 'output "id" {', "  value = aws_s3_bucket.a.id",
    ]
)  # fmt: skip
_NOISE = st.sampled_from(["", "# a comment", "// a comment", "/* a block */", "   "])


@settings(max_examples=60, deadline=None)
@given(st.lists(_HCL, max_size=12), st.lists(st.tuples(st.integers(0, 12), _NOISE), max_size=4))
def test_comments_blank_lines_and_alignment_never_change_what_terraform_plans(
    lines: list[str], noise: list[tuple[int, str]]
) -> None:
    from signoff.core.risk.detectors import _hcl_lines

    noisy = list(lines)
    for position, text in noise:
        noisy.insert(min(position, len(noisy)), text)
    aligned = [text.replace(" = ", "    =  ") for text in noisy]
    assert _hcl_lines("\n".join(aligned)) == _hcl_lines("\n".join(lines))


def test_a_changed_string_or_value_always_changes_what_terraform_plans() -> None:
    from signoff.core.risk.detectors import _hcl_lines

    base = 'resource "a" "b" {\n  name = "a  b"\n  count = 1\n}\n'
    assert _hcl_lines(base) != _hcl_lines(base.replace("a  b", "a b"))
    assert _hcl_lines(base) != _hcl_lines(base.replace("count = 1", "count = 2"))


_GEMS = st.from_regex(r"[a-z][a-z0-9_-]{1,14}", fullmatch=True)
_DEV_GROUPS = st.sampled_from(
    [":development", ":test", ":development, :test", "%i[development test]"]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_GEMS, min_size=1, max_size=4, unique=True), _GEMS, _DEV_GROUPS, st.booleans())
def test_a_gem_added_to_a_development_group_never_ships_one_added_outside_always_does(
    base: list[str], gem: str, groups: str, nested: bool
) -> None:
    old = "source 'https://rubygems.org'\n" + "".join(f"gem '{name}'\n" for name in base)
    line = f"    gem '{gem}'\n" if nested else f"  gem '{gem}'\n"
    body = f"  platforms :mri do\n{line}  end\n" if nested else line
    grouped = old + f"group {groups} do\n{body}end\n"
    assert _added_dependencies("Gemfile", old, grouped) == []
    shipped = old + f"gem '{gem}'\n"
    known = {normalise(name) for name in base}  # rack_test and rack-test are one gem
    expected = [] if normalise(gem) in known else [f"adds dependency {gem} (dependencies)"]
    assert _added_dependencies("Gemfile", old, shipped) == expected
