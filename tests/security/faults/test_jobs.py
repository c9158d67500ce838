"""Jobs survive faults. The worker killed with SIGKILL in the middle of a job: after a restart
every job finishes, and nobody receives a mail twice (counted at the mail server, as a person's
inbox would). Redis killed and started again: the jobs queued in it still run.

A killed worker's fetched jobs stay unacked in Redis; the restarted worker puts them back on
their queue once the dead one has missed its heartbeats (KEFU_DRAMATIQ_HEARTBEAT_TIMEOUT_MS,
short here). Each kill happens at a known point: a mail held by the mail server after its data
and before its "accepted", a Stripe API call held by the stand-in, a knowledge base import
waiting for a category this test is creating in a transaction it keeps open."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import signal
import smtplib
import uuid
from typing import ClassVar

import dramatiq
import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail.backends import locmem
from django.db import connection
from django.test import Client
from dramatiq.brokers.redis import RedisBroker

from billing import jobs as billing_jobs
from billing.accounts import billing_account_get
from billing.models import BillingAccount, BillingNotice, Plan, StripeEvent
from kefu.accounts.models import User
from kefu.contacts.services import contact_for_email
from kefu.embedded import EmbeddedRedis
from kefu.kb.jobs import article_import_job
from kefu.kb.models import Article, ArticleImport, Category
from kefu.kb.transfer import CHUNK_ROWS
from kefu.messaging.models import EmailThreadId, InboundEmail
from kefu.search.engine import search
from kefu.search.models import SearchEntry
from kefu.tenancy import public_context, tenant_context
from kefu.tickets.models import Ticket
from kefu.tickets.services.creation import ticket_create
from kefu.tickets.services.thread import ticket_reply
from tests.billing.standin import WEBHOOK_SECRET, StripeStandin
from tests.billing.webhook_helpers import account_of, checkout_open, deliver, plan_make
from tests.conftest import PASSWORD
from tests.helpers import test_database_url as database_url
from tests.security.faults.mail import SIGNING_KEY, inbound_post, message_bytes
from tests.security.faults.support import FakeSmtp, Hold, kefu_env, wait_until, worker

pytestmark = pytest.mark.slow


def _drained(queue: str) -> None:
    """Every message of ``queue`` (and its retries) acknowledged, by whichever worker."""
    dramatiq.get_broker().join(queue, timeout=90_000)


def _kill_then_restart(processes, queues, env, hold: Hold) -> None:
    """Kill the worker once it is held at ``hold``, let go, and start a fresh one."""
    hold.wait_reached()
    processes.started[-1].kill()
    hold.release()
    processes.add(worker(queues, env=env, log=processes.log("worker")))


@pytest.fixture
def mail_queue_flushed():
    broker = dramatiq.get_broker()
    broker.flush("mail")
    yield
    broker.flush("mail")


# --- a mail job ---------------------------------------------------------------------------


def test_a_reply_mail_whose_worker_was_killed_while_sending_arrives_once(
    db_access, workspace, smtp: FakeSmtp, processes, mail_queue_flushed
):
    marker = uuid.uuid4().hex[:8]
    customer = f"casey-{marker}@example.com"
    with tenant_context(workspace):
        agent = User.objects.create_user(
            username=f"agent-{marker}", email=f"agent-{marker}@faults.example", role="agent"
        )
        requester = contact_for_email(email=customer, name="Casey")
        ticket = ticket_create(subject=f"Printer {marker}", description="", requester=requester)
    dramatiq.get_broker().flush("mail")  # the "we got your request" mail is not this test's
    env = kefu_env(**smtp.env())
    hold = smtp.hold(customer)
    processes.add(worker(["mail"], env=env, log=processes.log("worker")))

    with tenant_context(workspace):
        ticket_reply(ticket=ticket, author=agent, body=f"Turn it off and on again, {marker}.")
    _kill_then_restart(processes, ["mail"], env, hold)

    wait_until(lambda: smtp.to(customer), what="the reply to reach the customer")
    _drained("mail")
    mails = smtp.to(customer)
    subjects = [str(m["Subject"]) for m in mails]
    assert subjects == [f"Re: [#{ticket.number}] Printer {marker}"], smtp.events
    [mail] = mails
    assert f"Turn it off and on again, {marker}." in mail.get_body(("plain",)).get_content()
    with tenant_context(workspace):  # the customer's answer to it threads into the ticket
        sent = EmailThreadId.objects.get(message_id=str(mail["Message-ID"]).strip("<>"))
        assert sent.ticket_id == ticket.pk


def test_an_inbound_mail_whose_worker_was_killed_gets_one_ticket_and_one_auto_reply(
    db_access, workspace, smtp: FakeSmtp, processes, mail_queue_flushed, settings
):
    settings.ANYMAIL = {**settings.ANYMAIL, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}
    marker = uuid.uuid4().hex[:8]
    sender = f"robin-{marker}@example.com"
    raw = message_bytes(
        sender=sender, to=f"support@{workspace.slug}.localhost", subject=f"Lost parcel {marker}"
    )
    env = kefu_env(**smtp.env())
    hold = smtp.hold(sender)
    processes.add(worker(["mail"], env=env, log=processes.log("worker")))

    response = inbound_post(Client(), raw, recipient=f"support@{workspace.slug}.localhost")
    assert response.status_code == 200
    _kill_then_restart(processes, ["mail"], env, hold)

    wait_until(lambda: smtp.to(sender), what="the automatic reply")
    _drained("mail")
    [auto_reply] = smtp.to(sender)
    with tenant_context(workspace):
        [ticket] = Ticket.objects.filter(subject=f"Lost parcel {marker}")
        assert f"[#{ticket.number}]" in auto_reply["Subject"]
        inbound = InboundEmail.objects.get(ticket=ticket)
        assert inbound.status == InboundEmail.Status.PROCESSED


# --- a webhook job ------------------------------------------------------------------------


class HeldStripe(StripeStandin):
    """The stand-in, holding the first request for an invoice until the test lets go."""

    def __init__(self) -> None:
        super().__init__()
        self.invoice_hold = Hold("invoice")

    def _handle(self, request, method: str) -> None:
        invoice = method == "GET" and request.path.startswith("/v1/invoices/")
        if invoice and not self.invoice_hold.reached.is_set():
            self.invoice_hold.reached.set()
            self.invoice_hold.released.wait(180)
        with contextlib.suppress(OSError):  # the worker that asked was killed meanwhile
            super()._handle(request, method)


@pytest.fixture
def stripe(settings):
    standin = HeldStripe().start()
    settings.STRIPE_SECRET_KEY = "sk_test_standin"
    settings.KEFU_STRIPE_API_BASE = standin.url
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    broker = dramatiq.get_broker()
    broker.flush("billing")
    yield standin
    standin.invoice_hold.release()
    standin.stop()
    broker.flush("billing")


@pytest.fixture
def subscribed(workspace, stripe):
    """Two owners and a plan; every billing row the test makes is removed after."""
    marker = uuid.uuid4().hex[:8]
    owners = [f"owner{number}-{marker}@faults.example" for number in (1, 2)]
    with tenant_context(workspace):
        for email in owners:
            User.objects.create_user(username=email, email=email, password=PASSWORD, role="owner")
    plan_before = workspace.plan_id
    plan = plan_make(code=f"faults-{marker}", name="Faults plan")
    yield owners, plan
    with public_context():
        StripeEvent.objects.filter(tenant=workspace).delete()
        BillingNotice.objects.filter(account__tenant=workspace).delete()
        BillingAccount.objects.filter(tenant=workspace).delete()
        type(workspace).objects.filter(pk=workspace.pk).update(plan_id=plan_before)
        Plan.objects.filter(pk=plan.pk).delete()


def test_stripe_jobs_killed_midway_apply_the_event_once_and_mail_each_owner_once(
    db_access, workspace, stripe, subscribed, smtp: FakeSmtp, processes
):
    owners, plan = subscribed
    events = stripe.checkout_complete_simulate(checkout_open(stripe, workspace, plan))
    subscription_id = events[-1]["data"]["object"]["subscription"]
    env = kefu_env(
        **smtp.env(),
        STRIPE_SECRET_KEY="sk_test_standin",
        KEFU_STRIPE_API_BASE=stripe.url,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )
    owner_hold = smtp.hold(owners[1])  # the second owner's mail, after the first one's
    processes.add(worker(["billing"], env=env, log=processes.log("worker")))

    client = Client()
    for event in [*events, *stripe.payment_failed_simulate(subscription_id)]:
        assert deliver(client, event).status_code == 200
    # Killed while the payment failure is applied (reading the invoice from Stripe) ...
    _kill_then_restart(processes, ["billing"], env, stripe.invoice_hold)
    # ... and again while the "payment failed" mail goes out to the second owner.
    _kill_then_restart(processes, ["billing"], env, owner_hold)

    wait_until(lambda: smtp.to(owners[1]), what="the second owner's mail")
    _drained("billing")
    for owner in owners:
        [mail] = smtp.to(owner)
        assert "Payment failed" in mail["Subject"]
    account = account_of(workspace)
    assert account.status == BillingAccount.Status.PAST_DUE
    assert account.tenant.plan == plan
    with public_context():
        assert not StripeEvent.objects.filter(tenant=workspace, processed_at=None).exists()


# --- an import ----------------------------------------------------------------------------


def _faq_csv(marker: str, rows: int, held_row: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["title", "body", "language", "category"])
    for number in range(1, rows + 1):
        category = f"held {marker}" if number == held_row else f"general {marker}"
        writer.writerow([f"Question {number} {marker}", f"Answer zq{marker}x{number}.", "en",
                         category])  # fmt: skip
    return buffer.getvalue().encode()


def _import_waiting() -> bool:
    """Whether a session is waiting to insert a category (for the test's transaction)."""
    with psycopg.connect(database_url(), autocommit=True) as admin:
        waiting = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE %s",
            ['%INSERT INTO "kb_category"%'],
        ).fetchone()
    return bool(waiting and waiting[0])


@pytest.fixture
def imports_queue(workspace):
    broker = dramatiq.get_broker()
    broker.flush("imports")
    yield
    broker.flush("imports")
    with tenant_context(workspace):
        SearchEntry.objects.all().delete()
        Article.objects.all().delete()
        Category.objects.all().delete()
        ArticleImport.objects.all().delete()


def test_an_import_killed_halfway_resumes_and_every_article_is_there_once_and_found(
    db_access, workspace, processes, imports_queue
):
    marker = uuid.uuid4().hex[:6]
    rows, held_row = 2 * CHUNK_ROWS + 50, CHUNK_ROWS + 20  # killed inside the second chunk
    with tenant_context(workspace):
        article_import = ArticleImport(file_format="csv", publish=True)
        article_import.file.save("faq.csv", ContentFile(_faq_csv(marker, rows, held_row)))
    # Another transaction creates the held row's category and waits: the import's own insert
    # of that category must wait for it, in the middle of the second chunk.
    blocker = psycopg.connect(database_url())
    blocker.execute(f'SET search_path TO "{workspace.schema_name}", public')
    blocker.execute(
        "INSERT INTO kb_category (name, name_zh_hans, name_en, slug, description, position)"
        " VALUES (%s, '', '', %s, '', 0)",
        [f"held {marker}", f"held-{marker}"],
    )
    env = kefu_env(KEFU_SEMANTIC_SEARCH="0")  # words are enough to find them, and quicker
    processes.add(worker(["imports"], env=env, log=processes.log("worker")))
    with tenant_context(workspace):
        article_import_job.send(article_import.pk)

    wait_until(_import_waiting, what="the import to wait for the category")
    processes.started[-1].kill()
    blocker.rollback()
    blocker.close()
    with tenant_context(workspace):
        article_import.refresh_from_db()
    assert article_import.status == ArticleImport.Status.RUNNING
    assert 0 < article_import.processed_rows < rows  # killed halfway through
    processes.add(worker(["imports"], env=env, log=processes.log("worker")))

    def finished() -> bool:
        with tenant_context(workspace):
            article_import.refresh_from_db()
        return article_import.status == ArticleImport.Status.DONE

    wait_until(finished, what="the import to finish after the restart")
    assert (article_import.processed_rows, article_import.created_count) == (rows, rows)
    assert article_import.failures == []
    with tenant_context(workspace):
        titles = list(Article.objects.values_list("title", flat=True))
        assert sorted(titles) == sorted(f"Question {n} {marker}" for n in range(1, rows + 1))
        for number in (1, CHUNK_ROWS + 1, held_row, rows):  # before, at and after the crash
            hits = search(f"zq{marker}x{number}", log=False).hits
            assert [hit.article.title for hit in hits[:1]] == [f"Question {number} {marker}"]
    connection.set_schema_to_public()


# --- one owner's mail failing (in-process) ------------------------------------------------


class FailsOnceFor(locmem.EmailBackend):
    """The test mail outbox, but the first mail to ``failing`` is refused by the server."""

    failing: ClassVar[set[str]] = set()

    def send_messages(self, messages):
        for message in messages:
            refused = self.failing.intersection(message.to)
            if refused:
                self.failing.difference_update(refused)
                raise smtplib.SMTPServerDisconnected("connection lost")
        return super().send_messages(messages)


def test_a_billing_notice_retried_after_one_owner_was_mailed_mails_only_the_others(
    tenant_a, make_user, settings, mailoutbox
):
    first, second = make_user(tenant_a, "owner"), make_user(tenant_a, "owner")
    account = billing_account_get(tenant=tenant_a)
    with public_context():
        notice = BillingNotice.objects.create(account=account, kind="restored", reference="x")
    settings.EMAIL_BACKEND = f"{__name__}.FailsOnceFor"
    FailsOnceFor.failing = {second.email}

    with pytest.raises(smtplib.SMTPServerDisconnected):
        billing_jobs.billing_notice_send.fn(notice.pk)
    billing_jobs.billing_notice_send.fn(notice.pk)  # dramatiq's retry
    billing_jobs.billing_notice_send.fn(notice.pk)  # and one more after success

    assert sorted(m.to[0] for m in mailoutbox) == sorted([first.email, second.email])


# --- Redis restarted ----------------------------------------------------------------------


def test_jobs_queued_before_redis_was_killed_run_once_it_is_back(
    db_access, workspace, processes, imports_queue, tmp_path
):
    """Redis killed (no shutdown, no snapshot) with a job queued: its append-only file has it."""
    redis = EmbeddedRedis(tmp_path / "redis").start()
    restarted = EmbeddedRedis(tmp_path / "redis")
    try:
        with tenant_context(workspace):
            article_import = ArticleImport(file_format="csv", publish=True)
            article_import.file.save("faq.csv", ContentFile(_faq_csv("redis", rows=3, held_row=0)))
        namespace = settings.DRAMATIQ_BROKER["OPTIONS"]["namespace"]
        broker = RedisBroker(url=redis.url, namespace=namespace)
        message = article_import_job.actor.message(workspace.schema_name, article_import.pk)
        broker.enqueue(message)
        broker.client.connection_pool.disconnect()

        os.kill(int((tmp_path / "redis" / "redis.pid").read_text()), signal.SIGKILL)
        wait_until(lambda: not redis.is_running(), what="Redis to die")
        restarted.start()
        processes.add(worker(["imports"], env=kefu_env(REDIS_URL=restarted.url),
                             log=processes.log("worker")))  # fmt: skip

        def finished() -> bool:
            with tenant_context(workspace):
                article_import.refresh_from_db()
            return article_import.status == ArticleImport.Status.DONE

        wait_until(finished, what="the import queued before the restart")
        with tenant_context(workspace):
            assert Article.objects.filter(title__endswith=" redis").count() == 3
    finally:
        for process in processes.started:
            process.stop()
        restarted.stop()
        redis.stop()
