"""The new workspace's checklist. Each step is done because of what exists, never because
somebody ticked a box: delete the last category and "first ticket categories" is open again."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Invitation, User
from kefu.desk.selectors import workspace_settings_get


@dataclass(frozen=True)
class OnboardingStep:
    key: str
    title: str
    hint: str
    url: str
    done: bool


def onboarding_steps() -> list[OnboardingStep]:
    from kefu.kb.models import Article
    from kefu.tickets.models import TicketCategory

    workspace = workspace_settings_get()
    teammates = (
        User.objects.filter(role__in=User.STAFF_ROLES).count() > 1
        or Invitation.objects.filter(
            role__in=[User.Role.ADMIN, User.Role.AGENT], revoked_at=None
        ).exists()
    )
    return [
        OnboardingStep(
            "brand",
            str(_("Make the help center yours")),
            str(_("Add your logo and brand colour.")),
            reverse("desk:brand"),
            workspace.is_branded,
        ),
        OnboardingStep(
            "categories",
            str(_("Create your first ticket categories")),
            str(_("Categories route questions to the right people.")),
            reverse("desk:categories"),
            TicketCategory.objects.filter(is_active=True).exists(),
        ),
        OnboardingStep(
            "articles",
            str(_("Publish your first articles")),
            str(_("Answers customers can find themselves, in Chinese or English.")),
            reverse("desk:article_list"),
            Article.objects.filter(status="published").exists(),
        ),
        OnboardingStep(
            "teammate",
            str(_("Invite a teammate")),
            str(_("Agents and admins work tickets with you.")),
            reverse("desk:team"),
            teammates,
        ),
        OnboardingStep(
            "email",
            str(_("Connect your support email")),
            str(
                _(
                    "Forward your support address to Kefu and send a test message: done when a "
                    "mail has really arrived."
                )
            ),
            reverse("desk:email"),
            workspace.support_email_verified,
        ),
    ]
