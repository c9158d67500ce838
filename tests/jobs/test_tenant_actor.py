"""A job enqueued inside a tenant runs inside that tenant's schema, on a real dramatiq worker."""

from __future__ import annotations

import threading
import uuid

import dramatiq
import pytest
from django.db import connection, transaction

from kefu.jobs import TenantActorError, enqueue_on_commit, tenant_actor
from kefu.kb.models import Article
from kefu.tenancy import public_context, schema_context, tenant_context
from tenants.models import Tenant
from tests.helpers import run_worker_until_idle

QUEUE = "test-tenant-probe"
seen: list[tuple[str, list[str]]] = []
seen_lock = threading.Lock()


@tenant_actor(queue_name=QUEUE, max_retries=0)
def record_visible_articles(marker: str) -> None:
    """What the worker sees: its schema and the articles carrying the marker."""
    titles = list(Article.objects.filter(slug=marker).values_list("title", flat=True))
    with seen_lock:
        seen.append((connection.schema_name, titles))


@pytest.fixture
def committed_articles(django_db_blocker):
    """Rows the worker's own connection can see: committed, and removed afterwards."""
    marker = f"probe-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        tenants = {t.slug: t for t in Tenant.objects.filter(slug__in=["alpha", "beta"])}
        with tenant_context(tenants["alpha"]):
            Article.objects.create(title="Alpha only", slug=marker, body="b", language="en")
        yield marker, tenants
        for tenant in tenants.values():
            with tenant_context(tenant):
                Article.objects.filter(slug=marker).delete()


def test_job_enqueued_in_tenant_a_runs_in_tenant_a_through_a_real_worker(committed_articles):
    marker, tenants = committed_articles
    broker = dramatiq.get_broker()
    broker.flush(QUEUE)
    seen.clear()

    with tenant_context(tenants["alpha"]), transaction.atomic():
        enqueue_on_commit(record_visible_articles, marker)
    with tenant_context(tenants["beta"]):
        record_visible_articles.send(marker)

    run_worker_until_idle(QUEUE, threads=2, timeout_ms=30_000)

    assert sorted(seen) == [("t_alpha", ["Alpha only"]), ("t_beta", [])]


def test_enqueue_waits_for_commit_and_a_rollback_sends_nothing(
    tenant_a, django_capture_on_commit_callbacks
):
    broker = dramatiq.get_broker()
    broker.flush(QUEUE)
    with tenant_context(tenant_a):
        with django_capture_on_commit_callbacks(execute=True):
            enqueue_on_commit(record_visible_articles, "kept")
            assert broker.do_qsize(QUEUE) == 0, "nothing is sent before the commit"
        assert broker.do_qsize(QUEUE) == 1
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            try:
                with transaction.atomic():
                    enqueue_on_commit(record_visible_articles, "never")
                    raise RuntimeError("rolled back")
            except RuntimeError:
                pass
        assert callbacks == []
        assert broker.do_qsize(QUEUE) == 1
    broker.flush(QUEUE)


def test_tenant_job_cannot_be_sent_from_the_public_schema(db):
    with public_context(), pytest.raises(TenantActorError, match="public"):
        record_visible_articles.send("x")
    with pytest.raises(TenantActorError):
        record_visible_articles.send_to_schema("public", "x")


def test_job_for_a_deleted_tenant_is_skipped(db, caplog):
    seen.clear()
    record_visible_articles.actor.fn("t_gone_away", "x")
    assert seen == []
    assert "no tenant for schema t_gone_away" in caplog.text


def test_the_schema_travels_in_the_message(tenant_b):
    broker = dramatiq.get_broker()
    broker.flush(QUEUE)
    with schema_context(tenant_b.schema_name):
        message = record_visible_articles.send("hello")
    assert message.args == ("t_beta", "hello")
    broker.flush(QUEUE)
