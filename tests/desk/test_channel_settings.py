"""Channels that would only save a label are not offered; rows made before say they do not
work, take no place under the plan and can be switched off or deleted. The help widget has
its own page: the line to paste (with a copy button) and the sites allowed to show it, which
the widget's script and panel honour."""

from __future__ import annotations

import re

import pytest

from billing.limits import channels_used
from billing.models import Plan
from kefu.accounts.models import User
from kefu.desk.selectors import workspace_settings_get
from kefu.messaging.models import Channel
from kefu.tenancy import tenant_context
from tests.conftest import host
from tests.helpers import csp_policy

pytestmark = pytest.mark.django_db

URL = "/desk/settings/channels/"
WIDGET_URL = "/desk/settings/channels/widget/"


@pytest.fixture
def admin_client(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    return client


def _kind_options(page: str) -> list[str]:
    select = re.search(r'<select name="kind".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


def test_the_add_form_offers_only_kinds_that_work_and_refuses_the_others(admin_client, tenant_a):
    page = admin_client.get(URL, HTTP_HOST=host(tenant_a)).content.decode()
    assert _kind_options(page) == ["", "email", "web_form"]
    assert "— choose —" in page
    assert "---------" not in page
    for kind in ("widget", "sms", "api", "chat"):
        refused = admin_client.post(
            URL, {"kind": kind, "name": kind, "address": ""}, HTTP_HOST=host(tenant_a)
        )
        assert refused.status_code == 400
        assert "Select a valid choice" in refused.content.decode()
    with tenant_context(tenant_a):
        assert not Channel.objects.exists()


def test_old_label_only_channels_say_so_take_no_place_and_cannot_be_switched_back_on(
    admin_client, tenant_a
):
    with tenant_context(tenant_a):
        sms = Channel.objects.create(kind="sms", name="Text us", address="+86 10 1234")
        Channel.objects.create(kind="email", name="Sales", address="sales@alpha.example")
        assert channels_used() == 2, "the support address and Sales; the SMS row is a label"
    page = admin_client.get(URL, HTTP_HOST=host(tenant_a)).content.decode()
    row = re.search(r'<tr data-channel="Text us">.*?</tr>', page, re.S).group(0)
    assert "Not working yet" in row
    assert "Deactivate" in row
    assert f"{URL}{sms.pk}/delete/" in row

    toggle = f"{URL}{sms.pk}/active/"
    admin_client.post(toggle, {"active": "0"}, HTTP_HOST=host(tenant_a))
    again = admin_client.post(toggle, {"active": "1"}, HTTP_HOST=host(tenant_a), follow=True)
    assert "SMS channels do not work yet" in again.content.decode()
    with tenant_context(tenant_a):
        sms.refresh_from_db()
        assert not sms.is_active


def test_label_only_channels_do_not_fill_the_plan(admin_client, tenant_a):
    plan = Plan.objects.create(name="Solo", code="solo-channels", max_channels=2)
    tenant_a.plan = plan
    tenant_a.save(update_fields=["plan"])
    with tenant_context(tenant_a):
        Channel.objects.create(kind="widget", name="Old widget")
        Channel.objects.create(kind="api", name="Old API")
    added = admin_client.post(
        URL,
        {"kind": "email", "name": "Sales", "address": "sales@alpha.example"},
        HTTP_HOST=host(tenant_a),
    )
    assert added.status_code == 302


def test_deleting_a_channel_asks_first(admin_client, tenant_a):
    with tenant_context(tenant_a):
        chat = Channel.objects.create(kind="chat", name="Old chat")
    delete = f"{URL}{chat.pk}/delete/"
    question = admin_client.get(delete, HTTP_HOST=host(tenant_a)).content.decode()
    assert "Delete the channel Old chat?" in question
    with tenant_context(tenant_a):
        assert Channel.objects.filter(pk=chat.pk).exists(), "asking deletes nothing"
    done = admin_client.post(delete, HTTP_HOST=host(tenant_a), follow=True)
    assert "Channel Old chat deleted." in done.content.decode()
    with tenant_context(tenant_a):
        assert not Channel.objects.exists()


def test_the_widget_page_shows_the_line_to_paste_with_a_copy_button(admin_client, tenant_a):
    page = admin_client.get(WIDGET_URL, HTTP_HOST=host(tenant_a)).content.decode()
    assert (
        "&lt;script src=&quot;http://alpha.localhost/widget.js&quot; async&gt;&lt;/script&gt;"
        in page
    )
    assert 'data-copy="#widget-snippet"' in page
    assert "/static/core/copy.js" in page
    assert "Any site can show the widget now." in page
    channels = admin_client.get(URL, HTTP_HOST=host(tenant_a)).content.decode()
    assert f'href="{WIDGET_URL}"' in channels


def test_allowed_sites_are_checked_and_kept_as_origins(admin_client, tenant_a):
    refused = admin_client.post(
        WIDGET_URL,
        {"widget_allowed_origins": "https://shop.example\nshop.example/path\n"},
        HTTP_HOST=host(tenant_a),
    )
    assert refused.status_code == 400
    assert "is not a site address like https://www.example.com" in refused.content.decode()
    for bad in ("javascript:alert(1)", "https://*.example", "https://a.example/x", "ftp://a.b"):
        response = admin_client.post(
            WIDGET_URL, {"widget_allowed_origins": bad}, HTTP_HOST=host(tenant_a)
        )
        assert response.status_code == 400, bad
    saved = admin_client.post(
        WIDGET_URL,
        {"widget_allowed_origins": " HTTPS://Shop.Example/ \n\nhttp://localhost:8080\n"},
        HTTP_HOST=host(tenant_a),
    )
    assert saved.status_code == 302
    with tenant_context(tenant_a):
        assert workspace_settings_get().widget_origins == [
            "https://shop.example",
            "http://localhost:8080",
        ]


def test_the_widget_honours_the_allowed_sites(admin_client, client, tenant_a, tenant_b):
    anywhere = client.get("/widget/", HTTP_HOST=host(tenant_a))
    assert csp_policy(anywhere)["frame-ancestors"] == ["*"]
    admin_client.post(
        WIDGET_URL,
        {"widget_allowed_origins": "https://shop.example"},
        HTTP_HOST=host(tenant_a),
    )

    panel = client.get("/widget/", HTTP_HOST=host(tenant_a))
    assert csp_policy(panel)["frame-ancestors"] == ["https://shop.example"]
    script = client.get("/widget.js", HTTP_HOST=host(tenant_a)).content.decode()
    assert 'var allowed = ["https://shop.example"];' in script
    assert "allowed.indexOf(window.location.origin)" in script
    other = client.get("/widget/", HTTP_HOST=host(tenant_b))
    assert csp_policy(other)["frame-ancestors"] == ["*"], "another workspace is untouched"


def test_agents_cannot_reach_the_widget_settings(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    assert client.get(WIDGET_URL, HTTP_HOST=host(tenant_a)).status_code == 403
