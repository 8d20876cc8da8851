"""Dependency names in package manifests, to tell a new dependency from a version bump.

Each format has one reader, ``text -> {normalised name: (name as written, section)}``. With both
versions of a manifest the new dependencies are the names in the new one that the old one
lacks, so a bump, a reordering or a moved line adds nothing and a removal is not a commitment.
Without the full texts (the caller did not read the blobs) the same readers run over the added
and removed lines alone, which is good enough for the line-per-dependency formats.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

Names = dict[str, tuple[str, str]]

_PEP508 = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_REQUIREMENT_LINE = re.compile(
    r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:[<>=!~;@]|$)"
)
_EGG = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_QUOTED_REQUIREMENT = re.compile(
    r"""^\s*["']([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:[<>=!~;@"'])"""
)
_GO_REQUIRE = re.compile(r"^\s*(?:require\s+)?([A-Za-z0-9.\-_~]+\.[A-Za-z]+/\S+)\s+v\d\S*")
_GEM = re.compile(r"""^\s*gem\s+["']([^"']+)["']""")
_GEMSPEC = re.compile(r"""\.add_(?:runtime_|development_)?dependency\s*\(?\s*["']([^"']+)["']""")
# A version-like value: a script ("build": "tsc") is not a dependency.
_JSON_ENTRY = re.compile(
    r"""^\s*"(@?[^"\s]+)"\s*:\s*"(?:[~^<>=*]|\d|v\d|latest|next|workspace:|npm:|file:|link:"""
    r"""|git|github:|https?:|dev-|\*)"""
)
_TOML_ENTRY = re.compile(r"^\s*([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*=\s*(?:\"|'|\{)")
_MAVEN_DEPENDENCY = re.compile(r"<dependency>(.*?)</dependency>", re.DOTALL)
_MAVEN_GROUP = re.compile(r"<groupId>\s*([^<\s]+)\s*</groupId>")
_MAVEN_ARTIFACT = re.compile(r"<artifactId>\s*([^<\s]+)\s*</artifactId>")
_GRADLE_CONFIGURATIONS = (
    r"implementation|api|compileOnly|runtimeOnly|testImplementation|testRuntimeOnly"
    r"|testCompileOnly|androidTestImplementation|debugImplementation|kapt|ksp"
    r"|annotationProcessor|classpath|compile|testCompile|developmentOnly"
)
_GRADLE_COORDINATE = re.compile(
    rf"""\b(?:{_GRADLE_CONFIGURATIONS})\s*\(?\s*(?:platform\s*\(\s*)?["']([^"':\s]+):([^"':\s]+)"""
)
_GRADLE_CATALOG = re.compile(rf"\b(?:{_GRADLE_CONFIGURATIONS})\s*\(?\s*(libs\.[\w.]+)")
_GRADLE_MAP = re.compile(r"""group\s*[:=]\s*["']([^"']+)["']\s*,\s*name\s*[:=]\s*["']([^"']+)""")

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


def _add(names: Names, name: str, section: str) -> None:
    if name and name not in _NOT_PACKAGES and not name.startswith(("ext-", "lib-")):
        names.setdefault(normalise(name), (name, section))


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


def _pep508_list(names: Names, entries: object, section: str) -> None:
    if not isinstance(entries, list):
        return
    for entry in entries:
        if isinstance(entry, str):
            match = _PEP508.match(entry)
            if match:
                _add(names, match.group(1), section)


def _table_keys(names: Names, table: object, section: str) -> None:
    if isinstance(table, dict):
        for key in table:
            _add(names, str(key), section)


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
        _pep508_list(names, entries, f"[project.optional-dependencies] {extra}")
    groups = data.get("dependency-groups")
    for group, entries in groups.items() if isinstance(groups, dict) else ():
        _pep508_list(names, entries, f"[dependency-groups] {group}")
    _pep508_list(names, _get(data, "build-system", "requires"), "[build-system] requires")
    _pep508_list(names, _get(data, "tool", "uv", "dev-dependencies"), "[tool.uv] dev-dependencies")
    poetry = _get(data, "tool", "poetry")
    if isinstance(poetry, dict):
        _table_keys(names, poetry.get("dependencies"), "[tool.poetry.dependencies]")
        _table_keys(names, poetry.get("dev-dependencies"), "[tool.poetry.dev-dependencies]")
        poetry_groups = poetry.get("group")
        for group, body in poetry_groups.items() if isinstance(poetry_groups, dict) else ():
            _table_keys(names, _get(body, "dependencies"), f"[tool.poetry.group.{group}]")
    return names


def _pipfile(data: Mapping[str, Any]) -> Names:
    names: Names = {}
    _table_keys(names, data.get("packages"), "[packages]")
    _table_keys(names, data.get("dev-packages"), "[dev-packages]")
    return names


def _cargo(data: Mapping[str, Any]) -> Names:
    names: Names = {}
    for section in ("dependencies", "dev-dependencies", "build-dependencies"):
        _table_keys(names, data.get(section), f"[{section}]")
    _table_keys(names, _get(data, "workspace", "dependencies"), "[workspace.dependencies]")
    targets = data.get("target")
    for target, body in targets.items() if isinstance(targets, dict) else ():
        for section in ("dependencies", "dev-dependencies", "build-dependencies"):
            _table_keys(names, _get(body, section), f"[target.{target}.{section}]")
    return names


def _package_json(data: Mapping[str, Any]) -> Names:
    names: Names = {}
    for section in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
        _table_keys(names, data.get(section), section)
    return names


def _composer(data: Mapping[str, Any]) -> Names:
    names: Names = {}
    for section in ("require", "require-dev"):
        _table_keys(names, data.get(section), section)
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
            names.setdefault(module.lower(), (module, section))
    return names


def _line_reader(pattern: re.Pattern[str]) -> Callable[[Iterable[str], str], Names]:
    def read(lines: Iterable[str], section: str) -> Names:
        names: Names = {}
        for line in lines:
            for match in pattern.finditer(line):
                _add(names, match.group(1), section)
        return names

    return read


def _pom(text: str) -> Names:
    names: Names = {}
    for block in _MAVEN_DEPENDENCY.finditer(text):
        group = _MAVEN_GROUP.search(block.group(1))
        artifact = _MAVEN_ARTIFACT.search(block.group(1))
        if artifact:
            coordinate = f"{group.group(1)}:{artifact.group(1)}" if group else artifact.group(1)
            names.setdefault(coordinate.lower(), (coordinate, "dependencies"))
    return names


def _gradle(lines: Iterable[str], section: str) -> Names:
    names: Names = {}
    for line in lines:
        for match in _GRADLE_COORDINATE.finditer(line):
            coordinate = f"{match.group(1)}:{match.group(2)}"
            names.setdefault(coordinate.lower(), (coordinate, section))
        for match in _GRADLE_MAP.finditer(line):
            coordinate = f"{match.group(1)}:{match.group(2)}"
            names.setdefault(coordinate.lower(), (coordinate, section))
        for match in _GRADLE_CATALOG.finditer(line):
            names.setdefault(match.group(1).lower(), (match.group(1), section))
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
    "Gemfile": _Format("ruby", _line_reader(_GEM)),
    "gemspec": _Format("ruby", _line_reader(_GEMSPEC)),
    "pom.xml": _Format("java", lambda _lines, _section: {}, _pom),
    "build.gradle": _Format("java", _gradle),
}


def manifest_format(path: str) -> str | None:
    """The manifest format of a path by its name, or None when it is no manifest."""
    directory, _, name = path.rpartition("/")
    if name.startswith("requirements") and name.endswith((".txt", ".in")):
        return "requirements"
    if directory.rsplit("/", 1)[-1] == "requirements" and name.endswith((".txt", ".in")):
        return "requirements"
    if name.endswith(".gemspec"):
        return "gemspec"
    if name in ("build.gradle", "build.gradle.kts"):
        return "build.gradle"
    return name if name in _FORMATS else None


def ecosystem(kind: str) -> str:
    return _FORMATS[kind].ecosystem


def _pom_lines(lines: Iterable[str], section: str) -> Names:
    names: Names = {}
    for line in lines:
        match = _MAVEN_ARTIFACT.search(line)
        if match:
            names.setdefault(match.group(1).lower(), (match.group(1), section))
    return names


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
    if kind == "pom.xml":
        return _pom_lines(lines, section)
    return _FORMATS[kind].lines(lines, section)


@dataclass(frozen=True, slots=True)
class DependencyChange:
    """What one manifest change does to its dependencies."""

    kind: str
    added: tuple[tuple[str, str], ...]  # (name as written, section), in file order
    removed: tuple[str, ...]  # normalised names


def compare(kind: str, old: Names, new: Names) -> DependencyChange:
    added = tuple(new[key] for key in new if key not in old)
    removed = tuple(key for key in old if key not in new)
    return DependencyChange(kind, added, removed)
