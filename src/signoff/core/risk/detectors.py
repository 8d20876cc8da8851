"""Risk detectors that need code rather than a pattern, one small function each, in a table.

A rule names its detector (``RiskRule.detector``); the rule's paths and excludes still decide
which files the detector sees. A detector yields findings: the line (new file; old file for a
removed line) and the text, which is either a phrase ("adds dependency stripe ...") or the
line itself. Detectors share one :class:`FileView` per file, so a manifest is parsed once even
when two rules read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from signoff.core.risk import manifests, templates

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from signoff.core.diff import FileChange

Finding = tuple[int | None, str]
_MEMO_LIMIT = 4096


@dataclass(slots=True)
class FileView:
    """One file of the diff, with what detectors compute from it at most once."""

    change: FileChange
    old_text: str | None = None
    new_text: str | None = None
    _dependencies: manifests.DependencyChange | None = None
    _read: bool = False

    @property
    def first_line(self) -> int | None:
        return self.change.added[0][0] if self.change.added else None

    def dependencies(self) -> manifests.DependencyChange | None:
        """The manifest's added and removed dependencies (None when it is no manifest)."""
        if not self._read:
            self._read = True
            self._dependencies = _dependency_change(self)
        return self._dependencies


def _dependency_change(view: FileView) -> manifests.DependencyChange | None:
    change = view.change
    kind = manifests.manifest_format(change.path)
    if kind is None or change.binary or change.status == "deleted":
        return None
    if view.new_text is not None:
        old_kind = manifests.manifest_format(change.old_path or change.path)
        old = (
            manifests.read_names(old_kind, view.old_text)
            if view.old_text is not None and old_kind == kind
            else {}
        )
        return manifests.compare(kind, old, manifests.read_names(kind, view.new_text))
    added = manifests.read_lines(kind, (text for _, text in change.added), "dependencies")
    removed = manifests.read_lines(kind, (text for _, text in change.removed), "dependencies")
    return manifests.compare(kind, removed, added)


def _line_naming(view: FileView, name: str) -> int | None:
    """The first added line that names the dependency (else the first line of the new text)."""
    needle = name.lower()
    for number, text in view.change.added:
        if needle in text.lower():
            return number
    if view.new_text is not None:
        for number, text in enumerate(view.new_text.splitlines(), start=1):
            if needle in text.lower():
                return number
    return view.first_line


def new_dependency(view: FileView, _state: DetectorState) -> Iterator[Finding]:
    dependencies = view.dependencies()
    if dependencies is None:
        return
    for name, section in dependencies.added:
        yield _line_naming(view, name), f"adds dependency {name} ({section})"


# Known web, UI and ORM frameworks by ecosystem: normalised name -> (kind, display name).
_FRAMEWORKS: dict[str, dict[str, str]] = {
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
    key = manifests.normalise(name) if "/" not in name and ":" not in name else name.lower()
    key = re.sub(r"/v\d+$", "", key)  # Go major versions: echo/v4 is echo
    return key.rsplit(":", 1)[-1]  # Maven/Gradle: the artifact id


def framework(view: FileView, _state: DetectorState) -> Iterator[Finding]:
    dependencies = view.dependencies()
    if dependencies is None:
        return
    known = _FRAMEWORKS.get(manifests.ecosystem(dependencies.kind), {})
    removed_by_kind: dict[str, list[str]] = {}
    for name in dependencies.removed:
        kind = known.get(_framework_key(name))
        if kind is not None:
            removed_by_kind.setdefault(kind, []).append(name)
    for name, _section in dependencies.added:
        kind = known.get(_framework_key(name))
        if kind is None:
            continue
        replaced = removed_by_kind.get(kind)
        detail = f", replacing {', '.join(replaced)}" if replaced else ""
        yield _line_naming(view, name), f"adds {kind} {name}{detail}"


# Folders whose children are services or packages in their own right.
_CONTAINERS = frozenset({"services", "apps", "packages", "cmd", "libs", "crates", "microservices"})
# New top-level folders that are not a service or package.
_NOT_SERVICES = frozenset(
    {"docs", "doc", "test", "tests", "spec", "specs", "e2e", "examples", "example", "samples",
     "scripts", "script", "tools", "bench", "benchmarks", "fixtures", "assets", "static",
     "public", "build", "dist", "out", "target", "tmp", "vendor", "node_modules",
     "third_party", "__pycache__", "bin", "config", "migrations"}
)  # fmt: skip


def _new_directory(path: str, before: frozenset[str]) -> str | None:
    parts = path.split("/")
    if len(parts) < 2 or parts[0].startswith((".", "_")) or parts[0] in _NOT_SERVICES:
        return None
    if parts[0] in _CONTAINERS and len(parts) > 2:
        candidate = f"{parts[0]}/{parts[1]}"
        if parts[1].startswith((".", "_")):
            return None
    else:
        candidate = parts[0]
    return None if candidate in before else candidate


def new_directory(view: FileView, state: DetectorState) -> Iterator[Finding]:
    change = view.change
    if state.directories_before is None or change.status not in ("added", "renamed", "copied"):
        return
    candidate = _new_directory(change.path, state.directories_before)
    if candidate is None or candidate in state.reported_directories:
        return
    state.reported_directories.add(candidate)
    what = "service or package" if "/" in candidate else "top-level directory"
    yield view.first_line, f"adds a new {what} {candidate}/"


_SENSITIVE_WORDS = frozenset(
    {"auth", "authn", "authz", "authentication", "authenticate", "authenticator",
     "authorization", "authorisation", "authorize", "authorise", "login", "logout", "signin",
     "signout", "session", "sessions", "permission", "permissions", "rbac", "acl", "acls",
     "oauth", "oauth2", "oidc", "openid", "saml", "sso", "jwt", "crypto", "cryptography",
     "encrypt", "encryption", "decrypt", "password", "passwords", "passwd", "token", "tokens",
     "secret", "secrets", "credential", "credentials", "mfa", "2fa", "otp", "totp", "csrf",
     "iam", "security", "tls", "ssl", "certs", "certificate", "certificates", "keystore"}
)  # fmt: skip
_PATH_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+[a-z]*")
_NOT_SENSITIVE_AFTER = {"tokens": "design", "token": "design"}  # design tokens are colours


# Every sensitive word contains one of these: most names are ruled out without splitting.
_SENSITIVE_STEMS = (
    "auth", "log", "sign", "session", "permission", "rbac", "acl", "oidc", "openid", "saml",
    "sso", "jwt", "crypt", "passw", "token", "secret", "credential", "mfa", "2fa", "otp",
    "csrf", "iam", "security", "tls", "ssl", "cert", "keystore",
)  # fmt: skip


_SENSITIVE_STEM = re.compile("|".join(_SENSITIVE_STEMS))  # on lower case: no (?i), fast


def _sensitive_in(component: str) -> str | None:
    if _SENSITIVE_STEM.search(component.lower()) is None:
        return None
    words: list[str] = [word.lower() for word in _PATH_WORD.findall(component)]
    for index, word in enumerate(words):
        pair = word + words[index + 1] if index + 1 < len(words) else ""
        if pair in _SENSITIVE_WORDS:
            return pair
        after = _NOT_SENSITIVE_AFTER.get(word)
        if word in _SENSITIVE_WORDS and (index == 0 or words[index - 1] != after):
            return word
    return None


def sensitive_word(path: str, memo: dict[str, str | None] | None = None) -> str | None:
    """The security word a path is named with (``auth``, ``session`` ...), or None.

    ``memo`` remembers folder names already read: a diff's files share most of them.
    """
    memo = {} if memo is None else memo
    for component in path.split("/"):
        if component not in memo:
            if len(memo) > _MEMO_LIMIT:
                memo.clear()
            memo[component] = _sensitive_in(component)
        word = memo[component]
        if word is not None:
            return word
    return None


def sensitive_path(view: FileView, state: DetectorState) -> Iterator[Finding]:
    for path in view.change.paths:
        word = sensitive_word(path, state.sensitive_memo)
        if word is not None:
            yield view.first_line, f"{verb(view.change)} security-sensitive code ({word})"
            return


def visible_text(view: FileView, _state: DetectorState) -> Iterator[Finding]:
    change = view.change
    found = False
    for number, text in templates.visible_lines(change.path, change.added):
        found = True
        yield number, text
    if not found:  # deleted copy is changed copy too
        yield from templates.visible_lines(change.old_path or change.path, change.removed)


def verb(change: FileChange) -> str:
    """How a phrase about a whole file starts: adds, deletes, renames or changes."""
    return {"added": "adds", "deleted": "deletes", "renamed": "renames", "copied": "copies"}.get(
        change.status, "changes"
    )


@dataclass(slots=True)
class DetectorState:
    """What detectors remember across files of one diff."""

    directories_before: frozenset[str] | None
    reported_directories: set[str] = field(default_factory=set)
    sensitive_memo: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CodeDetector:
    run: Callable[[FileView, DetectorState], Iterator[Finding]]
    needs_content: bool = False
    # Whether it needs a readable file type: skips the call for every other file.
    wants: Callable[[str], bool] | None = None


DETECTORS: dict[str, CodeDetector] = {
    "new-dependency": CodeDetector(new_dependency, needs_content=True),
    "framework": CodeDetector(framework, needs_content=True),
    "new-directory": CodeDetector(new_directory),
    "sensitive-path": CodeDetector(sensitive_path),
    "visible-text": CodeDetector(visible_text, wants=templates.readable),
}
