"""Where the ledger lives: ``SIGNOFF_DATABASE_URL``, or ``.signoff/ledger.db`` in the slice.

Kept free of SQLAlchemy so that finding the ledger (``spec check`` does, for open questions)
costs no import time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from signoff.core.errors import DatabaseUrlError

if TYPE_CHECKING:
    from collections.abc import Mapping

URL_VARIABLE = "SIGNOFF_DATABASE_URL"
DEFAULT_PATH = Path(".signoff") / "ledger.db"


@dataclass(frozen=True, slots=True)
class LedgerLocation:
    """A validated database URL, and a version of it safe to print."""

    url: str
    display: str
    sqlite_path: Path | None  # set for the SQLite backend

    @property
    def is_sqlite(self) -> bool:
        return self.sqlite_path is not None


def _redact(url: str) -> str:
    """The URL with its password replaced by ***, even a password that holds '@' or '/'."""
    scheme, separator, rest = url.partition("://")
    if not separator or "@" not in rest:
        return url
    userinfo, _, address = rest.rpartition("@")
    user = userinfo.partition(":")[0].partition("/")[0]
    return f"{scheme}://{user}:***@{address}"


def resolve_location(root: Path, environ: Mapping[str, str]) -> LedgerLocation:
    """The ledger for the slice at ``root``, honouring ``SIGNOFF_DATABASE_URL``."""
    raw = environ.get(URL_VARIABLE, "").strip()
    if not raw:
        path = root / DEFAULT_PATH
        return LedgerLocation(f"sqlite:///{path}", str(path), path)
    shown = _redact(raw)
    if raw.startswith("sqlite:///"):
        path = Path(raw.removeprefix("sqlite:///"))
        if not raw.removeprefix("sqlite:///"):
            raise DatabaseUrlError(
                f"{URL_VARIABLE}={shown}: names no file; use sqlite:///path/to/ledger.db"
            )
        return LedgerLocation(raw, shown, path)
    scheme, separator, rest = raw.partition("://")
    if not separator or not re.fullmatch(r"[a-z0-9+]+", scheme):
        raise DatabaseUrlError(
            f"{URL_VARIABLE}={shown}: not a database URL; expected "
            "postgresql+psycopg://user:password@host:5432/database or sqlite:///path"
        )
    if scheme in ("postgresql", "postgres"):
        raise DatabaseUrlError(
            f"{URL_VARIABLE}={shown}: say which driver: postgresql+psycopg://… "
            "(psycopg 3 is the one Signoff ships with)"
        )
    if scheme != "postgresql+psycopg":
        raise DatabaseUrlError(
            f"{URL_VARIABLE}={shown}: '{scheme}' is not supported; "
            "use postgresql+psycopg://… for a team server, or leave it unset for SQLite"
        )
    userinfo, _, address = rest.rpartition("@")
    if re.search(r"[@/?#]", userinfo):
        raise DatabaseUrlError(
            f"{URL_VARIABLE}={shown}: the user or password holds '@', '/', '?' or '#'; "
            "percent-encode them (@ as %40, / as %2F)"
        )
    host_port, _, database = address.partition("/")
    host, _, port = host_port.partition(":")
    if not host:
        raise DatabaseUrlError(f"{URL_VARIABLE}={shown}: names no host")
    if port and not port.isdigit():
        raise DatabaseUrlError(f"{URL_VARIABLE}={shown}: port '{port}' is not a number")
    if not database.split("?")[0]:
        raise DatabaseUrlError(f"{URL_VARIABLE}={shown}: names no database after the host")
    return LedgerLocation(raw, shown, None)
