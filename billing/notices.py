"""Billing emails to a workspace's owners: payment failed, read-only, restored, canceled.

Each is a BillingNotice row (unique per kind and reference); the job sends it to every active
owner, each in their own language, recording each owner it reached and finally marking it
sent, so a retry sends nothing twice.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from billing.access import READ_ONLY, access_state_for
from billing.models import BillingNotice
from kefu.tenancy import public_context, tenant_base_url, tenant_context, tenant_reverse

Kind = BillingNotice.Kind
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+\n")


def _date(value: datetime | None) -> str:
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT") if value else ""


def _texts(notice: BillingNotice, workspace: str) -> tuple[str, list[str]]:
    """The subject and paragraphs of a notice, in the active language."""
    account = notice.account
    names = {"workspace": workspace}
    if notice.kind == Kind.PAYMENT_FAILED:
        return _("Payment failed for %(workspace)s") % names, [
            _("We could not collect the payment for %(workspace)s's Kefu subscription.") % names,
            _(
                "Please update your card by %(date)s. After that date the workspace becomes "
                "read-only for your team until the payment goes through; no data is lost."
            )
            % {"date": _date(account.grace_until)},
        ]
    if notice.kind == Kind.READ_ONLY:
        return _("%(workspace)s is now read-only") % names, [
            _(
                "The payment for %(workspace)s is still overdue, so your team can read but not "
                "change anything. Customers can still use the help center and send requests."
            )
            % names,
            _("Pay the open invoice to restore full access at once."),
        ]
    if notice.kind == Kind.TRIAL_ENDED:
        plan = notice.account.tenant.plan
        if notice.account.read_only_since is None and plan is not None:
            return _("The trial of %(workspace)s has ended") % names, [
                _("The workspace is now on the %(plan)s plan, with its limits.")
                % {"plan": plan.name},
                _("Choose a paid plan at any time to get more."),
            ]
        return _("The trial of %(workspace)s has ended") % names, [
            _(
                "The workspace is read-only for your team until you choose a plan. Customers "
                "can still use the help center and send requests; no data is lost."
            ),
        ]
    if notice.kind == Kind.RESTORED:
        return _("Full access to %(workspace)s is restored") % names, [
            _("Thank you: the payment went through and your team has full access again.")
        ]
    return _("The subscription of %(workspace)s was canceled") % names, [
        _(
            "The workspace is read-only for your team. Its data is kept until %(date)s; "
            "subscribe again before then to continue where you left off."
        )
        % {"date": _date(account.retain_until)},
    ]


def _owners() -> list:
    """Active owners of the workspace whose schema is active."""
    from kefu.accounts.models import User

    owners = User.objects.filter(role=User.Role.OWNER, is_active=True).exclude(email="")
    return list(owners.order_by("pk"))


def _message(notice: BillingNotice, *, owner, billing_url: str) -> EmailMultiAlternatives:
    from kefu.tickets.notifications import mail_language

    workspace = notice.account.tenant.name
    with translation.override(mail_language(owner.language)):
        subject, paragraphs = _texts(notice, workspace)
        context = {
            "subject": subject,
            "paragraphs": paragraphs,
            "billing_url": billing_url,
            "workspace": workspace,
            "name": owner.get_full_name(),
        }
        body = render_to_string("billing/email/notice.txt", context)
        html = render_to_string("billing/email/notice.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=_BLANK_LINES.sub("\n\n", body).strip() + "\n",
        to=[owner.email],
        headers={"Auto-Submitted": "auto-generated", "X-Kefu-Billing": notice.kind},
    )
    message.attach_alternative(html, "text/html")
    return message


def _stale(notice: BillingNotice) -> bool:
    """The account moved on before the mail went out (paid, or a plan was chosen): a warning
    would then be wrong, and the owners get the "restored" notice instead."""
    if notice.kind == Kind.PAYMENT_FAILED:
        return notice.account.grace_until is None
    if notice.kind == Kind.READ_ONLY:
        return access_state_for(notice.account).access != READ_ONLY
    return False


def billing_notice_deliver(*, notice_id: int) -> int:
    """Send the notice to each owner it has not reached yet; returns how many mails went out.

    One owner per transaction, under the notice's row lock: the mail and the record that this
    owner has it (``sent_to``) commit together, so a worker killed halfway through the owners
    leaves the ones mailed recorded and the retry mails only the rest. The one window left for
    a second copy is a crash after the mail server accepted a mail and before the commit."""
    sent = 0
    while _deliver_to_next_owner(notice_id=notice_id):
        sent += 1
    return sent


def _deliver_to_next_owner(*, notice_id: int) -> bool:
    """Mail the next owner still waiting for the notice; False once none is (the notice is
    then marked sent)."""
    from kefu.tickets.calendar import workspace_timezone

    with public_context(), transaction.atomic():
        notice = (
            BillingNotice.objects.select_for_update()
            .select_related("account__tenant")
            .filter(pk=notice_id, sent_at=None)
            .first()
        )
        if notice is None:
            return False
        tenant = notice.account.tenant
        message = None
        with tenant_context(tenant), timezone.override(workspace_timezone()):
            owners = [] if _stale(notice) else _owners()
            owner = next((o for o in owners if o.email.lower() not in notice.sent_to), None)
            if owner is not None:
                billing_url = f"{tenant_base_url(tenant)}{tenant_reverse('desk:billing')}"
                message = _message(notice, owner=owner, billing_url=billing_url)
        if owner is None or message is None:
            notice.sent_at = timezone.now()
            notice.save(update_fields=["sent_at"])
            return False
        message.send()
        notice.sent_to = [*notice.sent_to, owner.email.lower()]
        notice.save(update_fields=["sent_to"])
        return True
