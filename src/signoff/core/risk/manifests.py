"""Dependency names in package manifests, to tell a new dependency from a version bump.

Each format has one reader, ``text -> {normalised name: Entry}``. With both versions of a
manifest the new dependencies are the names in the new one that the old one lacks, so a bump,
a reordering or a moved line adds nothing and a removal is not a commitment. Without the full
texts (the caller did not read the blobs) the same readers run over the added and removed lines
alone, which is good enough for the line-per-dependency formats.

A dependency used only to develop the product (``devDependencies``, a ``dev`` or ``test``
group, ``requirements-dev.txt``, Cargo's ``[dev-dependencies]``, Gradle's ``testImplementation``,
Maven's ``test`` scope, a Gemfile ``group :development, :test`` block) ships nothing, so it is
no vendor commitment: only *runtime* names count, and a name moved from a development section
into a runtime one is new.

:data:`FRAMEWORKS` names the web, UI and ORM frameworks of each ecosystem, for the rule that
sees a framework added or replaced.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from signoff.core.lazy_regex import lazy_compile

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping


@dataclass(frozen=True, slots=True)
class Entry:
    """One dependency as a manifest declares it."""

    written: str  # the name as written
    section: str  # where: "devDependencies", "[tool.poetry.group.dev]" ...
    development: bool = False  # only used to develop, test or document the product


Names = dict[str, Entry]

# Group, extra or file-name words that mean "only used while developing". A group whose name
# starts with one of these (``dev``, ``test-utils``, ``docs``) ships nothing.
DEVELOPMENT_WORDS = frozenset(
    {"dev", "devel", "develop", "development", "test", "tests", "testing", "lint", "linting",
     "docs", "doc", "typing", "types", "local", "ci"}
)  # fmt: skip

_PEP508 = lazy_compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_REQUIREMENT_LINE = lazy_compile(
    r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:[<>=!~;@]|$)"
)
_EGG = lazy_compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_QUOTED_REQUIREMENT = lazy_compile(
    r"""^\s*["']([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:[<>=!~;@"'])"""
)
_GO_REQUIRE = lazy_compile(r"^\s*(?:require\s+)?([A-Za-z0-9.\-_~]+\.[A-Za-z]+/\S+)\s+v\d\S*")
_GEM = lazy_compile(r"""^\s*gem\s+["']([^"']+)["']""")
_GEMSPEC = lazy_compile(r"""\.add_(runtime_|development_)?dependency\s*\(?\s*["']([^"']+)["']""")
_GEMFILE_GROUP = lazy_compile(r"^\s*group\s*\(?(.+?)\)?\s+do\b")
_GEM_GROUP_OPTION = lazy_compile(r"""\bgroups?:\s*(\[[^\]]*\]|%[iw]\[[^\]]*\]|:\w+|["']\w+["'])""")
_RUBY_GROUP_WORD = lazy_compile(r""":(\w+)|["'](\w+)["']|(?<=[\[\s])(\w+)(?=[\]\s])""")
_RUBY_END = lazy_compile(r"^\s*end\b")
# A line that opens a block closed by ``end``: ``... do``, ``do |x|``, or a statement ``if``.
_RUBY_BLOCK = lazy_compile(r"\bdo\s*(?:\|[^|]*\|)?\s*$|^\s*(?:if|unless|case|begin|while|until)\b")
# A version-like value: a script ("build": "tsc") is not a dependency.
_JSON_ENTRY = lazy_compile(
    r"""^\s*"(@?[^"\s]+)"\s*:\s*"(?:[~^<>=*]|\d|v\d|latest|next|workspace:|npm:|file:|link:"""
    r"""|git|github:|https?:|dev-|\*)"""
)
_TOML_ENTRY = lazy_compile(r"^\s*([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*=\s*(?:\"|'|\{)")
_MAVEN_DEPENDENCY = lazy_compile(r"<dependency>(.*?)</dependency>", re.DOTALL)
_MAVEN_GROUP = lazy_compile(r"<groupId>\s*([^<\s]+)\s*</groupId>")
_MAVEN_ARTIFACT = lazy_compile(r"<artifactId>\s*([^<\s]+)\s*</artifactId>")
_MAVEN_SCOPE = lazy_compile(r"<scope>\s*([^<\s]+)\s*</scope>")
_GRADLE_CONFIGURATIONS = (
    r"implementation|api|compileOnly|runtimeOnly|testImplementation|testRuntimeOnly"
    r"|testCompileOnly|androidTestImplementation|debugImplementation|kapt|ksp"
    r"|annotationProcessor|classpath|compile|testCompile|developmentOnly"
    r"|testFixturesImplementation|testFixturesApi"
)
_GRADLE_COORDINATE = lazy_compile(
    rf"""\b({_GRADLE_CONFIGURATIONS})\s*\(?\s*(?:platform\s*\(\s*)?["']([^"':\s]+):([^"':\s]+)"""
)
_GRADLE_CATALOG = lazy_compile(rf"\b({_GRADLE_CONFIGURATIONS})\s*\(?\s*(libs\.[\w.]+)")
_GRADLE_LINE_START = lazy_compile(r"^\s*(\w+)")
_HELM_NAME = lazy_compile(r"""^\s*(?:-\s+)?name:\s*["']?([\w.-]+)""")
_GRADLE_MAP = lazy_compile(r"""group\s*[:=]\s*["']([^"']+)["']\s*,\s*name\s*[:=]\s*["']([^"']+)""")

# Keys that sit next to dependencies in line-oriented reading but are not dependencies.
_NOT_PACKAGES = frozenset(
    {"name", "version", "description", "main", "module", "types", "typings", "license",
     "author", "type", "private", "homepage", "node", "npm", "yarn", "pnpm", "edition",
     "authors", "readme", "repository", "documentation", "keywords", "categories", "python",
     "requires-python", "build-backend", "rust-version", "workspace", "resolver", "php",
     "packageManager", "minimum-stability", "prefer-stable", "url", "verify_ssl"}
)  # fmt: skip


def normalise(name: str) -> str:
    """PEP 503 style: case and runs of ``-_.`` do not make a different package."""
    return re.sub(r"[-_.]+", "-", name).lower()


def development_name(name: str) -> bool:
    """Whether a group, extra or configuration name says development only (``dev``, ``tests``)."""
    return normalise(name).split("-", 1)[0] in DEVELOPMENT_WORDS


def development_file(path: str) -> bool:
    """Whether a requirements file is for development only by its name.

    ``requirements-dev.txt``, ``dev-requirements.txt``, ``requirements_test.in``,
    ``requirements/dev.txt``, ``requirements/local.txt``.
    """
    directory, _, name = path.rpartition("/")
    words = set(re.split(r"[-_.]+", name.lower()))
    if directory.rsplit("/", 1)[-1] == "requirements":
        return bool(words & DEVELOPMENT_WORDS)
    return "requirements" in words and bool(words & DEVELOPMENT_WORDS)


def _keyed(names: Names, key: str, entry: Entry) -> None:
    """Record a dependency; a runtime declaration wins over a development one."""
    known = names.get(key)
    if known is None or (known.development and not entry.development):
        names[key] = entry


def _add(names: Names, name: str, section: str, *, development: bool = False) -> None:
    if name and name not in _NOT_PACKAGES and not name.startswith(("ext-", "lib-")):
        _keyed(names, normalise(name), Entry(name, section, development))


def _requirements(lines: Iterable[str], section: str) -> Names:
    names: Names = {}
    for raw in lines:
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        egg = _EGG.search(line)
        if egg:
            _add(names, egg.group(1), section)
            continue
        if line.startswith("-"):
            continue
        match = _REQUIREMENT_LINE.match(line)
        if match:
            _add(names, match.group(1), section)
    return names


def _pep508_list(names: Names, entries: object, section: str, *, development: bool = False) -> None:
    if not isinstance(entries, list):
        return
    for entry in entries:
        if isinstance(entry, str):
            match = _PEP508.match(entry)
            if match:
                _add(names, match.group(1), section, development=development)


def _table_keys(names: Names, table: object, section: str, *, development: bool = False) -> None:
    if isinstance(table, dict):
        for key in table:
            _add(names, str(key), section, development=development)


def _get(data: Mapping[str, Any], *keys: str) -> Any:
    value: Any = data
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _pyproject(data: Mapping[str, Any]) -> Names:
    names: Names = {}
    _pep508_list(names, _get(data, "project", "dependencies"), "[project] dependencies")
    extras = _get(data, "project", "optional-dependencies")
    for extra, entries in (extras or {}).items() if isinstance(extras, dict) else ():
        _pep508_list(
            names,
            entries,
            f"[project.optional-dependencies] {extra}",
            development=development_name(str(extra)),
        )
    groups = data.get("dependency-groups")
    for group, entries in groups.items() if isinstance(groups, dict) else ():
        development = development_name(str(group))
        _pep508_list(names, entries, f"[dependency-groups] {group}", development=development)
    _pep508_list(names, _get(data, "build-system", "requires"), "[build-system] requires")
    _pep508_list(
        names,
        _get(data, "tool", "uv", "dev-dependencies"),
        "[tool.uv] dev-dependencies",
        development=True,
    )
    poetry = _get(data, "tool", "poetry")
    if isinstance(poetry, dict):
        _table_keys(names, poetry.get("dependencies"), "[tool.poetry.dependencies]")
        _table_keys(
            names,
            poetry.get("dev-dependencies"),
            "[tool.poetry.dev-dependencies]",
            development=True,
        )
        poetry_groups = poetry.get("group")
        for group, body in poetry_groups.items() if isinstance(poetry_groups, dict) else ():
            _table_keys(
                names,
                _get(body, "dependencies"),
                f"[tool.poetry.group.{group}]",
                development=development_name(str(group)),
            )
    return names


def _pipfile(data: Mapping[str, Any]) -> Names:
    names: Names = {}
    _table_keys(names, data.get("packages"), "[packages]")
    _table_keys(names, data.get("dev-packages"), "[dev-packages]", development=True)
    return names


def _cargo(data: Mapping[str, Any]) -> Names:
    names: Names = {}
    for section in ("dependencies", "dev-dependencies", "build-dependencies"):
        development = section == "dev-dependencies"
        _table_keys(names, data.get(section), f"[{section}]", development=development)
    _table_keys(names, _get(data, "workspace", "dependencies"), "[workspace.dependencies]")
    targets = data.get("target")
    for target, body in targets.items() if isinstance(targets, dict) else ():
        for section in ("dependencies", "dev-dependencies", "build-dependencies"):
            development = section == "dev-dependencies"
            _table_keys(
                names, _get(body, section), f"[target.{target}.{section}]", development=development
            )
    return names


def _package_json(data: Mapping[str, Any]) -> Names:
    names: Names = {}
    for section in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
        _table_keys(names, data.get(section), section, development=section == "devDependencies")
    return names


def _composer(data: Mapping[str, Any]) -> Names:
    names: Names = {}
    for section in ("require", "require-dev"):
        _table_keys(names, data.get(section), section, development=section == "require-dev")
    return names


def _go_mod(lines: Iterable[str], section: str) -> Names:
    names: Names = {}
    skipping = False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(("replace", "exclude", "retract")):
            skipping = stripped.endswith("(")
            continue
        if skipping:
            skipping = stripped != ")"
            continue
        if "// indirect" in line or "=>" in line:
            continue  # an indirect requirement follows from another; nobody chose it
        match = _GO_REQUIRE.match(line)
        if match:
            module = match.group(1)
            _keyed(names, module.lower(), Entry(module, section))
    return names


def _line_reader(pattern: re.Pattern[str]) -> Callable[[Iterable[str], str], Names]:
    def read(lines: Iterable[str], section: str) -> Names:
        names: Names = {}
        for line in lines:
            for match in pattern.finditer(line):
                _add(names, match.group(1), section)
        return names

    return read


def _gemspec(lines: Iterable[str], section: str) -> Names:
    names: Names = {}
    for line in lines:
        for match in _GEMSPEC.finditer(line):
            development = match.group(1) == "development_"
            _add(names, match.group(2), "development" if development else section,
                 development=development)  # fmt: skip
    return names


def _ruby_groups(text: str) -> frozenset[str]:
    """The group names in ``:development, :test``, ``%i[development test]`` or ``"test"``."""
    words = _RUBY_GROUP_WORD.findall(text)
    return frozenset(word for group in words for word in group if word) - {"optional"}


def _development_groups(groups: frozenset[str]) -> bool:
    return bool(groups) and all(development_name(group) for group in groups)


def _gemfile(lines: Iterable[str], section: str) -> Names:
    """Gems, each marked development when every group it belongs to is a development one.

    Blocks nest (``group :test do`` inside ``platforms :mri do``; ``if`` ... ``end``), so a
    stack follows them; a gem's groups are those of the innermost ``group`` block, or its own
    ``group:``/``groups:`` option.
    """
    names: Names = {}
    stack: list[frozenset[str] | None] = []
    for raw in lines:
        line = raw.split("#", 1)[0] if "#{" not in raw else raw
        if _RUBY_END.match(line):
            if stack:
                stack.pop()
            continue
        group = _GEMFILE_GROUP.match(line)
        if group is not None:
            stack.append(_ruby_groups(group.group(1)))
            continue
        gem = _GEM.match(line)
        if gem is not None:
            inline = _GEM_GROUP_OPTION.search(line)
            enclosing = next((groups for groups in reversed(stack) if groups is not None), None)
            groups = _ruby_groups(inline.group(1)) if inline else enclosing or frozenset()
            development = _development_groups(groups)
            label = f"group {', '.join(sorted(groups))}" if groups else section
            _add(names, gem.group(1), label, development=development)
            continue
        if _RUBY_BLOCK.search(line):
            stack.append(None)  # platforms, source, git, if ... : not a group of its own
    return names


def _pom(text: str) -> Names:
    names: Names = {}
    for block in _MAVEN_DEPENDENCY.finditer(text):
        body = block.group(1)
        group = _MAVEN_GROUP.search(body)
        artifact = _MAVEN_ARTIFACT.search(body)
        if artifact:
            coordinate = f"{group.group(1)}:{artifact.group(1)}" if group else artifact.group(1)
            scope = _MAVEN_SCOPE.search(body)
            development = scope is not None and scope.group(1) == "test"
            section = "test scope" if development else "dependencies"
            _keyed(names, coordinate.lower(), Entry(coordinate, section, development))
    return names


def _gradle_development(configuration: str) -> bool:
    """``testImplementation``, ``androidTestImplementation``, ``developmentOnly`` ..."""
    return configuration.startswith(("test", "androidTest")) or configuration in (
        "developmentOnly",
        "debugImplementation",
    )


def _gradle(lines: Iterable[str], section: str) -> Names:
    names: Names = {}
    for line in lines:
        found = [
            (m.group(1), f"{m.group(2)}:{m.group(3)}") for m in _GRADLE_COORDINATE.finditer(line)
        ]
        found += [(m.group(1), m.group(2)) for m in _GRADLE_CATALOG.finditer(line)]
        configuration = _GRADLE_LINE_START.match(line)
        for match in _GRADLE_MAP.finditer(line):
            found.append((configuration.group(1) if configuration else section,
                          f"{match.group(1)}:{match.group(2)}"))  # fmt: skip
        for used_by, coordinate in found:
            development = _gradle_development(used_by)
            entry = Entry(coordinate, used_by if development else section, development)
            _keyed(names, coordinate.lower(), entry)
    return names


def _helm_chart(lines: Iterable[str], section: str) -> Names:
    """The charts listed under a Chart.yaml's top-level ``dependencies:``.

    Only that block counts: ``name:`` also names the chart itself and its maintainers.
    """
    names: Names = {}
    inside = False
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace() and not line.startswith("-"):
            inside = line.split("#", 1)[0].strip() == "dependencies:"
            continue
        match = _HELM_NAME.match(line) if inside else None
        if match is not None:
            _add(names, match.group(1), section)
    return names


@dataclass(frozen=True, slots=True)
class _Format:
    """How to read one manifest format: whole text (structured) and loose lines."""

    ecosystem: str
    lines: Callable[[Iterable[str], str], Names]
    whole: Callable[[str], Names] | None = None


def _structured(
    loader: Callable[[str], Any], reader: Callable[[Mapping[str, Any]], Names]
) -> Callable[[str], Names]:
    def read(text: str) -> Names:
        data = loader(text)
        return reader(data) if isinstance(data, dict) else {}

    return read


def _pom_lines(lines: Iterable[str], section: str) -> Names:
    """Whole ``<dependency>`` blocks among the lines (with their scope), else artifact ids."""
    lines = list(lines)
    names = _pom("\n".join(lines))
    if names:
        return names
    for line in lines:
        match = _MAVEN_ARTIFACT.search(line)
        if match:
            _keyed(names, match.group(1).lower(), Entry(match.group(1), section))
    return names


_FORMATS: dict[str, _Format] = {
    "requirements": _Format("python", _requirements),
    "pyproject.toml": _Format(
        "python", _line_reader(_QUOTED_REQUIREMENT), _structured(tomllib.loads, _pyproject)
    ),
    "Pipfile": _Format("python", _line_reader(_TOML_ENTRY), _structured(tomllib.loads, _pipfile)),
    "package.json": _Format(
        "javascript", _line_reader(_JSON_ENTRY), _structured(json.loads, _package_json)
    ),
    "composer.json": _Format("php", _line_reader(_JSON_ENTRY), _structured(json.loads, _composer)),
    "go.mod": _Format("go", _go_mod),
    "Cargo.toml": _Format("rust", _line_reader(_TOML_ENTRY), _structured(tomllib.loads, _cargo)),
    "Gemfile": _Format("ruby", _gemfile),
    "gemspec": _Format("ruby", _gemspec),
    "pom.xml": _Format("java", _pom_lines),
    "build.gradle": _Format("java", _gradle),
    "Chart.yaml": _Format("helm", _helm_chart),
}


def manifest_format(path: str) -> str | None:
    """The manifest format of a path by its name, or None when it is no manifest."""
    directory, _, name = path.rpartition("/")
    if name.endswith((".txt", ".in")) and (
        name.startswith("requirements")
        or name.endswith(("-requirements.txt", "_requirements.txt"))
        or directory.rsplit("/", 1)[-1] == "requirements"
    ):
        return "requirements"
    if name.endswith(".gemspec"):
        return "gemspec"
    if name in ("build.gradle", "build.gradle.kts"):
        return "build.gradle"
    return name if name in _FORMATS else None


def ecosystem(kind: str) -> str:
    return _FORMATS[kind].ecosystem


def read_names(kind: str, text: str) -> Names:
    """Every dependency a whole manifest declares; a file that does not parse is read by line."""
    reader = _FORMATS[kind]
    if reader.whole is not None:
        try:
            return reader.whole(text)
        except (ValueError, tomllib.TOMLDecodeError, RecursionError):
            pass  # mid-edit or hand-broken: fall back to reading it line by line
    return read_lines(kind, text.splitlines(), "dependencies")


def read_lines(kind: str, lines: Iterable[str], section: str) -> Names:
    """Dependencies named on these lines alone (the diff's added or removed lines)."""
    return _FORMATS[kind].lines(lines, section)


# Known web, UI and ORM frameworks by ecosystem: normalised name -> kind.
FRAMEWORKS: dict[str, dict[str, str]] = {
    "python": dict.fromkeys(
        ("flask", "fastapi", "django", "starlette", "tornado", "aiohttp", "sanic", "falcon",
         "pyramid", "bottle", "litestar", "quart", "cherrypy", "masonite"), "web framework",
    ) | dict.fromkeys(
        ("sqlalchemy", "peewee", "tortoise-orm", "sqlmodel", "pony", "mongoengine", "beanie",
         "piccolo", "odmantic"), "ORM",
    ),
    "javascript": dict.fromkeys(
        ("express", "koa", "fastify", "@nestjs/core", "next", "nuxt", "@hapi/hapi", "hapi",
         "@sveltejs/kit", "@remix-run/node", "astro", "hono", "sails", "@adonisjs/core"),
        "web framework",
    ) | dict.fromkeys(
        ("react", "vue", "svelte", "@angular/core", "solid-js", "preact", "ember-source"),
        "UI framework",
    ) | dict.fromkeys(
        ("sequelize", "typeorm", "prisma", "@prisma/client", "mongoose", "knex", "drizzle-orm",
         "objection", "@mikro-orm/core", "bookshelf"), "ORM",
    ),
    "go": dict.fromkeys(
        ("github.com/gin-gonic/gin", "github.com/labstack/echo", "github.com/gofiber/fiber",
         "github.com/go-chi/chi", "github.com/gorilla/mux", "github.com/beego/beego",
         "github.com/revel/revel"), "web framework",
    ) | dict.fromkeys(
        ("gorm.io/gorm", "entgo.io/ent", "github.com/uptrace/bun", "github.com/go-pg/pg",
         "github.com/volatiletech/sqlboiler"), "ORM",
    ),
    "ruby": dict.fromkeys(("rails", "sinatra", "hanami", "grape", "roda", "padrino"),
                          "web framework")
    | dict.fromkeys(("activerecord", "sequel", "mongoid"), "ORM"),
    "rust": dict.fromkeys(("actix-web", "axum", "rocket", "warp", "tide", "poem"),
                          "web framework")
    | dict.fromkeys(("diesel", "sea-orm", "sqlx"), "ORM"),
    "java": dict.fromkeys(
        ("spring-boot-starter-web", "spring-boot-starter-webflux", "quarkus-resteasy",
         "quarkus-rest", "micronaut-http-server-netty", "javalin", "spark-core",
         "dropwizard-core", "vertx-web"), "web framework",
    ) | dict.fromkeys(
        ("hibernate-core", "jooq", "mybatis", "spring-boot-starter-data-jpa"), "ORM",
    ),
    "php": dict.fromkeys(("laravel/framework", "symfony/framework-bundle", "slim/slim",
                          "cakephp/cakephp", "laminas/laminas-mvc"), "web framework")
    | {"doctrine/orm": "ORM"},
}  # fmt: skip


def _framework_key(name: str) -> str:
    """A dependency name reduced to what the framework table lists."""
    key = normalise(name) if "/" not in name and ":" not in name else name.lower()
    key = re.sub(r"/v\d+$", "", key)  # Go major versions: echo/v4 is echo
    return key.rsplit(":", 1)[-1]  # Maven/Gradle: the artifact id


def framework_kind(ecosystem_name: str, name: str) -> str | None:
    """``web framework``, ``UI framework`` or ``ORM`` for a known framework's name, else None."""
    return FRAMEWORKS.get(ecosystem_name, {}).get(_framework_key(name))


@dataclass(frozen=True, slots=True)
class DependencyChange:
    """What one manifest change does to its runtime dependencies."""

    kind: str
    added: tuple[tuple[str, str], ...]  # (name as written, section), in file order
    removed: tuple[str, ...]  # normalised names


def compare(kind: str, old: Names, new: Names) -> DependencyChange:
    """Runtime names the new side has and the old lacks (a name moved out of a development
    section counts), and runtime names the old side had that the new one lacks."""
    runtime_old = {key for key, entry in old.items() if not entry.development}
    runtime_new = {key for key, entry in new.items() if not entry.development}
    added = tuple(
        (new[key].written, new[key].section) for key in new if key in runtime_new - runtime_old
    )
    removed = tuple(key for key in old if key in runtime_old - runtime_new)
    return DependencyChange(kind, added, removed)
