"""Mail about accounts, sent by the worker."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kefu.jobs import tenant_actor


@tenant_actor(queue_name="mail", max_retries=5)
def invitation_send_job(invitation_id: int, nonce: str) -> None:
    """Email an invitation link. Runs once per invitation version: a retry after success, or a
    revoked or re-sent invitation (different nonce), sends nothing."""
    from kefu.accounts.models import Invitation
    from kefu.accounts.services import invitation_token
    from kefu.tenancy import tenant_base_url
    from tenants.models import Tenant

    invitation = Invitation.objects.filter(pk=invitation_id, nonce=nonce, sent_at=None).first()
    if invitation is None or not invitation.is_pending:
        return
    tenant = Tenant.objects.get(schema_name=connection.schema_name)
    from kefu.tickets.notifications import mail_language

    inviter = invitation.invited_by
    # The invitee has no account, so no language of their own yet: the workspace's language.
    language = mail_language()
    context = {
        "tenant": tenant,
        "invitation": invitation,
        "inviter": inviter,
        "url": f"{tenant_base_url(tenant)}/invitations/{invitation_token(invitation)}/",
    }
    with translation.override(language):
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_message.txt", context)
        html = render_to_string("accounts/email/invitation_message.html", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
