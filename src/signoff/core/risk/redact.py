"""Evidence must show why a rule fired without ever repeating a secret.

A secret rule's pattern names the secret part ``(?P<secret>...)``: its evidence is the match
with that part cut to its first four characters. Every other piece of evidence is a whole
line, and a line that fired a schema or settings rule can still hold a key
(``SECRET_KEY = "..."``), so :func:`scrub` masks anything secret-shaped in it first.
"""

from __future__ import annotations

import re

KEEP = 4
MASK = "…[redacted]"

_SECRET_SHAPES = re.compile(
    r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY[^\n]*"
    r"|A(?:KIA|SIA|BIA|CCA)[A-Z2-7]{16}"
    r"|gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}|glpat-[A-Za-z0-9_\-]{20,}"
    r"|xox[baprs]-[A-Za-z0-9-]{10,}|[sr]k_live_[A-Za-z0-9]{20,}|AIza[0-9A-Za-z_\-]{35}"
    r"|sk-[A-Za-z0-9_\-]{20,}|SG\.[\w-]{22}\.[\w-]{43}"
    r"|eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}"
)
# key = value where the key says the value is secret; the value (6+ characters) is masked,
# unless it reads like code (os.environ[...], settings.X, a call) rather than a literal.
_SECRET_ASSIGNMENT = re.compile(
    r"""(?i)((?:secret|passw(?:or)?d|pwd|token|api[_-]?key|private[_-]?key|access[_-]?key"""
    r"""|credential|auth)\w*["']?\s*[:=]\s*["']?)([^\s"',;()\[\]{}$%<>]{6,})(?![(\[.\w])"""
)
_URL_PASSWORD = re.compile(r"(://[^/\s:@]+:)([^/\s@]{3,})(@)")


def mask(secret: str) -> str:
    """The first characters of a secret, the rest replaced by a marker."""
    return secret[:KEEP] + MASK


def redact(text: str, span: tuple[int, int], secret: tuple[int, int]) -> str:
    """``text`` (the match at ``span``) with the part at ``secret`` masked."""
    start, end = secret[0] - span[0], secret[1] - span[0]
    if start < 0 or end < start:
        return mask(text)
    return text[:start] + mask(text[start:end]) + text[end:]


def scrub(line: str) -> str:
    """The line with every secret-shaped token and secret-named value masked."""
    line = _SECRET_SHAPES.sub(lambda match: mask(match.group(0)), line)
    line = _SECRET_ASSIGNMENT.sub(lambda match: match.group(1) + mask(match.group(2)), line)
    return _URL_PASSWORD.sub(lambda match: match.group(1) + mask("") + match.group(3), line)
