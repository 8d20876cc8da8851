"""Risk detectors that need code rather than a pattern, one small function each, in a table.

A rule names its detector (``RiskRule.detector``); the rule's paths and excludes still decide
which files the detector sees. A detector yields findings: the line (new file; old file for a
removed line, marked :data:`OLD`) and the text, which is either a phrase ("adds dependency
stripe ...") or the line itself. Detectors share one :class:`FileView` per file, so a manifest
is parsed once even when two rules read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from signoff.core.lazy_regex import lazy_compile
from signoff.core.risk.redact import redact, scrub

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from signoff.core.diff import FileChange, Lines
    from signoff.core.risk import manifests

# (line, text) for a line of the new file or the change as a whole; (line, text, OLD) for a
# removed line, whose number is the old file's: the evidence then names the old path, which
# differs from the new one after a rename.
OLD = "old"
Finding = tuple[int | None, str] | tuple[int | None, str, str]
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
        return self.change.added_lines.first_number

    def dependencies(self) -> manifests.DependencyChange | None:
        """The manifest's added and removed dependencies (None when it is no manifest)."""
        if not self._read:
            self._read = True
            self._dependencies = _dependency_change(self)
        return self._dependencies


def _dependency_change(view: FileView) -> manifests.DependencyChange | None:
    # The manifest readers and the template scanner load with the first file that needs them
    # (~8 ms that would otherwise stand before every scan): most diffs have few such files.
    from signoff.core.risk import manifests  # noqa: PLC0415

    change = view.change
    kind = manifests.manifest_format(change.path)
    if kind is None or change.binary or change.status == "deleted":
        return None
    if kind == "requirements" and manifests.development_file(change.path):
        return manifests.DependencyChange(kind, (), ())  # requirements-dev.txt ships nothing
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


def framework(view: FileView, _state: DetectorState) -> Iterator[Finding]:
    dependencies = view.dependencies()
    if dependencies is None:
        return
    from signoff.core.risk import manifests  # noqa: PLC0415 - see _dependency_change

    ecosystem = manifests.ecosystem(dependencies.kind)
    removed_by_kind: dict[str, list[str]] = {}
    for name in dependencies.removed:
        kind = manifests.framework_kind(ecosystem, name)
        if kind is not None:
            removed_by_kind.setdefault(kind, []).append(name)
    for name, _section in dependencies.added:
        kind = manifests.framework_kind(ecosystem, name)
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


# What is never security code by its name: stylesheets, images and fonts, and templates of
# what a user reads (``password_reset.txt.tmpl`` is an e-mail; ``login.html`` a page).
_NOT_CODE = frozenset(
    {"css", "scss", "sass", "less", "styl", "pcss", "svg", "png", "jpg", "jpeg", "gif", "webp",
     "avif", "ico", "woff", "woff2", "ttf", "otf", "eot", "tmpl", "html", "htm", "jinja",
     "jinja2", "j2", "njk", "hbs", "handlebars", "mustache", "liquid", "twig", "mjml", "haml",
     "slim", "pug", "jade", "gohtml", "erb", "ejs", "po", "pot", "mo"}
)  # fmt: skip
_TEXT_TEMPLATE_FOLDERS = frozenset({"templates", "emails", "email", "mail", "mailers"})
# Design-system folders: the tokens there are colours and spacing, not credentials.
_DESIGN_WORDS = frozenset({"theme", "themes", "theming", "style", "styles", "stylesheets",
                           "design", "css", "scss"})  # fmt: skip


def _not_code(path: str) -> bool:
    directory, _, name = path.rpartition("/")
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension in _NOT_CODE:
        return True
    return extension == "txt" and not _TEXT_TEMPLATE_FOLDERS.isdisjoint(directory.split("/"))


def _design_system(path: str) -> bool:
    words = {word.lower() for word in _PATH_WORD.findall(path)}
    return not _DESIGN_WORDS.isdisjoint(words)


def sensitive_word(path: str, memo: dict[str, str | None] | None = None) -> str | None:
    """The security word a path's code is named with (``auth``, ``session`` ...), or None.

    ``memo`` remembers folder names already read: a diff's files share most of them.
    """
    memo = {} if memo is None else memo
    if _not_code(path):
        return None
    for component in path.split("/"):
        if component not in memo:
            if len(memo) > _MEMO_LIMIT:
                memo.clear()
            memo[component] = _sensitive_in(component)
        word = memo[component]
        if word is not None and not (word in ("token", "tokens") and _design_system(path)):
            return word
    return None


def sensitive_path(view: FileView, state: DetectorState) -> Iterator[Finding]:
    for path in view.change.paths:
        word = sensitive_word(path, state.sensitive_memo)
        if word is not None:
            yield view.first_line, f"{verb(view.change)} security-sensitive code ({word})"
            return


def visible_text(view: FileView, _state: DetectorState) -> Iterator[Finding]:
    from signoff.core.risk import templates  # noqa: PLC0415 - see _dependency_change

    change = view.change
    found = False
    for number, text in templates.visible_lines(change.path, change.added):
        found = True
        yield number, scrub(text)
    if not found:  # deleted copy is changed copy too
        for number, text in templates.visible_lines(change.old_path or change.path, change.removed):
            yield number, scrub(text), OLD


def locale_text(view: FileView, _state: DetectorState) -> Iterator[Finding]:
    """A catalog change that shows customers new or different words (not a renamed key)."""
    change = view.change
    if not (change.added or change.removed):  # a binary .mo, a pure rename
        yield _whole_file(view, "a translation catalog")
        return
    from signoff.core.risk import templates  # noqa: PLC0415 - see _dependency_change

    found = templates.changed_catalog_text(change.path, change.added, change.removed)
    if found is not None:
        number, text, removed = found
        yield (number, scrub(text), OLD) if removed else (number, scrub(text))


# ---------------------------------------------------------------- files whose comments do nothing


def _whole_file(view: FileView, description: str) -> Finding:
    return view.first_line, f"{verb(view.change)} {description}"


def _neutral(view: FileView, normalise: Callable[[str], tuple[str, ...]]) -> bool:
    """Whether the change leaves what the file does as it was: the two versions read the same
    once ``normalise`` sets comments (and what else does nothing) aside.

    Without both texts, the added and removed lines must each normalise to nothing: a comment
    opened before the hunk is then not seen, which errs towards reporting the change.
    """
    change = view.change
    if change.binary or change.status not in ("modified", "added"):
        return False  # a rename, copy or deletion moves or removes what it holds
    if view.new_text is not None and (view.old_text is not None or change.status == "added"):
        return normalise(view.old_text or "") == normalise(view.new_text)
    return not normalise(change.added_lines.text) and not normalise(change.removed_lines.text)


_GO_TEMPLATE_COMMENT = lazy_compile(r"\{\{-?\s*/\*.*?\*/\s*-?\}\}", re.DOTALL)


def _helm_lines(text: str) -> tuple[str, ...]:
    """A chart file without template comments (``{{/* */}}``, ``{{- /* */ -}}``), YAML comment
    lines and blank lines: what renders."""
    text = _GO_TEMPLATE_COMMENT.sub("", text)
    return tuple(
        kept
        for line in text.splitlines()
        if (kept := line.rstrip()) and not kept.lstrip().startswith("#")
    )


def helm_chart(view: FileView, _state: DetectorState) -> Iterator[Finding]:
    if not _neutral(view, _helm_lines):
        yield _whole_file(view, "a Helm chart")


_HCL_HEREDOC = lazy_compile(r"<<-?\s*\"?(\w+)\"?\s*$")
_HCL_BLOCK_TYPE = lazy_compile(r"[A-Za-z_][\w-]*")
_HCL_DESCRIPTION = lazy_compile(r'description\s*=\s*"(?:[^"\\]|\\.)*"')
_SPACE = lazy_compile(r"\s+")


def _hcl_code(line: str) -> tuple[str, int]:
    """A stripped HCL line with runs of white space outside strings made one space, and how
    many blocks it opens (negative: closes)."""
    parts = line.split('"')
    outside = parts[::2]
    parts[::2] = [_SPACE.sub(" ", part) for part in outside]
    return '"'.join(parts).strip(), sum(part.count("{") - part.count("}") for part in outside)


def _hcl_lines(text: str) -> tuple[str, ...]:
    """What Terraform plans from a file: no comments, blank lines, alignment, or descriptions
    of variables and outputs. Heredoc bodies are kept as written (a script's comment ships)."""
    kept: list[str] = []
    depth, block, heredoc, in_comment = 0, "", "", False
    for raw in text.splitlines():
        if heredoc:
            kept.append(raw)
            heredoc = "" if raw.strip() == heredoc else heredoc
            continue
        line = raw.strip()
        if in_comment or line.startswith("/*"):
            in_comment = "*/" not in line[0 if in_comment else 2 :]
            line = "" if in_comment else line.split("*/", 1)[1].strip()
        if not line or line.startswith(("#", "//")):
            continue
        code, opened = _hcl_code(line)
        if depth == 0:
            match = _HCL_BLOCK_TYPE.match(code)
            block = match.group(0) if match else ""
        if depth == 1 and block in ("variable", "output") and _HCL_DESCRIPTION.fullmatch(code):
            continue  # documentation: terraform plan shows no change for it
        depth = max(0, depth + opened)
        opener = _HCL_HEREDOC.search(code)
        heredoc = opener.group(1) if opener else ""
        kept.append(code)
    return tuple(kept)


def terraform(view: FileView, _state: DetectorState) -> Iterator[Finding]:
    if not _neutral(view, _hcl_lines):
        yield _whole_file(view, "a Terraform configuration")


_TF_VARIABLE = lazy_compile(r'^\s*variable\s+"([^"]+)"')
_TF_SENSITIVE = lazy_compile(r"^\s*sensitive\s*=\s*true\b")
_TF_SECRET_DEFAULT = lazy_compile(
    r"""default\s*=\s*"(?P<secret>(?!(?i:changeme|change-me|example|xxxx|your|dummy|placeholder"""
    r"""|password|secret|test|todo|replace))[^"\s$%{}<>]{8,})\"\s*$"""
)
_SECRET_NAME_ENDS = frozenset({"password", "passwd", "passphrase", "secret", "token", "apikey",
                               "credential", "credentials"})  # fmt: skip
_SECRET_NAME_PAIRS = frozenset({"api_key", "private_key", "secret_key", "access_key", "auth_key"})


def _secret_name(name: str) -> bool:
    words = re.split(r"[-_.]+", name.lower())
    return words[-1] in _SECRET_NAME_ENDS or "_".join(words[-2:]) in _SECRET_NAME_PAIRS


def _variable_defaults(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str, str]]:
    """(line, variable, evidence) for each literal default of a variable that holds a secret:
    one named so (``db_password``, ``api_token``) or marked ``sensitive = true``."""
    name, depth, sensitive = "", 0, False
    defaults: list[tuple[int, re.Match[str]]] = []
    for number, raw in lines:
        header = _TF_VARIABLE.match(raw) if depth == 0 else None
        if header is not None:
            name, sensitive, defaults = header.group(1), False, []
        elif name and depth == 1:
            sensitive = sensitive or _TF_SENSITIVE.match(raw) is not None
            found = _TF_SECRET_DEFAULT.search(raw)
            if found is not None:
                defaults.append((number, found))
        depth = max(0, depth + _hcl_code(raw.strip())[1])
        if depth == 0 and name:
            if sensitive or _secret_name(name):
                for line, match in defaults:
                    shown = redact(match.group(0), match.span(0), match.span("secret"))
                    yield line, name, f'variable "{name}" {" ".join(shown.split())}'
            name = ""


def terraform_secret_default(view: FileView, _state: DetectorState) -> Iterator[Finding]:
    change = view.change
    if "default" not in change.added_lines.text:
        return
    added = {number for number, _ in change.added}
    if view.new_text is not None:  # the variable's header may be outside the hunk
        lines: Iterable[tuple[int, str]] = enumerate(view.new_text.splitlines(), start=1)
    else:
        lines = change.added
    for number, _name, text in _variable_defaults(lines):
        if number in added:
            yield number, text


# ---------------------------------------------------------------- CI that deploys or releases

_URL = lazy_compile(r"\S+://\S*")
# ``-c Release``, ``--configuration Release``, ``BUILD_TYPE=Release``: a build mode, not a release.
_BUILD_MODE = lazy_compile(
    r"(?i)(?:configuration|config|build[_-]?type|mode|profile|variant|target|-c)\W{0,3}release\b"
)
# Reports, not products: "Publish Test Results", publish-unit-test-result-action.
_PUBLISHES_REPORTS = lazy_compile(
    r"(?i)publish\w*[-_ ]+(?:unit[-_ ]+)?(?:tests?|coverage|reports?|results?|artifacts?)[\w-]*"
)
# A word that says the step ships: not in a URL, a path (``deploy/``), a flag (``--release``).
_SHIP_WORD = lazy_compile(
    r"(?i)(?<![\w./=-])(?:deploy\w*|releases?|released|publish\w*|rollout)(?![\w/])"
    r"|/(?:deploy|release|publish)\w*\.(?:sh|py|js|ts|rb|ps1|bash)\b"
)
_SHIP_COMMAND = lazy_compile(
    r"(?i)\b(?:kubectl\s+(?:apply|set|rollout|replace|create|patch)|helm\s+(?:upgrade|install|push)"
    r"|terraform\s+apply|pulumi\s+up|docker\s+push|twine\s+upload|gem\s+push|gh\s+release"
    r"|ansible-playbook|aws\s+s3\s+sync|aws\s+ecs\s+update-service|aws\s+lambda\s+update-function"
    r"|goreleaser)\b|\s--push\b|^\s*push:\s*true\b"
)
# ``uses:`` an action that deploys, releases or publishes (and AWS's, which exist to deploy).
_SHIP_ACTION = lazy_compile(
    r"""(?i)\buses:\s*["']?(?:aws-actions/|superfly/|cloudflare/wrangler-action"""
    r"""|[\w.-]+/[\w.-]*(?:deploy|release|publish|gh-pages))"""
)
# A deployment environment (GitHub, GitLab, Azure Pipelines; elsewhere the key sets variables).
_SHIP_ENVIRONMENT = lazy_compile(r"^\s*-?\s*environment:")
# GitHub: a workflow run by a pushed tag. GitLab: a job for tag pipelines.
_GITHUB_TAG_TRIGGER = lazy_compile(r"^\s{0,4}tags:")
_GITLAB_TAG_JOB = lazy_compile(r"CI_COMMIT_TAG|\bonly:\s*\[?\s*[\"']?tags\b")


def _ci_kind(path: str) -> str:
    if path.startswith(".github/"):
        return "github"
    if path.endswith(".gitlab-ci.yml") or path.startswith(".gitlab/"):
        return "gitlab"
    return "azure" if path.rpartition("/")[2].startswith("azure-pipelines") else "other"


def _ships(kind: str, line: str) -> bool:
    """Whether a line of CI configuration deploys, releases or publishes."""
    if line.lstrip().startswith(("#", "//")):
        return False
    plain = _PUBLISHES_REPORTS.sub(" ", _BUILD_MODE.sub(" ", _URL.sub(" ", line)))
    if _SHIP_WORD.search(plain) or _SHIP_COMMAND.search(line) or _SHIP_ACTION.search(plain):
        return True
    if kind in ("github", "gitlab", "azure") and _SHIP_ENVIRONMENT.match(line):
        return True
    if kind == "github":
        return _GITHUB_TAG_TRIGGER.match(line) is not None
    return kind == "gitlab" and _GITLAB_TAG_JOB.search(line) is not None


def _code_line(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and not stripped.startswith(("#", "//"))


def ci_deploy(view: FileView, _state: DetectorState) -> Iterator[Finding]:
    """Changed lines that ship; else, a change to a workflow whose text ships anywhere.

    The whole text is what tells a deploy workflow from a lint one: a one-line change to the
    Node version of a workflow that ends in ``kubectl apply`` changes how the product ships.
    """
    change = view.change
    kind = _ci_kind(change.path)
    found = False
    for lines, side in ((change.added, ()), (change.removed, (OLD,))):
        for number, text in lines:
            if _ships(kind, text):
                found = True
                yield (number, scrub(text), *side)
        if found:  # removed steps count only when no added line says it
            return
    if not any(_code_line(text) for _, text in (*change.added, *change.removed)):
        return  # comments and blank lines: nothing runs differently
    for whole in (view.new_text, view.old_text):
        for number, line in enumerate((whole or "").splitlines(), start=1):
            if _ships(kind, line):
                step = scrub(" ".join(line.split()))
                yield view.first_line, f"changes a CI workflow that deploys (line {number}: {step})"
                return


# ---------------------------------------------------------------- login throttling

# The file types the rule reads (its paths say where: login, account and user code, settings).
_THROTTLE_READS = frozenset(
    {"py", "rb", "js", "jsx", "ts", "tsx", "mjs", "cjs", "go", "java", "kt", "scala", "php",
     "cs", "ex", "exs", "rs", "yaml", "yml", "json", "toml", "ini", "cfg", "conf", "env",
     "properties"}
)  # fmt: skip
# A cheap first test on the lower-cased lines: every pattern below contains one of these.
_THROTTLE_HINTS = ("ratelimit", "rate_limit", "rate-limit", "rate limit", "throttl", "lockout",
                   "lock_out", "lock-out", "lock out", "axes", "brute", "too many", "too_many",
                   "too-many", "toomany", "429", "attempt", "failure", "logins")  # fmt: skip
_THROTTLE = lazy_compile(
    r"(?i)rate[-_ ]?limit|throttl|lock[-_ ]?out|\baxes(?:\b|_)|brute[-_ ]?force"
    r"|too[-_ ]?many[-_ ]?(?:attempts|requests|logins?|failures)|\b429\b"
    r"|(?:failed|max|failure)[-_ ]?(?:log[-_ ]?in[-_ ]?|auth[-_ ]?)?(?:attempts|failures|logins)"
    r"|log[-_ ]?in[-_ ]?(?:failures?|attempts?)"
)
# What makes throttling an authentication matter rather than, say, a search box's debounce.
# A lockout, and django-axes, exist only for logins: they are their own context.
_AUTH_CONTEXT = lazy_compile(
    r"(?i)log[-_ ]?in|sign[-_ ]?in|authenticat|\bauth\b|passw|credential|\botp\b|\b[2m]fa\b"
    r"|lock[-_ ]?out|\baxes(?:\b|_)"
)


def _template_reads(path: str) -> bool:
    """Whether the template scanner reads this kind of file (``templates.readable``)."""
    from signoff.core.risk import templates  # noqa: PLC0415 - see _dependency_change

    return templates.readable(path)


def _throttle_reads(path: str) -> bool:
    return path.rpartition(".")[2].lower() in _THROTTLE_READS


def _throttle_lines(lines: Lines) -> list[tuple[int, str]]:
    text = lines.text.lower()  # the joined text: no per-line work on the files that lack a hint
    if not any(hint in text for hint in _THROTTLE_HINTS):
        return []
    return [(n, line) for n, line in lines if _code_line(line) and _THROTTLE.search(line)]


def auth_throttling(view: FileView, state: DetectorState) -> Iterator[Finding]:
    """Throttling, lockout or failed-attempt counting added to or removed from login code."""
    change = view.change
    added, removed = _throttle_lines(change.added_lines), _throttle_lines(change.removed_lines)
    if not (added or removed):
        return
    in_context = sensitive_word(change.path, state.sensitive_memo) is not None or any(
        _AUTH_CONTEXT.search(text) for _, text in (*change.added, *change.removed)
    )
    if in_context:
        number, text = (added or removed)[0]
        yield (number, scrub(text)) if added else (number, scrub(text), OLD)


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
    """A rule's check written in Python, for what a line pattern cannot see."""

    run: Callable[[FileView, DetectorState], Iterator[Finding]]
    needs_content: bool = False
    # Whether it needs a readable file type: skips the call for every other file.
    wants: Callable[[str], bool] | None = None


DETECTORS: dict[str, CodeDetector] = {
    "new-dependency": CodeDetector(new_dependency, needs_content=True),
    "framework": CodeDetector(framework, needs_content=True),
    "new-directory": CodeDetector(new_directory),
    "sensitive-path": CodeDetector(sensitive_path),
    "visible-text": CodeDetector(visible_text, wants=_template_reads),
    "locale-text": CodeDetector(locale_text),
    # The whole text decides these, and the files are few and small: charts, Terraform, CI.
    "helm-chart": CodeDetector(helm_chart, needs_content=True),
    "terraform": CodeDetector(terraform, needs_content=True),
    "terraform-secret-default": CodeDetector(terraform_secret_default, needs_content=True),
    "ci-deploy": CodeDetector(ci_deploy, needs_content=True),
    "auth-throttling": CodeDetector(auth_throttling, wants=_throttle_reads),
}
