"""The PostgreSQL server behind ``postgres_url`` is real: it answers SQL, keeps rows, listens on
127.0.0.1 only, and shows one connection's committed rows to another."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.pg_server import PostgresServer, cluster_folder, server_unavailable

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "postgres.py"


def _libpq(url: str) -> str:
    """psycopg takes libpq URLs: the SQLAlchemy driver suffix (``+psycopg``) goes."""
    return urlsplit(url)._replace(scheme="postgresql").geturl()


def test_url_is_sqlalchemy_psycopg_on_loopback(postgres_url: str) -> None:
    parts = urlsplit(postgres_url)
    assert parts.scheme == "postgresql+psycopg"
    assert parts.hostname == "127.0.0.1"
    assert parts.port is not None


def test_server_answers_sql_and_keeps_rows(postgres_url: str) -> None:
    with psycopg.connect(_libpq(postgres_url)) as connection:
        version = connection.execute("select version()").fetchone()
        assert version is not None
        assert str(version[0]).startswith("PostgreSQL ")
        connection.execute("create table kept_rows (id integer primary key, word text not null)")
        connection.execute(
            "insert into kept_rows (id, word) values (%s, %s), (%s, %s)", (1, "one", 2, "two")
        )
        rows = connection.execute("select id, word from kept_rows order by id").fetchall()
        assert rows == [(1, "one"), (2, "two")]
        connection.execute("drop table kept_rows")


def test_two_connections_see_each_others_committed_rows(postgres_url: str) -> None:
    url = _libpq(postgres_url)
    with psycopg.connect(url) as first, psycopg.connect(url) as second:
        assert first.info.backend_pid != second.info.backend_pid
        first.execute("create table shared_rows (id integer primary key, origin text not null)")
        first.commit()

        first.execute("insert into shared_rows values (1, 'first')")
        # Not committed yet: the other session must not see it.
        assert second.execute("select count(*) from shared_rows").fetchone() == (0,)
        second.rollback()
        first.commit()
        assert second.execute("select origin from shared_rows").fetchall() == [("first",)]

        second.execute("insert into shared_rows values (2, 'second')")
        second.commit()
        rows = first.execute("select id, origin from shared_rows order by id").fetchall()
        assert rows == [(1, "first"), (2, "second")]

        first.execute("drop table shared_rows")
        first.commit()


def test_server_listens_on_127_0_0_1_only(postgres_server: PostgresServer) -> None:
    with psycopg.connect(_libpq(postgres_server.url)) as connection:
        address = connection.execute("select host(inet_server_addr())").fetchone()
        assert address == ("127.0.0.1",)
    if postgres_server.cluster is None:
        pytest.skip("SIGNOFF_TEST_DATABASE_URL names the server: its listen settings are its own")
    port = postgres_server.cluster.port
    with psycopg.connect(_libpq(postgres_server.url)) as connection:
        assert connection.execute("show listen_addresses").fetchone() == ("127.0.0.1",)
    assert _connects(socket.AF_INET, "127.0.0.1", port)
    # Other loopback addresses and IPv6 are not served (127.0.0.2 is loopback: nothing leaves).
    assert not _connects(socket.AF_INET, "127.0.0.2", port)
    assert not _connects(socket.AF_INET6, "::1", port)


def _connects(family: socket.AddressFamily, address: str, port: int) -> bool:
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.settimeout(2)
            probe.connect((address, port))
    except OSError:
        return False
    return True


def test_wrong_password_is_refused(postgres_url: str) -> None:
    wrong = _libpq(postgres_url).replace(":signoff-test-pw@", ":not-the-password@")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(wrong)


def test_create_database_gives_an_empty_database_of_its_own(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.create_database("signoff_isolated")
    assert urlsplit(url).path == "/signoff_isolated"
    with psycopg.connect(_libpq(url)) as connection:
        assert connection.execute("select current_database()").fetchone() == ("signoff_isolated",)
        tables = connection.execute(
            "select count(*) from information_schema.tables where table_schema = 'public'"
        ).fetchone()
        assert tables == (0,)
        # The signoff role owns it, so the store can create its tables there.
        connection.execute("create table owned_here (id integer)")


@pytest.mark.slow
def test_script_starts_and_stops_a_cluster_for_a_developer(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if postgres_server.cluster is None:
        pytest.skip("SIGNOFF_TEST_DATABASE_URL names the server: nothing is started here")
    base, private = cluster_folder(tmp_path_factory)
    try:
        started = _script("start", base)
        url = started.stdout.strip()
        assert urlsplit(url).hostname == "127.0.0.1"
        assert url != postgres_server.url  # a cluster of its own, on another port
        with psycopg.connect(_libpq(url)) as connection:
            assert connection.execute("select current_user").fetchone() == ("signoff",)
        assert _script("start", base).stdout.strip() == url  # running: only says where
        _script("stop", base)
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(_libpq(url), connect_timeout=2)
    finally:
        subprocess.run([sys.executable, str(SCRIPT), "stop", str(base)], check=False)
        if private:
            shutil.rmtree(base, ignore_errors=True)


def _script(action: str, base: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), action, str(base)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


def test_missing_server_fails_under_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        server_unavailable("no server here")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no server here"):
        server_unavailable("no server here")
