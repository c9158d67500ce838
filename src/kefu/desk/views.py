"""The agent and admin workspace (/desk/ on a tenant's host). Every view declares its roles."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from billing.limits import PLAN_LIMIT_TAG
from kefu.accounts.models import Invitation, User
from kefu.accounts.permissions import (
    admin_json_view,
    admin_required,
    staff_json_view,
    staff_required,
)
from kefu.accounts.services import (
    AccountError,
    StaffLimitError,
    invitation_create,
    invitation_revoke,
    user_deactivate,
    user_reactivate,
)
from kefu.core.parsing import parse_optional_id
from kefu.desk.confirm import confirm_page, is_confirmed
from kefu.desk.forms import BrandForm, InvitationForm, SupportEmailForm, TicketCategoryForm
from kefu.desk.onboarding import onboarding_steps
from kefu.desk.selectors import invitation_list_pending, staff_list, workspace_settings_get
from kefu.tickets.models import TicketCategory
from tenants.services import tenant_rename


def _ticket_counts(user: User) -> dict[str, int]:
    """The desk list's own counts (one query), so the overview and the list always agree."""
    from kefu.tickets.desk_selectors import ticket_view_counts

    return ticket_view_counts(user=user, categories=[], saved_views=[]).builtin


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    from kefu.tickets.routing import queue_health

    is_admin = request.user.role in (User.Role.OWNER, User.Role.ADMIN)
    # The set-up checklist is the admins' work: agents can do none of its steps.
    steps = onboarding_steps() if is_admin else []
    return render(
        request,
        "desk/home.html",
        {
            "is_admin": is_admin,
            "steps": steps,
            "steps_done": sum(step.done for step in steps),
            "counts": _ticket_counts(request.user),
            "queue": queue_health(),
            "may_take": workspace_settings_get().agents_pick_from_queue,
        },
    )


@admin_required
def team(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    plan_limit = ""
    if request.method == "POST" and form.is_valid():
        try:
            invitation_create(
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except StaffLimitError as error:
            plan_limit = str(error)  # shown with a link to the plans
        except AccountError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("desk:team")
    return render(
        request,
        "desk/team.html",
        {
            "form": form,
            "staff": staff_list(),
            "invitations": invitation_list_pending(),
            "plan_limit": plan_limit,
        },
    )


@admin_required
@require_POST
def invitation_revoke_view(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=invitation_id)
    invitation_revoke(invitation=invitation)
    messages.success(request, _("Invitation to %(email)s revoked.") % {"email": invitation.email})
    return redirect("desk:team")


@admin_required
@require_POST
def user_deactivate_view(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id, role__in=User.STAFF_ROLES)
    try:
        returned = user_deactivate(user=person, actor=request.user)
    except AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(email)s was deactivated; %(count)d open tickets went back to the queue.")
            % {"email": person.email, "count": returned},
        )
    return redirect("desk:team")


@admin_required
@require_POST
def user_reactivate_view(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id, role__in=User.STAFF_ROLES)
    try:
        user_reactivate(user=person)
    except AccountError as error:
        tags = PLAN_LIMIT_TAG if isinstance(error, StaffLimitError) else ""
        messages.error(request, str(error), extra_tags=tags)
    else:
        messages.success(request, _("%(email)s can sign in again.") % {"email": person.email})
    return redirect("desk:team")


@admin_required
def brand(request: HttpRequest) -> HttpResponse:
    workspace = workspace_settings_get()
    form = BrandForm(
        request.POST or None,
        request.FILES or None,
        instance=workspace,
        initial={"name": request.tenant.name},
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        tenant_rename(tenant=request.tenant, name=form.cleaned_data["name"])
        messages.success(request, _("Your help center's look was saved."))
        return redirect("desk:brand")
    return render(request, "desk/brand.html", {"form": form})


@admin_required
def categories(request: HttpRequest) -> HttpResponse:
    form = TicketCategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Category added."))
        return redirect("desk:categories")
    return render(
        request,
        "desk/categories.html",
        {"form": form, "categories": TicketCategory.objects.filter(is_active=True)},
    )


def _category_consequences(category: TicketCategory) -> list[str]:
    used = category.tickets.count()
    if used:
        return [
            ngettext(
                "%(count)d ticket has this category: it keeps it in its history, so the "
                "category is switched off rather than deleted.",
                "%(count)d tickets have this category: they keep it in their history, so the "
                "category is switched off rather than deleted.",
                used,
            ) % {"count": used},
            _("Customers can no longer choose it on the ticket form, and new tickets cannot "
              "get it."),
        ]  # fmt: skip
    lines = [_("No ticket has this category: it is deleted.")]
    fields = category.fields.count()
    if fields:
        lines.append(ngettext("Its %(count)d custom field is deleted with it.",
                              "Its %(count)d custom fields are deleted with it.", fields)
                     % {"count": fields})  # fmt: skip
    policies = category.sla_policies.count()
    if policies:
        lines.append(ngettext("Its %(count)d SLA policy is deleted with it.",
                              "Its %(count)d SLA policies are deleted with it.", policies)
                     % {"count": policies})  # fmt: skip
    return lines


@admin_required
def category_delete(request: HttpRequest, category_id: int) -> HttpResponse:
    category = get_object_or_404(TicketCategory, pk=category_id)
    if not is_confirmed(request):
        return confirm_page(
            request,
            title=_("Remove the ticket category “%(name)s”?") % {"name": category.name},
            consequences=_category_consequences(category),
            button=_("Remove the category"),
            cancel_url=reverse("desk:categories"),
        )
    # Tickets keep their history: a used category is switched off, an unused one removed.
    if category.tickets.exists():
        category.is_active = False
        category.save(update_fields=["is_active"])
    else:
        category.delete()
    messages.success(request, _("Category removed."))
    return redirect("desk:categories")


@admin_required
def email_settings(request: HttpRequest) -> HttpResponse:
    form = SupportEmailForm(request.POST or None, instance=workspace_settings_get())
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Email settings saved."))
        return redirect("desk:email")
    from kefu.messaging.outbound import support_address

    # The platform's address for this workspace, whatever host (custom domain) the admin uses:
    # the address to forward the support address to at the mail provider.
    workspace = workspace_settings_get()
    context = {
        "form": form,
        "platform_address": support_address(request.tenant),
        "workspace": workspace,
    }
    return render(request, "desk/email.html", context)


# --- staff APIs (JSON) ---------------------------------------------------------------------


@staff_json_view
def api_onboarding(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "steps": [
                {"key": step.key, "title": step.title, "done": step.done}
                for step in onboarding_steps()
            ]
        }
    )


@admin_json_view
def api_team(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "staff": [
                {
                    "id": person.pk,
                    "email": person.email,
                    "name": person.get_full_name(),
                    "role": person.role,
                    "active": person.is_active,
                    "open_tickets": person.open_ticket_count,
                }
                for person in staff_list()
            ]
        }
    )


# --- the brand logo, served from the tenant's own media folder -----------------------------


def brand_logo(request: HttpRequest) -> FileResponse:
    workspace = workspace_settings_get()
    if not workspace.logo:
        raise Http404
    try:
        handle = workspace.logo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle)
    response["Cache-Control"] = "public, max-age=300"
    return response


@staff_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Each staff member's own API tokens; a new token's secret is shown once, here."""
    from kefu.accounts.models import ApiToken
    from kefu.accounts.services import api_token_create, api_token_revoke

    secret = ""
    if request.method == "POST":
        revoke = parse_optional_id(request.POST.get("revoke"), name="revoke")
        if revoke is not None:
            token = get_object_or_404(ApiToken, pk=revoke, user=request.user)
            api_token_revoke(token=token)
            messages.success(request, _("Token revoked."))
            return redirect("desk:api_tokens")
        _token, secret = api_token_create(user=request.user, name=request.POST.get("name", ""))
    tokens = ApiToken.objects.filter(user=request.user, revoked_at=None)
    return render(request, "desk/api_tokens.html", {"tokens": tokens, "secret": secret})
