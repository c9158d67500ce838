"""Routing and SLA settings in the desk, and each staff member's availability."""

from __future__ import annotations

from datetime import date

import pytest

from kefu.accounts.models import User
from kefu.desk.selectors import workspace_settings_get
from kefu.tenancy import tenant_context
from kefu.tickets.models import (
    AgentProfile,
    BusinessCalendar,
    Holiday,
    SkillGroup,
    SlaPolicy,
    Ticket,
)
from tests.conftest import host

pytestmark = pytest.mark.django_db

WEEK = {f"day_{day}": "" for day in range(7)}


@pytest.fixture
def admin_a(tenant_a, make_user, login_as):
    admin = make_user(tenant_a, User.Role.ADMIN)
    login_as(tenant_a, admin)
    return admin


def test_admin_sets_up_skill_groups_and_an_agents_skills(client, tenant_a, admin_a, make_user):
    agent = make_user(tenant_a, User.Role.AGENT)
    response = client.post("/desk/settings/routing/", {"action": "group", "name": "Billing"},
                           HTTP_HOST=host(tenant_a))  # fmt: skip
    assert response.status_code == 302
    with tenant_context(tenant_a):
        billing = SkillGroup.objects.get(name="Billing")

    page = client.get("/desk/settings/routing/", HTTP_HOST=host(tenant_a)).content.decode()
    assert "Billing" in page
    assert agent.email in page

    response = client.post(
        f"/desk/settings/routing/agents/{agent.pk}/",
        {"skill_groups": [billing.pk], "languages": ["zh-hans"], "tiers": ["premium"],
         "max_open_tickets": 4, "availability": "online"},
        HTTP_HOST=host(tenant_a),
    )  # fmt: skip
    assert response.status_code == 302
    with tenant_context(tenant_a):
        profile = AgentProfile.objects.get(user=agent)
        assert list(profile.skill_groups.all()) == [billing]
        assert profile.languages == ["zh-hans"]
        assert profile.tiers == ["premium"]
        assert profile.max_open_tickets == 4
        assert profile.availability == "online"

    edit = {"name": "Payments", "description": "Refunds"}
    client.post(f"/desk/settings/routing/groups/{billing.pk}/", edit, HTTP_HOST=host(tenant_a))
    queue_rule = {"action": "queue", "agents_pick_from_queue": "on"}
    client.post("/desk/settings/routing/", queue_rule, HTTP_HOST=host(tenant_a))
    with tenant_context(tenant_a):
        assert SkillGroup.objects.get(pk=billing.pk).name == "Payments"
        assert workspace_settings_get().agents_pick_from_queue is True
    client.post(
        f"/desk/settings/routing/groups/{billing.pk}/delete/",
        {"confirm": "1"},
        HTTP_HOST=host(tenant_a),
    )
    with tenant_context(tenant_a):
        assert not SkillGroup.objects.exists()


def test_bad_agent_settings_are_refused_with_a_message(client, tenant_a, admin_a, make_user):
    agent = make_user(tenant_a, User.Role.AGENT)
    response = client.post(
        f"/desk/settings/routing/agents/{agent.pk}/",
        {"max_open_tickets": 0, "availability": "online", "languages": ["fr"]},
        HTTP_HOST=host(tenant_a),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "greater than or equal to 1" in page
    assert "fr is not one of the available choices" in page
    with tenant_context(tenant_a):
        assert AgentProfile.objects.get(user=agent).max_open_tickets == 25  # the default


def test_admin_adds_and_edits_an_sla_policy(client, tenant_a, admin_a):
    response = client.post(
        "/desk/settings/sla/",
        {"action": "policy", "name": "Premium", "customer_tier": "premium",
         "first_response_minutes": 60, "resolution_minutes": 480, "business_hours_only": "on",
         "at_risk_percent": 80, "escalation": "raise_priority", "position": 0, "is_active": "on"},
        HTTP_HOST=host(tenant_a),
    )  # fmt: skip
    assert response.status_code == 302
    with tenant_context(tenant_a):
        policy = SlaPolicy.objects.get(name="Premium")
    assert policy.customer_tier == "premium"
    assert policy.escalation == "raise_priority"
    assert "Premium" in client.get("/desk/settings/sla/", HTTP_HOST=host(tenant_a)).content.decode()

    client.post(
        f"/desk/settings/sla/policies/{policy.pk}/",
        {"name": "Premium", "customer_tier": "premium", "first_response_minutes": 30,
         "resolution_minutes": 480, "at_risk_percent": 80, "escalation": "reassign",
         "position": 0, "is_active": "on"},
        HTTP_HOST=host(tenant_a),
    )  # fmt: skip
    policy.refresh_from_db()
    assert policy.first_response_minutes == 30
    assert policy.business_hours_only is False
    client.post(
        f"/desk/settings/sla/policies/{policy.pk}/delete/",
        {"confirm": "1"},
        HTTP_HOST=host(tenant_a),
    )
    with tenant_context(tenant_a):
        assert not SlaPolicy.objects.exists()


def test_a_resolution_target_shorter_than_the_first_response_is_refused(client, tenant_a, admin_a):
    response = client.post(
        "/desk/settings/sla/",
        {"action": "policy", "name": "Odd", "first_response_minutes": 600,
         "resolution_minutes": 60, "at_risk_percent": 75, "escalation": "none", "position": 0},
        HTTP_HOST=host(tenant_a),
    )  # fmt: skip
    assert response.status_code == 400
    assert "cannot be shorter than the first response" in response.content.decode()


def test_admin_sets_business_hours_and_holidays(client, tenant_a, admin_a):
    response = client.post(
        "/desk/settings/sla/",
        {"action": "calendar", "timezone": "Europe/Berlin", **WEEK,
         "day_0": "09:00-12:00, 13:00-17:30", "day_5": "10:00-14:00"},
        HTTP_HOST=host(tenant_a),
    )  # fmt: skip
    assert response.status_code == 302
    with tenant_context(tenant_a):
        calendar = BusinessCalendar.objects.get()
        assert calendar.timezone == "Europe/Berlin"
        assert calendar.working_hours == {
            "0": [["09:00", "12:00"], ["13:00", "17:30"]],
            "5": [["10:00", "14:00"]],
        }
    page = client.get("/desk/settings/sla/", HTTP_HOST=host(tenant_a)).content.decode()
    assert 'value="09:00-12:00, 13:00-17:30"' in page

    holiday = {"action": "holiday", "date": "2025-10-01", "name": "National Day"}
    client.post("/desk/settings/sla/", holiday, HTTP_HOST=host(tenant_a))
    twice = {**holiday, "name": "Twice"}
    again = client.post("/desk/settings/sla/", twice, HTTP_HOST=host(tenant_a))
    assert again.status_code == 400
    assert "already a holiday on this date" in again.content.decode()
    with tenant_context(tenant_a):
        holiday = Holiday.objects.get()
        assert holiday.date == date(2025, 10, 1)
    client.post(
        f"/desk/settings/sla/holidays/{holiday.pk}/delete/",
        {"confirm": "1"},
        HTTP_HOST=host(tenant_a),
    )
    with tenant_context(tenant_a):
        assert not Holiday.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "Unknown time zone Mars/Olympus"),
        ({"day_1": "18:00-09:00"}, "The end must be after the start: 18:00-09:00"),
        ({"day_2": "nine to five"}, "Write times like 09:00-18:00"),
        ({"day_3": "09:00-13:00, 12:00-18:00"}, "Working hours overlap"),
        ({"day_4": "09:00-25:00"}, "Not a time of day"),
    ],
)
def test_bad_business_hours_get_a_clear_error_and_change_nothing(
    client, tenant_a, admin_a, fields, message
):
    data = {"action": "calendar", "timezone": "Asia/Shanghai", **WEEK, "day_0": "09:00-18:00"}
    response = client.post("/desk/settings/sla/", {**data, **fields}, HTTP_HOST=host(tenant_a))
    assert response.status_code == 400
    assert message in response.content.decode()
    with tenant_context(tenant_a):
        assert not BusinessCalendar.objects.filter(timezone="Mars/Olympus").exists()
        calendar = BusinessCalendar.objects.first()
        assert calendar is None or calendar.working_hours != {"0": [["09:00", "18:00"]]}


@pytest.mark.parametrize("path", ["/desk/settings/routing/", "/desk/settings/sla/"])
def test_agents_and_customers_cannot_open_the_settings(client, tenant_a, make_user, login_as, path):
    for role in (User.Role.AGENT, User.Role.CUSTOMER):
        login_as(tenant_a, make_user(tenant_a, role))
        assert client.get(path, HTTP_HOST=host(tenant_a)).status_code == 403
        response = client.post(
            path, {"action": "group", "name": "Sneaky"}, HTTP_HOST=host(tenant_a)
        )
        assert response.status_code == 403
    with tenant_context(tenant_a):
        assert not SkillGroup.objects.filter(name="Sneaky").exists()


def test_another_workspace_cannot_see_or_change_these_settings(
    client, tenant_a, tenant_b, make_user, login_as
):
    with tenant_context(tenant_a):
        group = SkillGroup.objects.create(name="Alpha secret group")
        policy = SlaPolicy.objects.create(name="Alpha secret policy")
    login_as(tenant_b, make_user(tenant_b, User.Role.ADMIN))

    assert (
        "Alpha secret"
        not in client.get("/desk/settings/routing/", HTTP_HOST=host(tenant_b)).content.decode()
    )
    assert (
        "Alpha secret"
        not in client.get("/desk/settings/sla/", HTTP_HOST=host(tenant_b)).content.decode()
    )
    assert client.post(f"/desk/settings/routing/groups/{group.pk}/delete/",
                       HTTP_HOST=host(tenant_b)).status_code == 404  # fmt: skip
    assert client.get(f"/desk/settings/sla/policies/{policy.pk}/",
                      HTTP_HOST=host(tenant_b)).status_code == 404  # fmt: skip
    # Beta's session means nothing on Alpha's host.
    response = client.get("/desk/settings/routing/", HTTP_HOST=host(tenant_a))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    with tenant_context(tenant_a):
        assert SkillGroup.objects.filter(pk=group.pk).exists()


def test_an_agent_comes_online_and_gets_the_waiting_ticket(client, tenant_a, make_user, login_as):
    agent = make_user(tenant_a, User.Role.AGENT)
    with tenant_context(tenant_a):
        ticket = Ticket.objects.create(subject="Waiting")
    login_as(tenant_a, agent)

    response = client.post("/desk/availability/", {"availability": "online", "next": "/desk/"},
                           HTTP_HOST=host(tenant_a))  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == "/desk/"
    with tenant_context(tenant_a):
        ticket.refresh_from_db()
        assert ticket.assignee == agent

    as_json = client.post("/desk/availability/", {"availability": "away"},
                          HTTP_HOST=host(tenant_a), HTTP_ACCEPT="application/json")  # fmt: skip
    assert as_json.json() == {"availability": "away", "label": "Away"}
    bad = client.post("/desk/availability/", {"availability": "napping"},
                      HTTP_HOST=host(tenant_a), HTTP_ACCEPT="application/json")  # fmt: skip
    assert bad.status_code == 400
    assert "online, away or offline" in bad.json()["message"]
    offsite = client.post("/desk/availability/",
                          {"availability": "offline", "next": "https://evil.example/"},
                          HTTP_HOST=host(tenant_a))  # fmt: skip
    assert offsite["Location"] == "/desk/"


def test_customers_have_no_availability(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.CUSTOMER))
    response = client.post("/desk/availability/", {"availability": "online"},
                           HTTP_HOST=host(tenant_a))  # fmt: skip
    assert response.status_code == 403
