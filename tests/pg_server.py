"""A real PostgreSQL server for the tests, started once per session (pytest plugin).

Fixtures:

- ``postgres_server`` (session): a :class:`PostgresServer` with ``url`` and
  ``create_database(name)``, which makes an empty database and returns its URL (for tests that
  want a database of their own, e.g. one per module).
- ``postgres_url`` (session): ``postgres_server.url``, a SQLAlchemy URL of the form
  ``postgresql+psycopg://signoff:signoff-test-pw@127.0.0.1:PORT/signoff_test``.

Where the server comes from:

- ``SIGNOFF_TEST_DATABASE_URL`` set: that server is used as it is; nothing is started.
- otherwise ``scripts/postgres.py`` starts a throwaway cluster in a temporary folder (installing
  Debian's ``postgresql`` package first when we are root and it is missing) and stops it when the
  session ends. Starting takes a second or two; installing, a minute at most.
- PostgreSQL cannot be had: the tests that need it fail under CI (``CI=true``), where a missing
  server must never pass unnoticed, and are skipped elsewhere, with the reason either way.

Marker ``postgres``: every test that uses one of these fixtures gets it, so ``pytest -m "not
postgres"`` runs the rest without starting a server. It is registered by this plugin: load it
with ``pytest_plugins = ["tests.pg_server"]`` in ``tests/conftest.py``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import ModuleType

    import scripts.postgres as pgscript
else:

    def _load_script() -> ModuleType:
        """scripts/postgres.py is a script, not a package: load it by path, once."""
        name = "signoff_postgres_script"
        if name in sys.modules:
            return sys.modules[name]
        path = Path(__file__).resolve().parent.parent / "scripts" / "postgres.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up here
        spec.loader.exec_module(module)
        return module

    pgscript = _load_script()

URL_ENV = "SIGNOFF_TEST_DATABASE_URL"
MARKER = "postgres"
FIXTURES = frozenset({"postgres_server", "postgres_url"})


@dataclass(frozen=True)
class PostgresServer:
    """The session's server: a cluster we started, or the one ``SIGNOFF_TEST_DATABASE_URL`` names."""

    url: str
    cluster: pgscript.Cluster | None  # None for a server named by SIGNOFF_TEST_DATABASE_URL

    def create_database(self, name: str) -> str:
        """A new empty database ``name`` owned by the URL's role; returns its SQLAlchemy URL.

        On a server named by ``SIGNOFF_TEST_DATABASE_URL`` an old database of that name (left by
        an earlier session) is dropped first; in our own fresh cluster the name must be new.
        """
        if self.cluster is not None:
            return pgscript.create_database(self.cluster, name)
        return _create_external_database(self.url, name)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}: needs a real PostgreSQL server (started once per session; tests/pg_server.py)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(MARKER)


@pytest.fixture(scope="session")
def postgres_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PostgresServer]:
    external = os.environ.get(URL_ENV, "").strip()
    if external:
        yield PostgresServer(url=external, cluster=None)
        return
    base, private = cluster_folder(tmp_path_factory)
    try:
        # An install prints why it takes a while; let that through pytest's capture.
        with _uncaptured(request.config):
            pgscript.ensure_installed()
        cluster = pgscript.start_cluster(base)
    except (pgscript.PostgresUnavailableError, OSError) as error:
        if private:
            shutil.rmtree(base, ignore_errors=True)
        server_unavailable(f"no PostgreSQL server for the tests: {error}")
    try:
        yield PostgresServer(url=cluster.url, cluster=cluster)
    finally:
        cluster.stop()
        if private:
            shutil.rmtree(base, ignore_errors=True)
        if not cluster.socket_dir.is_relative_to(cluster.base):  # a short one made in the temp dir
            shutil.rmtree(cluster.socket_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    return postgres_server.url


def running_under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def server_unavailable(reason: str) -> NoReturn:
    if running_under_ci():
        pytest.fail(f"{reason} (CI=true: a missing server fails the run)", pytrace=False)
    pytest.skip(reason)


def cluster_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bool]:
    """Where the cluster lives, and whether we must delete it ourselves.

    As root the server runs as an unprivileged user, who cannot enter pytest's private temp
    folders (mode 700): the cluster then gets its own folder right under the temp dir.
    """
    if os.geteuid() != 0:
        return tmp_path_factory.mktemp("postgres"), False
    return Path(tempfile.mkdtemp(prefix="signoff-pg-test-")), True


@contextlib.contextmanager
def _uncaptured(config: pytest.Config) -> Iterator[None]:
    capture = config.pluginmanager.getplugin("capturemanager")
    if capture is None:
        yield
        return
    with capture.global_and_fixture_disabled():
        yield


def _create_external_database(url: str, name: str) -> str:
    import psycopg
    from psycopg import sql

    if not pgscript.DATABASE_NAME.fullmatch(name):
        raise ValueError(f"database name {name!r}: use lower-case letters, digits and _ (max 63)")
    parts = urlsplit(url)
    libpq_url = parts._replace(scheme="postgresql").geturl()
    with psycopg.connect(libpq_url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return parts._replace(path=f"/{name}").geturl()
