"""What the fault tests run against: Kefu's own processes (a dramatiq worker, a gunicorn web
server) on the test database and broker, and a mail server on 127.0.0.1 that counts what it
accepted and can hold a mail at the moment it is being handed over."""

from __future__ import annotations

import email
import email.policy
import os
import re
import select
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from django.conf import settings

from tests.helpers import test_database_url

#: A worker with no heartbeat for this long is dead to the others (production: a minute) ...
HEARTBEAT_TIMEOUT_MS = 4000
#: ... and every broker command looks for dead workers' jobs (production: 1 in 100).
MAINTENANCE_CHANCE = 1_000_000
DEADLINE = 90.0


def wait_until(condition: Callable[[], Any], *, what: str, timeout: float = DEADLINE) -> Any:
    """Poll ``condition`` until it returns something true (returned), or fail with ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"gave up after {timeout:.0f}s waiting for {what}")


def kefu_env(**extra: str) -> dict[str, str]:
    """The environment of a Kefu process on this test session's database, broker, media folder
    and settings (the same KEFU_ENV, so the same job queues)."""
    return {
        **os.environ,
        "KEFU_ENV": settings.KEFU_ENV,
        "KEFU_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "kefu.settings.test",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "KEFU_CACHE_URL": settings.CACHE_URL,
        "KEFU_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "KEFU_DRAMATIQ_HEARTBEAT_TIMEOUT_MS": str(HEARTBEAT_TIMEOUT_MS),
        "KEFU_DRAMATIQ_MAINTENANCE_CHANCE": str(MAINTENANCE_CHANCE),
        **extra,
    }


class KefuProcess:
    """A Kefu command in its own process group (so SIGKILL takes the whole of it at once)."""

    def __init__(self, args: list[str], *, env: dict[str, str], log: Path) -> None:
        self.args, self.env, self.log = args, env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> KefuProcess:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.args, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown, no requeue, no rollback but the database's own. Returns once
        every process of the group is dead (its sockets closed by the kernel)."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        wait_until(lambda: not _living_members(self.process.pid), what="the killed processes")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _living_members(group: int) -> list[int]:
    """Processes of a process group that have not finished exiting. A process's files (its
    sockets) are closed when its last thread is gone, and its main thread can be a zombie
    before the others are: so every thread counts."""
    living = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int(_stat(entry)[2]) != group:
                continue
            states = [_stat(task)[0] for task in (entry / "task").iterdir()]
        except (OSError, IndexError):
            continue
        if any(state not in ("Z", "X") for state in states):
            living.append(int(entry.name))
    return living


def _stat(proc_entry: Path) -> list[str]:
    """The fields of a /proc stat file after the command name: state, parent, group, ..."""
    return (proc_entry / "stat").read_text().rsplit(")", 1)[1].split()


def worker(queues: list[str], *, env: dict[str, str], log: Path) -> KefuProcess:
    """``kefu rundramatiq`` on ``queues``: one process, one thread, as in production's unit."""
    args = [sys.executable, "-m", "kefu.cli", "rundramatiq", "--processes", "1", "--threads", "1",
            "--queues", *queues]  # fmt: skip
    return KefuProcess(args, env=env, log=log)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def web_server(*, port: int, env: dict[str, str], log: Path) -> KefuProcess:
    """Kefu's WSGI application under gunicorn, as production serves it. One synchronous worker:
    its database connection lives from one request to the next (KEFU_DB_CONN_MAX_AGE)."""
    args = [sys.executable, "-m", "gunicorn", "kefu.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "120"]  # fmt: skip
    return KefuProcess(args, env=env, log=log)


def wait_until_serving(port: int, server: KefuProcess) -> None:
    def up() -> bool:
        assert server.process is not None
        if server.process.poll() is not None:
            raise AssertionError(f"the web server exited:\n{server.output()[-3000:]}")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/healthz", headers={"Host": "localhost"}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - ours
                return answer.status == 200
        except OSError:
            return False

    wait_until(up, what="the web server to answer")


# --- a mail server --------------------------------------------------------------------------


@dataclass
class Accepted:
    """A mail the server answered 250 to: delivered, as far as the sender can tell."""

    recipients: list[str]
    message: EmailMessage


@dataclass
class Hold:
    """Stops the next mail to ``recipient`` once its data is in, before the server answers."""

    recipient: str
    reached: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def wait_reached(self, timeout: float = DEADLINE) -> None:
        if not self.reached.wait(timeout):
            raise AssertionError(f"no mail to {self.recipient} reached the mail server")

    def release(self) -> None:
        self.released.set()


_ADDRESS = re.compile(rb"<([^>]*)>")


class FakeSmtp:
    """An SMTP server on 127.0.0.1. A mail counts as delivered when the server answers 250 to
    the end of its data, as in RFC 5321; a sender that went away before that answer (killed)
    delivered nothing, and a real server would not deliver it either."""

    def __init__(self) -> None:
        self.accepted: list[Accepted] = []
        self.holds: list[Hold] = []
        #: What happened, for the message of a failing test.
        self.events: list[str] = []
        self.lock = threading.Lock()
        self.server: socketserver.ThreadingTCPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.server_address[1]

    def env(self) -> dict[str, str]:
        """Settings that make a Kefu process send its mail here."""
        return {
            "KEFU_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "KEFU_EMAIL_HOST": "127.0.0.1",
            "KEFU_EMAIL_PORT": str(self.port),
            "KEFU_EMAIL_USE_TLS": "0",
        }

    def start(self) -> FakeSmtp:
        smtp = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                smtp._session(self)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        for hold in self.holds:
            hold.release()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def hold(self, recipient: str) -> Hold:
        hold = Hold(recipient.lower())
        with self.lock:
            self.holds.append(hold)
        return hold

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [a.message for a in self.accepted if address.lower() in a.recipients]

    # -- the protocol ----------------------------------------------------------------------
    def _session(self, handler: socketserver.StreamRequestHandler) -> None:
        def reply(text: str) -> None:
            handler.wfile.write(text.encode() + b"\r\n")

        reply("220 fake-smtp ESMTP")
        recipients: list[str] = []
        while line := handler.rfile.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                reply("250-fake-smtp\r\n250-8BITMIME\r\n250 SMTPUTF8")
            elif verb in (b"HELO", b"NOOP"):
                reply("250 OK")
            elif verb == b"MAIL":
                recipients = []
                reply("250 OK")
            elif verb == b"RCPT":
                found = _ADDRESS.search(line)
                recipients.append(found.group(1).decode().lower() if found else "")
                reply("250 OK")
            elif verb == b"DATA":
                reply("354 End data with <CR><LF>.<CR><LF>")
                data = self._data(handler)
                held = self._held_until_released(recipients)
                if held and _peer_gone(handler.connection):
                    self.events.append(f"{recipients}: sender gone while held, not delivered")
                    return  # the sender died before the answer: nothing was delivered
                message = email.message_from_bytes(data, policy=email.policy.default)
                self.events.append(f"{recipients}: accepted {message['Message-ID']} held={held}")
                with self.lock:
                    self.accepted.append(Accepted(list(recipients), message))  # type: ignore[arg-type]
                reply("250 OK: queued")
            elif verb == b"RSET":
                recipients = []
                reply("250 OK")
            elif verb == b"QUIT":
                reply("221 Bye")
                return
            else:
                reply("502 Command not implemented")

    @staticmethod
    def _data(handler: socketserver.StreamRequestHandler) -> bytes:
        lines = []
        while (line := handler.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)

    def _held_until_released(self, recipients: list[str]) -> bool:
        with self.lock:
            hold = next(
                (h for h in self.holds if not h.reached.is_set() and h.recipient in recipients),
                None,
            )
            if hold is not None:
                hold.reached.set()
        if hold is None:
            return False
        hold.released.wait(DEADLINE * 2)
        return True


def _peer_gone(connection: socket.socket, wait: float = 5.0) -> bool:
    """Whether the other end closed the connection (a killed process's socket is closed by the
    kernel) while it was waiting for the answer; a live sender sends nothing until then."""
    readable, _writable, _failed = select.select([connection], [], [], wait)
    if not readable:
        return False
    try:
        return connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True
