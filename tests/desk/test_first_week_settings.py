"""What a new team meets in its first week in the desk: the home page, deleting with a
confirmation, SLA targets in hours and days, canned response placeholders."""

from __future__ import annotations

from datetime import date

import pytest

from kefu.accounts.models import User
from kefu.kb.models import Article, Category
from kefu.tenancy import tenant_context
from kefu.tickets.models import (
    CannedResponse,
    Holiday,
    SkillGroup,
    SlaPolicy,
    Ticket,
    TicketCategory,
)
from tests.conftest import host

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_a(tenant_a, make_user, login_as):
    admin = make_user(tenant_a, User.Role.ADMIN)
    login_as(tenant_a, admin)
    return admin


def _page(client, tenant, url: str, **headers) -> str:
    response = client.get(url, HTTP_HOST=host(tenant), **headers)
    assert response.status_code == 200
    return response.content.decode()


# --- the desk home -------------------------------------------------------------------------


def test_waiting_tickets_are_shown_loudly_with_what_to_do(client, tenant_a, admin_a):
    assert 'id="queue-warning"' not in _page(client, tenant_a, "/desk/")
    with tenant_context(tenant_a):
        Ticket.objects.create(subject="Nobody has me")
        # The admin is at the desk but has no room: capacity 1, one open ticket.
        admin_a.agent_profile.max_open_tickets = 1
        admin_a.agent_profile.save()
        Ticket.objects.create(subject="Mine", assignee=admin_a, status=Ticket.Status.OPEN)
    page = _page(client, tenant_a, "/desk/")
    assert 'id="queue-warning"' in page
    assert "1 ticket is waiting with nobody assigned" in page
    assert "as many open tickets as their capacity allows" in page
    assert "/desk/tickets/?view=unassigned" in page  # take one (the queue is takeable)
    assert "/desk/settings/routing/" in page


def test_an_agent_sees_the_queue_warning_but_not_the_admins_checklist(
    client, tenant_a, make_user, login_as
):
    agent = make_user(tenant_a, User.Role.AGENT)
    with tenant_context(tenant_a):
        Ticket.objects.create(subject="Waiting", skill_group=SkillGroup.objects.create(name="VIP"))
    login_as(tenant_a, agent)
    page = _page(client, tenant_a, "/desk/")
    assert "Set up your help desk" not in page
    assert 'id="onboarding' not in page
    assert "Nobody online has the skill group, language or customer tier" in page
    assert "/desk/settings/routing/" not in page  # not theirs to change


def test_the_admin_still_sees_the_checklist(client, tenant_a, admin_a):
    assert "Set up your help desk" in _page(client, tenant_a, "/desk/")


def test_the_routing_page_says_what_each_setting_does_in_both_languages(client, tenant_a, admin_a):
    page = _page(client, tenant_a, "/desk/settings/routing/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Online while at the desk" in page
    assert "Routing stops giving this person tickets while they have this many" in page
    assert "anyone with room can take one there" in page
    chinese = _page(client, tenant_a, "/desk/settings/routing/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "在工作台时在线" in chinese


# --- deleting asks first ---------------------------------------------------------------------


def _confirm_then_delete(client, tenant, url: str, *expected: str) -> None:
    page = _page(client, tenant, url)
    assert 'name="confirm" value="1"' in page
    for text in expected:
        assert text in page
    # A POST without the confirmation (an old form, a double click) only shows the page again.
    assert client.post(url, HTTP_HOST=host(tenant)).status_code == 200
    assert client.post(url, {"confirm": "1"}, HTTP_HOST=host(tenant)).status_code == 302


def test_deleting_a_used_ticket_category_asks_and_says_it_is_switched_off(
    client, tenant_a, admin_a
):
    with tenant_context(tenant_a):
        category = TicketCategory.objects.create(name="Shipping")
        Ticket.objects.create(subject="Where is it", category=category)
    assert f"/desk/settings/categories/{category.pk}/delete/" in _page(
        client, tenant_a, "/desk/settings/categories/"
    )
    url = f"/desk/settings/categories/{category.pk}/delete/"
    client.post(url, HTTP_HOST=host(tenant_a))
    with tenant_context(tenant_a):
        assert TicketCategory.objects.get(pk=category.pk).is_active is True  # not yet
    _confirm_then_delete(client, tenant_a, url, "Shipping",
                         "1 ticket has this category", "switched off")  # fmt: skip
    with tenant_context(tenant_a):
        assert TicketCategory.objects.get(pk=category.pk).is_active is False


def test_deleting_a_help_center_category_says_where_its_articles_go(client, tenant_a, admin_a):
    with tenant_context(tenant_a):
        parent = Category.objects.create(name="Orders", slug="orders")
        category = Category.objects.create(name="Shipping", slug="shipping", parent=parent)
        article = Article.objects.create(title="Delivery times", body="Three days.",
                                         category=category)  # fmt: skip
    url = f"/desk/knowledge-base/categories/{category.pk}/delete/"
    _confirm_then_delete(client, tenant_a, url, "Shipping",
                         "1 article is kept and moves to the category above, “Orders”")  # fmt: skip
    with tenant_context(tenant_a):
        assert not Category.objects.filter(pk=category.pk).exists()
        assert Article.objects.get(pk=article.pk).category == parent


def test_canned_responses_sla_policies_skill_groups_and_holidays_ask_too(client, tenant_a, admin_a):
    with tenant_context(tenant_a):
        canned = CannedResponse.objects.create(title="Greeting", body="Hi")
        policy = SlaPolicy.objects.create(name="Standard")
        group = SkillGroup.objects.create(name="Billing")
        holiday = Holiday.objects.create(date=date(2027, 1, 1), name="New Year")
    _confirm_then_delete(client, tenant_a, f"/desk/canned/{canned.pk}/delete/",
                         "Replies already sent with it are not changed.")  # fmt: skip
    _confirm_then_delete(client, tenant_a, f"/desk/settings/sla/policies/{policy.pk}/delete/",
                         "Open tickets keep the deadlines they already have.")  # fmt: skip
    _confirm_then_delete(client, tenant_a, f"/desk/settings/routing/groups/{group.pk}/delete/",
                         "any agent can take them")  # fmt: skip
    _confirm_then_delete(client, tenant_a, f"/desk/settings/sla/holidays/{holiday.pk}/delete/",
                         "2027-01-01")  # fmt: skip
    with tenant_context(tenant_a):
        assert not CannedResponse.objects.exists()
        assert not SlaPolicy.objects.exists()
        assert not SkillGroup.objects.exists()
        assert not Holiday.objects.exists()


# --- SLA targets in hours and days ----------------------------------------------------------

POLICY = {"action": "policy", "name": "Standard", "at_risk_percent": 75, "escalation": "none",
          "position": 0, "is_active": "on", "business_hours_only": "on"}  # fmt: skip


def test_sla_targets_are_typed_in_hours_and_days_and_shown_in_the_largest_unit(
    client, tenant_a, admin_a
):
    response = client.post("/desk/settings/sla/", {**POLICY, "first_response_minutes": "4h",
                           "resolution_minutes": "2d"}, HTTP_HOST=host(tenant_a))  # fmt: skip
    assert response.status_code == 302
    with tenant_context(tenant_a):
        policy = SlaPolicy.objects.get()
        assert (policy.first_response_minutes, policy.resolution_minutes) == (240, 2880)
        policy.first_response_minutes = 90
        policy.save()
    listing = _page(client, tenant_a, "/desk/settings/sla/")
    assert "90 minutes" in listing
    assert "2 days" in listing
    edit = _page(client, tenant_a, f"/desk/settings/sla/policies/{policy.pk}/")
    assert 'value="90m"' in edit
    assert 'value="2d"' in edit
    chinese = _page(client, tenant_a, "/desk/settings/sla/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "2 天" in chinese

    response = client.post(f"/desk/settings/sla/policies/{policy.pk}/", {**POLICY,
                           "first_response_minutes": "1d 4h", "resolution_minutes": "3天"},
                           HTTP_HOST=host(tenant_a))  # fmt: skip
    assert response.status_code == 302
    with tenant_context(tenant_a):
        policy.refresh_from_db()
        assert (policy.first_response_minutes, policy.resolution_minutes) == (1680, 4320)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("4x", "Unknown unit “x”"),
        ("soon", "Write a number and a unit, e.g. 90m, 4h, 2d"),
        ("0h", "Give at least one minute."),
        ("400d", "At most 365 days."),
    ],
)
def test_bad_sla_targets_get_a_clear_message(client, tenant_a, admin_a, typed, message):
    response = client.post("/desk/settings/sla/", {**POLICY, "first_response_minutes": typed,
                           "resolution_minutes": "2d"}, HTTP_HOST=host(tenant_a))  # fmt: skip
    assert response.status_code == 400
    assert message in response.content.decode()
    with tenant_context(tenant_a):
        assert not SlaPolicy.objects.exists()


# --- canned responses: one meaning per placeholder -----------------------------------------


def test_the_canned_editor_lists_each_placeholder_and_previews_the_reply(client, tenant_a, admin_a):
    with tenant_context(tenant_a):
        canned = CannedResponse.objects.create(
            title="收到", body="工单 #{{ ticket.number }} 已收到"
        )
    listing = _page(client, tenant_a, "/desk/canned/")
    for name in ("customer.name", "ticket.number", "ticket.reference", "agent.name"):
        assert f'data-placeholder="{name}"' in listing
    assert "without #" in listing
    edit = _page(client, tenant_a, f"/desk/canned/{canned.pk}/")
    assert "工单 #1001 已收到" in edit
    assert "##" not in edit
    chinese = _page(client, tenant_a, "/desk/canned/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "不带 #" in chinese


def test_existing_canned_responses_keep_what_they_meant(in_tenant_a):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "kefu.tickets.migrations.0005_presence_and_small_team_defaults"
    )
    doubled = CannedResponse.objects.create(title="a", body="工单 #{{ ticket.number }}")
    bare = CannedResponse.objects.create(
        title="b", body="About {{ticket.number}}: {{ ticket.subject }}"
    )
    migration.keep_canned_meaning(apps, None)
    doubled.refresh_from_db()
    bare.refresh_from_db()
    assert doubled.body == "工单 #{{ ticket.number }}"  # now gives "#1001", no longer "##1001"
    assert bare.body == "About {{ ticket.reference }}: {{ ticket.subject }}"  # still "#1001"
