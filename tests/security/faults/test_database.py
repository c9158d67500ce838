"""PostgreSQL restarted under a running Kefu (gunicorn, its connections kept between requests):
a clear 503 in the visitor's language while it is down, the inbound mail webhook a 503 so the
provider delivers again, full service after, and nothing that was committed lost.

The restart is real: the session's own embedded PostgreSQL is stopped (fast shutdown, as a
restart does) and started again. Nothing else uses it meanwhile; this process reconnects."""

from __future__ import annotations

import http.client
import json
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import dramatiq
import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client

from kefu.accounts.models import User
from kefu.accounts.services import api_token_create
from kefu.kb.services import article_save
from kefu.messaging import inbound
from kefu.messaging import jobs as messaging_jobs
from kefu.messaging.models import InboundEmail
from kefu.tenancy import public_context, tenant_context
from kefu.tickets.models import Ticket
from tenants.models import UnroutedEmail
from tests.helpers import run_worker_until_idle
from tests.security.faults.mail import (
    INBOUND_PATH,
    SIGNING_KEY,
    inbound_post,
    message_bytes,
    signed_form,
)
from tests.security.faults.support import (
    KefuProcess,
    free_port,
    kefu_env,
    wait_until,
    wait_until_serving,
    web_server,
)

pytestmark = pytest.mark.slow

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    text: str

    def json(self) -> dict:
        return json.loads(self.text)


@dataclass
class LiveKefu:
    port: int
    host: str  # the workspace's
    token: str  # a staff API token of the workspace
    server: KefuProcess

    def request(
        self, method: str, path: str, *, host: str = "", body: bytes | None = None, **headers
    ) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers={"Host": host or self.host,
                                                                 **headers})  # fmt: skip
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read().decode())
        finally:
            connection.close()

    def page(self, path: str = "/", *, language: str = "en", host: str = "") -> Answer:
        return self.request("GET", path, host=host, Accept=BROWSER, **{"Accept-Language": language})

    def api(self, method: str, path: str, payload: dict | None = None) -> Answer:
        return self.request(
            method, path, body=json.dumps(payload).encode() if payload is not None else None,
            Authorization=f"Bearer {self.token}", **{"Content-Type": "application/json"},
        )  # fmt: skip


@pytest.fixture(scope="module")
def kefu(workspace, django_db_blocker, tmp_path_factory) -> Iterator[LiveKefu]:
    with django_db_blocker.unblock(), tenant_context(workspace):
        agent = User.objects.create_user(
            username="agent@faults.example", email="agent@faults.example", role="agent"
        )
        _token, secret = api_token_create(user=agent, name="faults")
        article_save(title="How do I reset my password?", body="Use the link.",
                     language="en", status="published", index_now=True)  # fmt: skip
    connection.set_schema_to_public()
    port = free_port()
    log = tmp_path_factory.mktemp("faults-web") / "gunicorn.log"
    env = kefu_env(
        KEFU_DB_CONN_MAX_AGE="600",  # as production: connections outlive a request
        KEFU_MEDIA_ROOT=str(tmp_path_factory.getbasetemp() / "media"),
        MAILGUN_WEBHOOK_SIGNING_KEY=SIGNING_KEY,
    )
    server = web_server(port=port, env=env, log=log).start()
    try:
        wait_until_serving(port, server)
        yield LiveKefu(port=port, host=f"{workspace.slug}.localhost", token=secret, server=server)
    finally:
        server.stop()
        print(f"\n--- gunicorn ---\n{server.output()[-4000:]}")  # noqa: T201


@pytest.fixture
def postgres():
    """The embedded PostgreSQL of this session, started again after the test whatever happens."""
    server = settings.EMBEDDED_POSTGRES
    if server is None:
        pytest.skip("DATABASE_URL names a PostgreSQL these tests cannot restart")
    connection.close()
    yield server
    if not server.is_running():
        server.start()
    connection.close()


@pytest.fixture
def jobs_dropped():
    """The jobs the server queues (ticket mail, routing) are not what these tests look at."""
    broker = dramatiq.get_broker()
    yield broker
    for queue in list(broker.get_declared_queues()):
        broker.flush(queue)


def _requester(number: int) -> dict:
    return {"email": f"hammer{number}@example.com", "name": f"Hammer {number}"}


def test_while_postgresql_restarts_visitors_get_a_clear_503_and_no_commit_is_lost(
    db_access, kefu: LiveKefu, workspace, postgres, jobs_dropped
):
    assert kefu.page().status == 200
    results: list[tuple[int, int | None]] = []  # (status, the ticket created)
    stop = threading.Event()

    def open_tickets() -> None:  # an integration opening tickets all along
        for number in range(1, 100_000):
            if stop.is_set():
                return
            ticket = {"subject": f"Hammer {number}", "requester": _requester(number)}
            answer = kefu.api("POST", "/api/v1/tickets", ticket)
            results.append((answer.status, answer.json()["id"] if answer.status == 201 else None))
            stop.wait(0.05)

    hammer = threading.Thread(target=open_tickets)
    hammer.start()
    try:
        wait_until(lambda: len([s for s, _ in results if s == 201]) >= 3, what="tickets")
        postgres.shutdown()
        try:
            english, chinese = kefu.page(), kefu.page(language="zh-hans")
            public = kefu.page(host="localhost")
            desk = kefu.page("/desk/")
            api = kefu.api("GET", "/api/v1/tickets")
            wait_until(lambda: 503 in [s for s, _ in results], what="a refused ticket")
        finally:
            postgres.start()
        since_restart = len(results)
        wait_until(lambda: 201 in [s for s, _ in results[since_restart:]], what="tickets again")
    finally:
        stop.set()
        hammer.join(60)

    for answer in (english, chinese, public, desk):
        assert answer.status == 503
        assert answer.headers["Retry-After"] == "30"
        assert answer.headers["Content-Type"].startswith("text/html")
    assert "Temporarily unavailable" in english.text
    assert "Kefu cannot reach its database at the moment" in english.text
    assert "暂时无法访问" in chinese.text
    assert '<html lang="zh-hans">' in chinese.text
    assert "Temporarily unavailable" in public.text
    assert (api.status, api.headers["Retry-After"]) == (503, "30")
    assert api.json()["error"]["code"] == "unavailable"
    statuses = Counter(status for status, _ in results)
    assert set(statuses) <= {201, 503}, statuses  # refused, or kept: never a crash
    created = {ticket_id for status, ticket_id in results if status == 201}
    with tenant_context(workspace):
        kept = set(Ticket.objects.filter(pk__in=created).values_list("pk", flat=True))
    assert kept == created  # every ticket the integration was told about is there
    assert kefu.page().status == 200
    assert kefu.api("GET", f"/api/v1/tickets/{max(created)}").status == 200


def test_a_restart_between_two_requests_goes_unnoticed(
    db_access, kefu: LiveKefu, postgres, jobs_dropped
):
    """The server's kept connection died with the restart; the next request must not fail on
    it (CONN_HEALTH_CHECKS replaces it)."""
    assert kefu.page().status == 200
    postgres.shutdown()
    postgres.start()

    assert [kefu.page().status, kefu.api("GET", "/api/v1/tickets").status] == [200, 200]


def test_the_inbound_mail_webhook_answers_503_while_down_and_takes_the_mail_after(
    db_access, kefu: LiveKefu, workspace, postgres, jobs_dropped
):
    jobs_dropped.flush("mail")
    marker = uuid.uuid4().hex[:8]
    raw = message_bytes(sender=f"robin-{marker}@example.com",
                        to=f"support@{kefu.host}", subject=f"Lost parcel {marker}")  # fmt: skip
    body, content_type = signed_form(raw, recipient=f"support@{kefu.host}")

    def deliver() -> Answer:  # as Mailgun posts it, and posts it again after a failure
        return kefu.request("POST", INBOUND_PATH, host="localhost", body=body,
                            **{"Content-Type": content_type})  # fmt: skip

    postgres.shutdown()
    try:
        refused = deliver()
    finally:
        postgres.start()
    accepted = deliver()

    assert (refused.status, refused.headers["Retry-After"]) == (503, "30")
    assert accepted.status == 200
    assert messaging_jobs.inbound_process_job  # known to the worker below
    run_worker_until_idle("mail")
    with tenant_context(workspace):
        [ticket] = Ticket.objects.filter(subject=f"Lost parcel {marker}")
        assert InboundEmail.objects.get(ticket=ticket).status == InboundEmail.Status.PROCESSED
    with public_context():
        assert not UnroutedEmail.objects.filter(recipient__contains=kefu.host).exists()


@pytest.mark.django_db
def test_a_database_error_while_storing_inbound_mail_is_a_503_not_unrouted_mail(
    tenant_a, settings, monkeypatch
):
    """The database failing in the middle of the request (not at its start) is not the mail's
    fault: the provider is asked to deliver again, not told the mail was kept elsewhere."""
    settings.ANYMAIL = {**settings.ANYMAIL, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}

    def connection_lost(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(inbound, "email_receive", connection_lost)
    raw = message_bytes(sender="robin@example.com", to="support@alpha.localhost", subject="Hi")
    client = Client(raise_request_exception=False)

    response = inbound_post(client, raw, recipient="support@alpha.localhost")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/plain")
    with public_context():
        assert not UnroutedEmail.objects.exists()
