"""Account mails are Kefu's own, signed with the workspace's name (never "Hello from
alpha.localhost"), in both languages; invitations and agent notices go out in the recipient's
language, else the workspace's (set at signup from the page the owner used)."""

from __future__ import annotations

import pytest
from django.core import mail

from kefu.accounts.jobs import invitation_send_job
from kefu.accounts.models import Invitation, User
from kefu.desk.models import WorkspaceSettings
from kefu.desk.selectors import workspace_settings_get
from kefu.tenancy import tenant_context
from kefu.tickets import notifications
from kefu.tickets.services.changes import ticket_assign
from tests.api.ticket_urls import ticket_links  # noqa: F401 - fixture
from tests.conftest import PASSWORD, host

pytestmark = pytest.mark.django_db


def _workspace_speaks_chinese(tenant) -> None:
    with tenant_context(tenant):
        workspace_settings_get()
        WorkspaceSettings.objects.update(default_language="zh-hans")


def _reset(client, tenant, email: str, language: str):
    client.post(
        "/accounts/password/reset/",
        {"email": email},
        HTTP_HOST=host(tenant),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    return mail.outbox[-1]


def test_password_reset_mail_is_kefus_own_with_the_workspace_name_in_both_languages(
    client, tenant_a, make_user
):
    agent = make_user(tenant_a, User.Role.AGENT)

    english = _reset(client, tenant_a, agent.email, "en")
    assert english.subject == "Alpha Ltd: choose a new password"
    assert english.body.startswith("Hello,\n")
    assert "Hello from" not in english.body
    assert "alpha.localhost!" not in english.body
    assert "your Alpha Ltd account" in english.body
    assert "— Alpha Ltd\nhttp://alpha.localhost" in english.body
    assert english.from_email.startswith("Alpha Ltd <")

    chinese = _reset(client, tenant_a, agent.email, "zh-hans")
    assert chinese.subject == "Alpha Ltd：设置新密码"
    assert chinese.body.startswith("您好")
    assert "来自" not in chinese.body
    assert "Hello" not in chinese.body
    assert "/accounts/password/reset/key/" in chinese.body


def test_a_person_with_a_language_gets_account_mail_in_it(client, tenant_a, make_user):
    agent = make_user(tenant_a, User.Role.AGENT, language="zh-hans")
    message = _reset(client, tenant_a, agent.email, "en")
    assert message.subject == "Alpha Ltd：设置新密码"


def test_customer_confirmation_mail_names_the_workspace(client, tenant_b):
    client.post(
        "/accounts/signup/",
        {"email": "mei@customer.example", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_HOST=host(tenant_b),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    [message] = mail.outbox
    assert message.subject == "贝塔科技：请确认您的邮箱地址"
    assert "mei@customer.example 是您在 贝塔科技 使用的邮箱地址" in message.body
    assert "beta.localhost:" not in message.body


def test_invitations_go_out_in_the_workspaces_language(client, tenant_a, make_user, login_as):
    _workspace_speaks_chinese(tenant_a)
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))  # an admin without a language
    client.post(
        "/desk/team/", {"email": "new@alpha.example", "role": "agent"}, HTTP_HOST=host(tenant_a)
    )
    with tenant_context(tenant_a):
        invitation = Invitation.objects.get()
        invitation_send_job(invitation.pk, invitation.nonce)
    message = mail.outbox[-1]
    assert message.subject == "邀请你加入 Kefu 上的 Alpha Ltd"


def test_an_invited_agent_keeps_the_language_they_accepted_in(
    client, tenant_a, make_user, login_as
):
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    client.post(
        "/desk/team/", {"email": "new@alpha.example", "role": "agent"}, HTTP_HOST=host(tenant_a)
    )
    with tenant_context(tenant_a):
        invitation = Invitation.objects.get()
        from kefu.accounts.services import invitation_token

        token = invitation_token(invitation)
    client.logout()
    client.post(
        f"/invitations/{token}/",
        {"full_name": "Xiao Li", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_HOST=host(tenant_a),
        HTTP_ACCEPT_LANGUAGE="zh-CN",
    )
    with tenant_context(tenant_a):
        assert User.objects.get(email="new@alpha.example").language == "zh-hans"


@pytest.mark.usefixtures("ticket_links")
def test_agent_notices_fall_back_to_the_workspaces_language(tenant_a, make_user):
    _workspace_speaks_chinese(tenant_a)
    admin = make_user(tenant_a, User.Role.ADMIN)
    agent = make_user(tenant_a, User.Role.AGENT)
    english = make_user(tenant_a, User.Role.AGENT, language="en")
    with tenant_context(tenant_a):
        from kefu.contacts.services import contact_for_email
        from kefu.tickets.services.creation import ticket_create

        requester = contact_for_email(email="casey@customer.example", name="Casey")
        ticket = ticket_create(subject="VPN down", description="Help", requester=requester)
        ticket_assign(ticket=ticket, assignee=agent, actor=admin)
        notifications.notify_assigned(ticket.pk, agent.pk)
        ticket_assign(ticket=ticket, assignee=english, actor=admin)
        notifications.notify_assigned(ticket.pk, english.pk)
    [chinese_mail] = [m for m in mail.outbox if m.to == [agent.email]]
    [english_mail] = [m for m in mail.outbox if m.to == [english.email]]
    assert 'lang="zh-hans"' in chinese_mail.alternatives[0][0]
    assert 'lang="en"' in english_mail.alternatives[0][0], "the recipient's own language wins"


def test_signup_sets_the_owners_and_the_workspaces_language():
    from tenants.models import Tenant
    from tenants.signup import workspace_signup

    result = workspace_signup(
        company_name="青木茶",
        slug="qingmu-lang",
        full_name="王青",
        email="wang@qingmu.example",
        password=PASSWORD,
        language="zh-hans",
    )
    with tenant_context(Tenant.objects.get(pk=result.tenant.pk)):
        assert User.objects.get(pk=result.owner_id).language == "zh-hans"
        assert workspace_settings_get().default_language == "zh-hans"
