"""A plan's file storage limit bites on staff uploads (article files, reply attachments); what
customers send is always kept and counted. The billing page shows what is in use."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from billing.limits import PlanLimitError, plan_fits_check
from billing.models import Plan
from kefu.accounts.models import User
from kefu.kb.models import ArticleAsset
from kefu.tenancy import tenant_context
from kefu.tickets.models import TicketAttachment
from kefu.tickets.services.thread import ticket_reply
from tests.conftest import host
from tests.desk.ticket_support import make_ticket_fixture  # noqa: F401  (the fixture)

KB = 1024
PNG_HEADER = b"\x89PNG\r\n\x1a\n"


def _png(name: str, size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_HEADER + b"\x00" * (size - len(PNG_HEADER)), "image/png")


@pytest.fixture
def one_mb_plan(tenant_a):
    plan = Plan.objects.create(name="Starter", code="starter-storage", max_storage_mb=1)
    tenant_a.plan = plan
    tenant_a.save(update_fields=["plan"])
    return plan


@pytest.fixture
def stored_900_kb(tenant_a):
    """A customer's attachment already kept by the workspace."""
    with tenant_context(tenant_a):
        TicketAttachment.objects.create(
            file=ContentFile(b"\x00" * 900 * KB, name="scan.pdf"),
            filename="scan.pdf",
            size=900 * KB,
        )


@pytest.mark.usefixtures("one_mb_plan", "stored_900_kb")
def test_an_article_file_that_does_not_fit_the_plan_is_refused_with_a_clear_message(
    client, tenant_a, make_user, login_as
):
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    refused = client.post(
        "/desk/articles/files/", {"file": _png("big.png", 200 * KB)}, HTTP_HOST=host(tenant_a)
    )
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert "Your plan (Starter) includes 1.0\xa0MB of files and 900.0\xa0KB are used" in error
    assert "Upgrade your plan, or delete files you no longer need." in error
    fits = client.post(
        "/desk/articles/files/", {"file": _png("small.png", 50 * KB)}, HTTP_HOST=host(tenant_a)
    )
    assert fits.status_code == 201
    with tenant_context(tenant_a):
        assert list(ArticleAsset.objects.values_list("filename", flat=True)) == ["small.png"]


@pytest.mark.usefixtures("one_mb_plan", "stored_900_kb")
def test_a_staff_attachment_over_the_limit_is_refused_but_a_customers_is_kept(
    client, tenant_a, make_user, login_as, make_ticket
):
    ticket = make_ticket(tenant_a, "Where is my parcel?")
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    response = client.post(
        f"/desk/tickets/{ticket.pk}/reply/",
        {
            "kind": "public",
            "body": "Here is the label.",
            "attachments": [_png("label.png", 200 * KB)],
        },
        HTTP_HOST=host(tenant_a),
    )
    assert response.status_code == 400
    assert "includes 1.0\xa0MB of files" in response.content.decode()
    with tenant_context(tenant_a):
        assert not ticket.messages.filter(body="Here is the label.").exists()
        # The customer writes back with a photo: kept, even past the plan's storage.
        ticket_reply(
            ticket=ticket,
            author=None,
            author_contact=ticket.requester,
            body="Photo of the box attached.",
            attachments=[_png("box.png", 300 * KB)],
            channel="email",
        )
        kept = ticket.messages.get(body="Photo of the box attached.")
        assert [a.filename for a in kept.attachments.all()] == ["box.png"]


@pytest.mark.usefixtures("one_mb_plan")
def test_another_workspaces_files_do_not_count(client, tenant_a, tenant_b, make_user, login_as):
    with tenant_context(tenant_b):
        TicketAttachment.objects.create(
            file=ContentFile(b"\x00" * 2048 * KB, name="huge.pdf"),
            filename="huge.pdf",
            size=2048 * KB,
        )
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    response = client.post(
        "/desk/articles/files/", {"file": _png("logo.png", 100 * KB)}, HTTP_HOST=host(tenant_a)
    )
    assert response.status_code == 201


@pytest.mark.usefixtures("stored_900_kb")
def test_a_plan_too_small_for_the_files_kept_cannot_be_chosen(tenant_a):
    tiny = Plan.objects.create(name="Tiny", code="tiny-storage", max_storage_mb=0)
    roomy = Plan.objects.create(name="Roomy", code="roomy-storage", max_storage_mb=5)
    with tenant_context(tenant_a):
        with pytest.raises(PlanLimitError, match="The Tiny plan includes 0\xa0bytes of files"):
            plan_fits_check(tiny)
        plan_fits_check(roomy)


@pytest.mark.usefixtures("one_mb_plan", "stored_900_kb")
def test_the_billing_page_shows_what_the_plan_allows_and_what_is_in_use(
    client, tenant_a, make_user, login_as
):
    login_as(tenant_a, make_user(tenant_a, User.Role.OWNER))
    html = client.get("/desk/billing/", HTTP_HOST=host(tenant_a)).content.decode()
    assert '<dd data-testid="in-use-storage">900.0\xa0KB of 1.0\xa0MB</dd>' in html
    assert '<dd data-testid="in-use-seats">1</dd>' in html  # no staff limit on this plan
