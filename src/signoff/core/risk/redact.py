"""Evidence must show why a rule fired without ever repeating a secret.

A secret rule's pattern names the secret part ``(?P<secret>...)``: its evidence is the match
with that part cut to its first characters (:func:`mask`). Every other piece of evidence is a
whole line, and a line that fired a schema or settings rule can still hold a key
(``SECRET_KEY = "..."``, ``CREATE ROLE app PASSWORD '...'``, ``--token ...``,
``Authorization: Bearer ...``), so :func:`scrub` masks anything secret-shaped in it first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from signoff.core.lazy_regex import lazy_compile

if TYPE_CHECKING:
    import re

KEEP = 4
MASK = "…[redacted]"

_SECRET_SHAPES = lazy_compile(
    r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY[^\n]*"
    r"|A(?:KIA|SIA|BIA|CCA)[A-Z2-7]{16}"
    r"|gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}|glpat-[A-Za-z0-9_\-]{20,}"
    r"|xox[baprs]-[A-Za-z0-9-]{10,}|[sr]k_live_[A-Za-z0-9]{20,}|AIza[0-9A-Za-z_\-]{35}"
    r"|sk-[A-Za-z0-9_\-]{20,}|SG\.[\w-]{22}\.[\w-]{43}"
    r"|eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}"
)
_NAMES_OF_SECRETS = (
    r"secret|passw(?:or)?d|passphrase|pwd|token|api[_-]?key|private[_-]?key|access[_-]?key"
    r"|credential|auth(?!or(?:s|ed|ing|ity|ities|ship)?\b)"  # authorization, not author
)
# key = "value" (or 'value', `value`) where the key says the value is secret: the whole quoted
# text is masked, spaces and "$" included ("correct horse battery staple", "p@ss$word!"). SQL
# writes PASSWORD 'value' and IDENTIFIED BY 'value', with no "=".
_QUOTED_ASSIGNMENT = lazy_compile(
    rf"""(?i)((?:(?:{_NAMES_OF_SECRETS})\w*["']?\s*[:=]\s*|\b(?:passw(?:or)?d|identified\s+by)\s+))"""
    r"""(["'`])((?:(?!\2).)+)(\2)"""
)
# An unquoted value (6+ characters) after such a key, unless it reads like code (os.environ[...],
# settings.X, a call), a reference ($VAR) or an HTTP auth scheme (masked just below).
_SECRET_ASSIGNMENT = lazy_compile(
    rf"""(?i)((?:{_NAMES_OF_SECRETS})\w*["']?\s*[:=]\s*["']?)(?!(?:bearer|basic|token)\s)"""
    r"""([^\s"',;()\[\]{}$%<>]{6,})(?![(\[.\w])"""
)
# Authorization: Bearer <token>, Basic <base64>.
_AUTH_SCHEME = lazy_compile(r"(?i)(\b(?:bearer|basic)\s+)([A-Za-z0-9._~+/=-]{8,})")
# A command-line flag: --password hunter2, --api-key=..., --token "...".
_SECRET_FLAG = lazy_compile(
    r"""(?i)(--?(?:passw(?:or)?d|pass|pwd|token|secret|api[_-]?key|access[_-]?key"""
    r"""|auth[_-]?token|client[_-]?secret)[ \t]+)([^\s"'$-][^\s"']*|"[^"$]+"|'[^'$]+')"""
)
_URL_PASSWORD = lazy_compile(r"(://[^/\s:@]+:)([^/\s@]{3,})(@)")
# A quoted value that only names where the secret comes from: ${VAR}, {{ secrets.X }}, <%= %>.
_REFERENCE = lazy_compile(
    r"\$\{?[\w.:-]+\}?|\$\{\{.*\}\}|\{\{.*\}\}|<%.*%>|%\([\w.]+\)s|#\{.*\}|\$\(.*\)"
)


def mask(secret: str) -> str:
    """The first characters of a secret (four, and never more than a third of it, so a short
    one is not shown whole), the rest replaced by a marker."""
    return secret[: min(KEEP, len(secret) // 3)] + MASK


def redact(text: str, span: tuple[int, int], secret: tuple[int, int]) -> str:
    """``text`` (the match at ``span``) with the part at ``secret`` masked."""
    start, end = secret[0] - span[0], secret[1] - span[0]
    if start < 0 or end < start:
        return mask(text)
    return text[:start] + mask(text[start:end]) + text[end:]


def _quoted(match: re.Match[str]) -> str:
    key, quote, value, closing = match.groups()
    if _REFERENCE.fullmatch(value.strip()):
        return match.group(0)
    return key + quote + mask(value) + closing


def scrub(line: str) -> str:
    """The line with every secret-shaped token and secret-named value masked."""
    line = _SECRET_SHAPES.sub(lambda match: mask(match.group(0)), line)
    line = _QUOTED_ASSIGNMENT.sub(_quoted, line)
    line = _SECRET_ASSIGNMENT.sub(lambda match: match.group(1) + mask(match.group(2)), line)
    line = _AUTH_SCHEME.sub(lambda match: match.group(1) + mask(match.group(2)), line)
    line = _SECRET_FLAG.sub(lambda match: match.group(1) + mask(match.group(2)), line)
    return _URL_PASSWORD.sub(lambda match: match.group(1) + mask("") + match.group(3), line)
