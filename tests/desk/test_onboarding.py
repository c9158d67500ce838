"""The onboarding checklist follows what exists in the workspace, not clicks."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from kefu.accounts.models import User
from kefu.desk.onboarding import onboarding_steps
from kefu.kb.models import Article
from kefu.tenancy import tenant_context
from kefu.tickets.models import TicketCategory
from tests.conftest import host

pytestmark = pytest.mark.django_db


def _done(tenant) -> dict[str, bool]:
    with tenant_context(tenant):
        return {step.key: step.done for step in onboarding_steps()}


def _png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "logo.png"
    return buffer


def test_new_workspace_starts_with_nothing_done(tenant_a, make_user):
    make_user(tenant_a, User.Role.OWNER)
    assert _done(tenant_a) == dict.fromkeys(
        ["brand", "categories", "articles", "teammate", "email"], False
    )


def test_steps_follow_real_state(client, tenant_a, tenant_b, make_user, login_as):
    owner = make_user(tenant_a, User.Role.OWNER)
    login_as(tenant_a, owner)
    client.post("/desk/settings/categories/", {"name": "Billing"}, HTTP_HOST=host(tenant_a))
    assert _done(tenant_a)["categories"]
    assert not _done(tenant_b)["categories"], "another workspace is untouched"

    with tenant_context(tenant_a):
        category = TicketCategory.objects.get()
    client.post(
        f"/desk/settings/categories/{category.pk}/delete/",
        {"confirm": "1"},
        HTTP_HOST=host(tenant_a),
    )
    assert not _done(tenant_a)["categories"], "deleting the last category reopens the step"

    with tenant_context(tenant_a):
        Article.objects.create(title="Hi", slug="hi", body="b", language="en", status="draft")
    assert not _done(tenant_a)["articles"], "a draft is not a published article"
    with tenant_context(tenant_a):
        Article.objects.update(status="published")
    assert _done(tenant_a)["articles"]

    client.post(
        "/desk/team/", {"email": "mate@alpha.example", "role": "agent"}, HTTP_HOST=host(tenant_a)
    )
    assert _done(tenant_a)["teammate"]

    client.post(
        "/desk/settings/email/", {"support_email": "help@alpha.example"}, HTTP_HOST=host(tenant_a)
    )
    assert not _done(tenant_a)["email"], "typing the address proves nothing"
    from kefu.messaging.inbound import email_process, email_receive

    raw = b"From: c@customer.example\r\nTo: help@alpha.example\r\nSubject: Hi\r\n\r\nHello\r\n"
    with tenant_context(tenant_a):
        email_process(inbound=email_receive(raw=raw, source="test"))
    assert _done(tenant_a)["email"], "a mail that arrived at the address does"


def test_branding_uploads_a_logo_and_colour_shown_on_the_help_center(
    client, tenant_a, make_user, login_as, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    response = client.post(
        "/desk/settings/brand/",
        {
            "name": "Alpha Tea",
            "brand_color": "#aa3300",
            "customer_signup": "open",
            "logo": _png(),
        },
        HTTP_HOST=host(tenant_a),
    )
    assert response.status_code == 302
    assert _done(tenant_a)["brand"]
    assert (tmp_path / "t_alpha" / "brand" / "logo.png").exists(), "stored in the tenant's folder"
    home = client.get("/", HTTP_HOST=host(tenant_a)).content.decode()
    assert "--brand: #aa3300" in home
    assert "Alpha Tea" in home
    logo = client.get("/brand/logo", HTTP_HOST=host(tenant_a))
    assert logo.status_code == 200
    assert client.get("/brand/logo", HTTP_HOST="beta.localhost").status_code == 404


def test_a_logo_that_is_not_an_image_is_refused(
    client, tenant_a, make_user, login_as, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    fake = io.BytesIO(b"<svg onload=alert(1)>")
    fake.name = "logo.png"
    response = client.post(
        "/desk/settings/brand/",
        {"name": "Alpha", "brand_color": "#aa3300", "customer_signup": "open", "logo": fake},
        HTTP_HOST=host(tenant_a),
    )
    assert response.status_code == 200
    assert "Upload a PNG, JPEG, GIF or WebP image." in response.content.decode()


def test_email_page_names_the_workspaces_platform_address(client, tenant_a, make_user, login_as):
    from tenants.models import Domain

    Domain.objects.create(domain="help.alpha.example", tenant=tenant_a, is_primary=False)
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    for hostname in (host(tenant_a), "help.alpha.example"):
        page = client.get("/desk/settings/email/", HTTP_HOST=hostname).content.decode()
        assert "<code>support@alpha.localhost</code>" in page
