"""Selects in the desk and the help center offer a translated empty choice, never Django's
"---------", and the article editor's fields all have translated labels."""

from __future__ import annotations

import re

import pytest

from kefu.accounts.models import User
from kefu.kb.models import Category
from kefu.tenancy import tenant_context
from kefu.tickets.models import TicketCategory
from tests.conftest import host

pytestmark = pytest.mark.django_db


def test_the_article_editor_reads_in_chinese_with_a_translated_empty_choice(
    client, tenant_a, make_user, login_as
):
    with tenant_context(tenant_a):
        Category.objects.create(name="Shipping", slug="shipping")
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    page = client.get(
        "/desk/articles/new/", HTTP_HOST=host(tenant_a), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    label = re.search(r'<label for="id_category">([^<]*)</label>', page).group(1)
    assert label.strip().rstrip(":：") == "分类"
    assert "— 请选择 —" in page
    assert "---------" not in page


@pytest.mark.parametrize(
    "path",
    [
        "/desk/settings/channels/",
        "/desk/articles/guided/new/",
        "/desk/settings/sla/",
        "/desk/settings/ticket-fields/",
        "/desk/canned/",
    ],
)
def test_desk_forms_never_show_the_dashes(client, tenant_a, make_user, login_as, path):
    with tenant_context(tenant_a):
        TicketCategory.objects.create(name="Billing")
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    response = client.get(path, HTTP_HOST=host(tenant_a))
    assert response.status_code == 200, path
    assert "---------" not in response.content.decode()


def test_the_help_center_ticket_form_has_no_dashes(client, tenant_a):
    with tenant_context(tenant_a):
        TicketCategory.objects.create(name="Billing")
    page = client.get("/tickets/new/", HTTP_HOST=host(tenant_a)).content.decode()
    assert "---------" not in page
