"""Desk settings for routing (skill groups, agents' skills and capacity, the queue rule) and for
SLA (policies, business calendar, holidays); and every staff member's own availability."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kefu.accounts.models import User
from kefu.accounts.permissions import admin_required, staff_required
from kefu.desk.confirm import confirm_page, is_confirmed
from kefu.desk.forms_routing import (
    WEEKDAYS,
    AgentSkillsForm,
    BusinessCalendarForm,
    HolidayForm,
    QueueSettingsForm,
    SkillGroupForm,
    SlaPolicyForm,
)
from kefu.desk.selectors import workspace_settings_get
from kefu.tickets.calendar import business_calendar_get, business_calendar_update
from kefu.tickets.errors import TicketError
from kefu.tickets.models import Holiday, SkillGroup, SlaPolicy, Ticket
from kefu.tickets.routing import (
    agent_profile_for,
    agent_profile_update,
    agent_set_availability,
    is_available,
    loads_of,
)

# --- routing -----------------------------------------------------------------------------------


def _agent_rows(bound: dict[int, AgentSkillsForm] | None = None) -> list[dict]:
    staff = list(User.objects.filter(role__in=User.STAFF_ROLES, is_active=True).order_by("email"))
    loads = loads_of([person.pk for person in staff])
    rows = []
    for person in staff:
        profile = agent_profile_for(person)
        form = (bound or {}).get(person.pk) or AgentSkillsForm.for_profile(profile)
        rows.append({"person": person, "profile": profile, "load": loads.get(person.pk, 0),
                     "form": form, "available": is_available(profile)})  # fmt: skip
    return rows


def _render_routing(request: HttpRequest, *, status: int = 200, **forms: object) -> HttpResponse:
    context = {
        "groups": SkillGroup.objects.all(),
        "group_form": forms.get("group_form") or SkillGroupForm(),
        "queue_form": forms.get("queue_form")
        or QueueSettingsForm(instance=workspace_settings_get()),
        "agents": _agent_rows(forms.get("agent_forms")),  # type: ignore[arg-type]
    }
    return render(request, "desk/routing/routing.html", context, status=status)


@admin_required
def routing_settings(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_routing(request)
    if request.POST.get("action") == "queue":
        queue_form = QueueSettingsForm(request.POST, instance=workspace_settings_get())
        if queue_form.is_valid():
            queue_form.save()
            messages.success(request, _("Queue rule saved."))
            return redirect("desk:routing_settings")
        return _render_routing(request, queue_form=queue_form, status=400)
    group_form = SkillGroupForm(request.POST)
    if group_form.is_valid():
        group_form.save()
        messages.success(request, _("Skill group added."))
        return redirect("desk:routing_settings")
    return _render_routing(request, group_form=group_form, status=400)


@admin_required
def skill_group_edit(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_object_or_404(SkillGroup, pk=group_id)
    form = SkillGroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Skill group saved."))
        return redirect("desk:routing_settings")
    status = 400 if request.method == "POST" else 200
    return render(request, "desk/routing/skill_group.html", {"form": form, "group": group},
                  status=status)  # fmt: skip


@admin_required
def skill_group_delete(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_object_or_404(SkillGroup, pk=group_id)
    if not is_confirmed(request):
        categories = group.categories.count()
        tickets = group.tickets.filter(status__in=Ticket.ACTIVE_STATUSES).count()
        return confirm_page(
            request,
            title=_("Remove the skill group “%(name)s”?") % {"name": group.name},
            consequences=[
                ngettext("%(count)d ticket category sends its tickets to this group; it keeps "
                         "working without a group.",
                         "%(count)d ticket categories send their tickets to this group; they "
                         "keep working without a group.", categories) % {"count": categories},
                ngettext("%(count)d open ticket loses the group: any agent can take it.",
                         "%(count)d open tickets lose the group: any agent can take them.",
                         tickets) % {"count": tickets},
                _("Agents keep their other skills."),
            ],
            button=_("Remove the skill group"),
            cancel_url=reverse("desk:routing_settings"),
        )  # fmt: skip
    group.delete()  # its tickets and categories keep working, without a group
    messages.success(request, _("Skill group removed."))
    return redirect("desk:routing_settings")


@admin_required
@require_POST
def agent_skills(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id, role__in=User.STAFF_ROLES, is_active=True)
    form = AgentSkillsForm.for_profile(agent_profile_for(person), data=request.POST)
    if not form.is_valid():
        return _render_routing(request, agent_forms={person.pk: form}, status=400)
    agent_profile_update(user=person, **form.cleaned_data)
    messages.success(request, _("Saved %(email)s's skills.") % {"email": person.email})
    return redirect("desk:routing_settings")


# --- SLA ---------------------------------------------------------------------------------------


def _render_sla(request: HttpRequest, *, status: int = 200, **forms: object) -> HttpResponse:
    calendar = business_calendar_get()
    context = {
        "policies": SlaPolicy.objects.select_related("category"),
        "policy_form": forms.get("policy_form") or SlaPolicyForm(),
        "calendar_form": forms.get("calendar_form") or BusinessCalendarForm.for_calendar(calendar),
        "holiday_form": forms.get("holiday_form") or HolidayForm(),
        "holidays": Holiday.objects.all(),
        "weekdays": WEEKDAYS,
    }
    return render(request, "desk/routing/sla.html", context, status=status)


@admin_required
def sla_settings(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_sla(request)
    action = request.POST.get("action")
    if action == "calendar":
        form = BusinessCalendarForm(request.POST)
        if not form.is_valid():
            return _render_sla(request, calendar_form=form, status=400)
        business_calendar_update(
            timezone=form.cleaned_data["timezone"], working_hours=form.cleaned_data["working_hours"]
        )
        messages.success(request, _("Business hours saved."))
    elif action == "holiday":
        form = HolidayForm(request.POST)
        if not form.is_valid():
            return _render_sla(request, holiday_form=form, status=400)
        form.save()
        messages.success(request, _("Holiday added."))
    else:
        form = SlaPolicyForm(request.POST)
        if not form.is_valid():
            return _render_sla(request, policy_form=form, status=400)
        form.save()
        messages.success(request, _("SLA policy added."))
    return redirect("desk:sla_settings")


@admin_required
def sla_policy_edit(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(SlaPolicy, pk=policy_id)
    form = SlaPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("SLA policy saved. New tickets use it; open ones keep "
                                    "their deadlines."))  # fmt: skip
        return redirect("desk:sla_settings")
    status = 400 if request.method == "POST" else 200
    return render(request, "desk/routing/sla_policy.html", {"form": form, "policy": policy},
                  status=status)  # fmt: skip


@admin_required
def sla_policy_delete(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(SlaPolicy, pk=policy_id)
    if not is_confirmed(request):
        return confirm_page(
            request,
            title=_("Remove the SLA policy “%(name)s”?") % {"name": policy.name},
            consequences=[
                _("Open tickets keep the deadlines they already have."),
                _("New tickets get the next matching policy, or no deadline if none matches."),
            ],
            button=_("Remove the policy"),
            cancel_url=reverse("desk:sla_settings"),
        )
    policy.delete()
    messages.success(request, _("SLA policy removed."))
    return redirect("desk:sla_settings")


@admin_required
def holiday_delete(request: HttpRequest, holiday_id: int) -> HttpResponse:
    holiday = get_object_or_404(Holiday, pk=holiday_id)
    if not is_confirmed(request):
        return confirm_page(
            request,
            title=_("Remove the holiday “%(name)s”?") % {"name": holiday.name},
            consequences=[
                _("SLA clocks run on %(date)s again, within business hours.")
                % {"date": holiday.date.isoformat()},
            ],
            button=_("Remove the holiday"),
            cancel_url=reverse("desk:sla_settings"),
        )
    holiday.delete()
    messages.success(request, _("Holiday removed."))
    return redirect("desk:sla_settings")


# --- availability ------------------------------------------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@staff_required
@require_POST
def availability(request: HttpRequest) -> HttpResponse:
    """Any staff member sets their own availability (online, away, offline)."""
    try:
        profile = agent_set_availability(
            user=request.user, availability=request.POST.get("availability", "")
        )
    except TicketError as error:
        if _wants_json(request):
            return JsonResponse({"error": "invalid", "message": str(error)}, status=400)
        messages.error(request, str(error))
    else:
        if _wants_json(request):
            return JsonResponse({"availability": profile.availability,
                                 "label": profile.get_availability_display()})  # fmt: skip
        messages.success(
            request,
            _("Your availability is now: %(state)s.")
            % {"state": profile.get_availability_display()},
        )
    back = request.POST.get("next") or request.headers.get("Referer", "")
    # A page of this site: a bare word would be taken for a URL name by redirect().
    on_this_site = back.startswith(("/", "http")) and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not on_this_site:
        back = ""
    return redirect(back or "desk:home")
