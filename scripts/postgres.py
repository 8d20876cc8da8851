"""A throwaway PostgreSQL server on 127.0.0.1, for the tests and for developers.

    python scripts/postgres.py start DIR   # prints the SQLAlchemy URL; the server keeps running
    python scripts/postgres.py stop DIR    # fast shutdown; DIR keeps the data until you delete it

``start`` on a DIR that already holds a cluster starts that cluster again (on its old port when it
is free) and prints its URL; on a running one it only prints the URL.

The server binaries come from the system: ``$SIGNOFF_PG_BINDIR`` if set, else Debian's
``/usr/lib/postgresql/<version>/bin`` (newest first), else ``pg_ctl`` on PATH. If none is found and
we are root with apt-get (CI on Debian), Debian's ``postgresql`` package is installed first.

PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` system user that
Debian's package creates (or a ``signoff-pg`` system user made here when that is missing), and DIR
is handed to that user. The cluster trades durability for speed (``fsync=off``): it is for tests.

Standard library only: tests load this file by path, and it must run before any dependency does.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "postgresql"
DEBIAN_ROOT = Path("/usr/lib/postgresql")
BIN_DIR_ENV = "SIGNOFF_PG_BINDIR"
PROGRAMS = ("initdb", "pg_ctl", "postgres", "psql")

SUPERUSER = "postgres"
ROLE = "signoff"
PASSWORD = "signoff-test-pw"  # noqa: S105 - a throwaway local test server's password
DATABASE = "signoff_test"
HOST = "127.0.0.1"

SYSTEM_USER = "postgres"  # made by Debian's postgresql-common
FALLBACK_USER = "signoff-pg"

START_TIMEOUT = 30  # seconds for the server to accept connections
INSTALL_TIMEOUT = 900  # seconds for apt-get update + install
COMMAND_TIMEOUT = 120  # seconds for initdb, psql, pg_ctl stop
START_ATTEMPTS = 3  # another free port when the one picked was taken meanwhile
LOG_TAIL_LINES = 30

STATE_FILE = "cluster.json"
CONFIG_FILE = "signoff.conf"
MAX_SOCKET_PATH = 100  # sun_path holds 107 bytes, and the server adds "/.s.PGSQL.NNNNN"
DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class PostgresUnavailableError(RuntimeError):
    """PostgreSQL could not be installed, started or asked to do something; the message says why."""


@dataclass(frozen=True)
class Cluster:
    """A running throwaway cluster. ``url`` is for SQLAlchemy with psycopg 3."""

    url: str
    port: int
    data_dir: Path
    base: Path
    bin_dir: Path
    socket_dir: Path
    run_as: str | None  # the system user the server runs as, when we are root

    @property
    def log_file(self) -> Path:
        return self.base / "server.log"

    def url_for(self, database: str) -> str:
        return f"postgresql+psycopg://{ROLE}:{PASSWORD}@{HOST}:{self.port}/{database}"

    def is_running(self) -> bool:
        if not self.data_dir.is_dir():
            return False
        done = _run(_pg_ctl(self, "status"), what="pg_ctl status", cwd=self.base, check=False)
        return done.returncode == 0

    def stop(self) -> None:
        """Stop the server (fast shutdown: open sessions are ended). Does nothing if it is down."""
        if not self.data_dir.is_dir():
            return
        done = _run(
            _pg_ctl(self, "stop", "-m", "fast", "-w", "-t", str(START_TIMEOUT)),
            what="pg_ctl stop",
            cwd=self.base,
            check=False,
        )
        if done.returncode != 0 and self.is_running():
            raise PostgresUnavailableError(
                f"pg_ctl stop failed (exit {done.returncode}):\n{_tail(done.stdout + done.stderr)}"
            )

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no server log)"
        return _tail(text, lines)

    def psql(self, *commands: str, database: str = "postgres") -> str:
        """Run SQL commands as the superuser over the cluster's private Unix socket."""
        argv = [
            str(self.bin_dir / "psql"),
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            str(self.socket_dir),
            "-p",
            str(self.port),
            "-U",
            SUPERUSER,
            "-d",
            database,
        ]
        for command in commands:
            argv += ["-c", command]
        done = _run(_as_user(argv, self.run_as), what="psql", cwd=self.base)
        return done.stdout


def _pg_ctl(cluster: Cluster, *args: str) -> list[str]:
    argv = [str(cluster.bin_dir / "pg_ctl"), "-D", str(cluster.data_dir), "-s", *args]
    return _as_user(argv, cluster.run_as)


# ---------------------------------------------------------------- finding and installing


def find_bin_dir() -> Path | None:
    """The folder holding the server programs, or None when PostgreSQL is not installed."""
    override = os.environ.get(BIN_DIR_ENV, "").strip()
    if override:
        folder = Path(override)
        if not _has_programs(folder):
            raise PostgresUnavailableError(
                f"{BIN_DIR_ENV}={override} does not hold all of {', '.join(PROGRAMS)}"
            )
        return folder
    if DEBIAN_ROOT.is_dir():
        versions = [p for p in DEBIAN_ROOT.iterdir() if p.name.replace(".", "").isdigit()]
        for version in sorted(versions, key=_version_key, reverse=True):
            if _has_programs(version / "bin"):
                return version / "bin"
    on_path = shutil.which("pg_ctl")
    if on_path is not None:
        folder = Path(on_path).resolve().parent
        if _has_programs(folder):
            return folder
    return None


def ensure_installed() -> Path:
    """The server programs' folder; installs Debian's package first when we are root and lack it."""
    found = find_bin_dir()
    if found is not None:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise PostgresUnavailableError(
            "PostgreSQL server programs (initdb, pg_ctl, postgres) not found. Install them, e.g. "
            f"`sudo apt-get install {PACKAGE}` on Debian/Ubuntu or `brew install postgresql` on "
            f"macOS, or set {BIN_DIR_ENV} to the folder that holds them."
        )
    _apt_install()
    found = find_bin_dir()
    if found is None:
        raise PostgresUnavailableError(
            f"apt-get installed {PACKAGE}, but initdb/pg_ctl/postgres are still not found under "
            f"{DEBIAN_ROOT}/<version>/bin"
        )
    return found


def _apt_install() -> None:
    print(
        "installing PostgreSQL with apt-get (tests need a real server)…",
        file=sys.stderr,
        flush=True,
    )
    already_online = _online_system_clusters()
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    lock_wait = ["-o", "DPkg::Lock::Timeout=300"]
    started = time.monotonic()
    # A failed update (one unreachable source, say) need not stop the install: the lists that
    # did arrive may hold the package. Its output goes into the error if the install fails.
    update = _run(
        ["apt-get", *lock_wait, "update", "-qq"],
        what="apt-get update",
        env=env,
        timeout=INSTALL_TIMEOUT,
        check=False,
    )
    left = max(60.0, INSTALL_TIMEOUT - (time.monotonic() - started))
    install = _run(
        ["apt-get", *lock_wait, "install", "-y", "-qq", "--no-install-recommends", PACKAGE],
        what=f"apt-get install {PACKAGE}",
        env=env,
        timeout=left,
        check=False,
    )
    if install.returncode != 0:
        raise PostgresUnavailableError(
            f"apt-get install {PACKAGE} failed (exit {install.returncode}):\n"
            f"{_tail(install.stdout + install.stderr)}\n"
            f"apt-get update (exit {update.returncode}):\n{_tail(update.stdout + update.stderr)}"
        )
    # Where services may start (a machine with systemd, no policy-rc.d), the package starts its
    # default cluster on port 5432. Nothing here uses it: stop what the install started.
    for version, name in sorted(_online_system_clusters() - already_online):
        _run(
            ["pg_ctlcluster", version, name, "stop"],
            what=f"pg_ctlcluster {version} {name} stop",
            check=False,
        )
    print(
        f"installed PostgreSQL in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True
    )


def _online_system_clusters() -> set[tuple[str, str]]:
    """(version, name) of the clusters Debian's postgresql-common runs, when it is installed."""
    if shutil.which("pg_lsclusters") is None:
        return set()
    done = _run(["pg_lsclusters", "--no-header"], what="pg_lsclusters", check=False)
    online = set()
    for line in done.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[3].startswith("online"):
            online.add((fields[0], fields[1]))
    return online


# ---------------------------------------------------------------- starting and stopping


def start_cluster(base: Path) -> Cluster:
    """Create a new cluster in ``base`` (empty or missing), start it, and make the test database.

    The cluster listens on 127.0.0.1 only, on a free port, with password (scram) authentication;
    the superuser is reachable only through a Unix socket inside ``base``. The role ``signoff``
    (LOGIN, CREATEDB) owns the database ``signoff_test``: ``Cluster.url`` connects as that role.
    """
    bin_dir = ensure_installed()
    base = base.resolve()
    base.mkdir(parents=True, exist_ok=True)
    if any(base.iterdir()):
        raise PostgresUnavailableError(f"{base} is not empty; give start_cluster a fresh folder")
    run_as = _server_user()
    socket_dir = _socket_dir(base)
    socket_dir.mkdir(mode=0o700, exist_ok=True)
    if run_as is not None:
        _hand_over(base, run_as)
        _hand_over(socket_dir, run_as)
        _check_reachable(base, run_as)

    cluster = Cluster(
        url="",
        port=0,
        data_dir=base / "data",
        base=base,
        bin_dir=bin_dir,
        socket_dir=socket_dir,
        run_as=run_as,
    )
    _run(
        _as_user(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(cluster.data_dir),
                "-U",
                SUPERUSER,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ],
            run_as,
        ),
        what="initdb",
        cwd=base,
    )
    (cluster.data_dir / "pg_hba.conf").write_text(
        "# Written by scripts/postgres.py: superuser over the private socket, others by password.\n"
        "# TYPE  DATABASE  USER  ADDRESS        METHOD\n"
        "local   all       all                  trust\n"
        "host    all       all   127.0.0.1/32   scram-sha-256\n",
        encoding="utf-8",
    )
    with (cluster.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write(f"\n# Added by scripts/postgres.py\ninclude '{CONFIG_FILE}'\n")

    cluster = _launch(cluster, preferred_port=None)
    try:
        cluster.psql(
            f"CREATE ROLE {ROLE} LOGIN CREATEDB PASSWORD '{PASSWORD}'",
            f"CREATE DATABASE {DATABASE} OWNER {ROLE}",
        )
    except PostgresUnavailableError:
        cluster.stop()
        raise
    return cluster


def open_cluster(base: Path) -> Cluster:
    """The cluster that ``start_cluster`` made in ``base`` (running or not), from its state file."""
    base = base.resolve()
    try:
        state = json.loads((base / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PostgresUnavailableError(
            f"no cluster made by this script in {base}: {error}"
        ) from None
    port = int(state["port"])
    return Cluster(
        url=_url(port, DATABASE),
        port=port,
        data_dir=base / "data",
        base=base,
        bin_dir=Path(state["bin_dir"]),
        socket_dir=Path(state["socket_dir"]),
        run_as=state["run_as"],
    )


def restart_cluster(base: Path) -> Cluster:
    """Start the stopped cluster in ``base`` again, on its old port unless that one is taken."""
    cluster = open_cluster(base)
    if cluster.is_running():
        return cluster
    cluster.socket_dir.mkdir(mode=0o700, exist_ok=True)
    if cluster.run_as is not None:
        _hand_over(cluster.socket_dir, cluster.run_as)
    return _launch(cluster, preferred_port=cluster.port)


def create_database(cluster: Cluster, name: str) -> str:
    """Create an empty database owned by the ``signoff`` role; returns its SQLAlchemy URL."""
    if not DATABASE_NAME.fullmatch(name):
        raise ValueError(f"database name {name!r}: use lower-case letters, digits and _ (max 63)")
    cluster.psql(f"CREATE DATABASE {name} OWNER {ROLE}")
    return cluster.url_for(name)


def _launch(cluster: Cluster, preferred_port: int | None) -> Cluster:
    """Start the server, on a fresh free port when the preferred one is missing or taken."""
    port = preferred_port if preferred_port is not None and _port_free(preferred_port) else None
    for attempt in range(1, START_ATTEMPTS + 1):
        port = port or _free_port()
        cluster = Cluster(
            url=_url(port, DATABASE),
            port=port,
            data_dir=cluster.data_dir,
            base=cluster.base,
            bin_dir=cluster.bin_dir,
            socket_dir=cluster.socket_dir,
            run_as=cluster.run_as,
        )
        _write_settings(cluster)
        deadline = time.monotonic() + START_TIMEOUT
        done = _run(
            _pg_ctl(cluster, "start", "-w", "-t", str(START_TIMEOUT), "-l", str(cluster.log_file)),
            what="pg_ctl start",
            cwd=cluster.base,
            timeout=START_TIMEOUT + 15,
            check=False,
        )
        if done.returncode == 0 and _accepts_tcp(port, deadline):
            _save_state(cluster)
            return cluster
        log = cluster.log_tail()
        if cluster.is_running():
            cluster.stop()
        if "could not bind" in log and attempt < START_ATTEMPTS:
            port = None  # someone took the port between our probe and the server's bind
            continue
        raise PostgresUnavailableError(
            f"PostgreSQL did not start within {START_TIMEOUT} s on {HOST}:{port} "
            f"(pg_ctl exit {done.returncode}). {_tail(done.stdout + done.stderr)}\n"
            f"Last lines of {cluster.log_file}:\n{log}"
        )
    raise AssertionError("unreachable")  # pragma: no cover


def _write_settings(cluster: Cluster) -> None:
    settings: dict[str, str | int] = {
        "listen_addresses": HOST,
        "port": cluster.port,
        "unix_socket_directories": str(cluster.socket_dir),
        "unix_socket_permissions": "0700",
        "max_connections": 100,
        # A test server: speed over durability. A crash loses the cluster, never real data.
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "password_encryption": "scram-sha-256",
        "log_min_messages": "warning",
        "log_timezone": "UTC",
        "timezone": "UTC",
    }
    lines = [f"{key} = {_conf_value(value)}" for key, value in settings.items()]
    path = cluster.data_dir / CONFIG_FILE
    path.write_text(
        "# Written by scripts/postgres.py\n" + "\n".join(lines) + "\n", encoding="utf-8"
    )
    if cluster.run_as is not None:
        _hand_over(path, cluster.run_as)


def _save_state(cluster: Cluster) -> None:
    state = {
        "port": cluster.port,
        "bin_dir": str(cluster.bin_dir),
        "socket_dir": str(cluster.socket_dir),
        "run_as": cluster.run_as,
        "url": cluster.url,
    }
    (cluster.base / STATE_FILE).write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- running as another user


def _server_user() -> str | None:
    """None when we are not root; else the unprivileged system user the server runs as."""
    if os.geteuid() != 0:
        return None
    for name in (SYSTEM_USER, FALLBACK_USER):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        if entry.pw_uid != 0:
            return name
    _run(
        [
            "useradd",
            "--system",
            "--user-group",
            "--no-create-home",
            "--home-dir",
            "/nonexistent",
            "--shell",
            "/usr/sbin/nologin",
            FALLBACK_USER,
        ],
        what=f"useradd {FALLBACK_USER}",
    )
    return FALLBACK_USER


def _as_user(argv: list[str], user: str | None) -> list[str]:
    if user is None:
        return argv
    if shutil.which("setpriv") is not None:
        entry = pwd.getpwnam(user)
        return [
            "setpriv",
            f"--reuid={entry.pw_uid}",
            f"--regid={entry.pw_gid}",
            "--init-groups",
            "--",
            *argv,
        ]
    return ["runuser", "-u", user, "--", *argv]


def _hand_over(path: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def _check_reachable(base: Path, user: str) -> None:
    done = _run(
        _as_user(["test", "-w", str(base), "-a", "-x", str(base)], user),
        what="access check",
        check=False,
    )
    if done.returncode != 0:
        raise PostgresUnavailableError(
            f"the server must run as the unprivileged user {user!r} (PostgreSQL refuses root), "
            f"and {user!r} cannot reach {base}: a parent folder is private (mode 700?). "
            f"Use a folder others may enter, e.g. a new one right under {tempfile.gettempdir()}."
        )


def _socket_dir(base: Path) -> Path:
    inside = base / "socket"
    if len(str(inside)) <= MAX_SOCKET_PATH:
        return inside
    # Too long for a Unix socket address: a short private folder in the temp dir instead.
    return Path(tempfile.mkdtemp(prefix="signoff-pg-"))


# ---------------------------------------------------------------- small helpers


def _run(
    argv: list[str],
    *,
    what: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = COMMAND_TIMEOUT,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(
            argv,
            cwd=cwd,
            env=env if env is not None else _server_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as error:
        raise PostgresUnavailableError(f"{what}: {error}") from None
    except subprocess.TimeoutExpired:
        raise PostgresUnavailableError(f"{what}: no answer after {timeout:.0f} s") from None
    if check and done.returncode != 0:
        raise PostgresUnavailableError(
            f"{what} failed (exit {done.returncode}):\n{_tail(done.stdout + done.stderr)}"
        )
    return done


def _server_env() -> dict[str, str]:
    """Our environment without PG* variables (PGHOST, PGPASSWORD… would redirect psql)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
        return True


def _accepts_tcp(port: int, deadline: float) -> bool:
    while True:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return True
        except OSError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)


def _url(port: int, database: str) -> str:
    return f"postgresql+psycopg://{ROLE}:{PASSWORD}@{HOST}:{port}/{database}"


def _conf_value(value: str | int) -> str:
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


def _has_programs(folder: Path) -> bool:
    return all(os.access(folder / name, os.X_OK) for name in PROGRAMS)


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in path.name.split(".") if part.isdigit())


def _tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    kept = text.strip().splitlines()[-lines:]
    return "\n".join(kept) if kept else "(no output)"


# ---------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/postgres.py", description="A throwaway PostgreSQL server on 127.0.0.1."
    )
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("dir", type=Path, help="folder for the cluster (made if missing)")
    args = parser.parse_args(argv)
    base: Path = args.dir
    try:
        if args.action == "stop":
            open_cluster(base).stop()
            print(f"stopped the cluster in {base}", file=sys.stderr)
            return 0
        if (base / STATE_FILE).is_file():
            cluster = restart_cluster(base)
        else:
            started = time.monotonic()
            cluster = start_cluster(base)
            print(f"started in {time.monotonic() - started:.1f} s", file=sys.stderr)
    except PostgresUnavailableError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"stop it with: python scripts/postgres.py stop {base}", file=sys.stderr)
    print(cluster.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
