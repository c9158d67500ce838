"""The ticket list: built-in and saved views with counts, filters, bulk actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kefu.accounts.models import User
from kefu.accounts.permissions import ADMIN_ROLES, staff_required
from kefu.desk.selectors import workspace_settings_get
from kefu.desk.tickets.forms import BulkForm, SavedViewForm
from kefu.tickets.desk_selectors import (
    saved_view_list,
    staff_for_assignment,
    ticket_filters_clean,
    ticket_list_for_desk,
    ticket_view_counts,
)
from kefu.tickets.errors import TicketError
from kefu.tickets.models import SavedView, Ticket, TicketCategory
from kefu.tickets.services.changes import ticket_assign, ticket_update

PAGE_SIZE = 50


def _current_filters(request: HttpRequest) -> dict[str, str]:
    filters = ticket_filters_clean(request.GET)
    if not filters:
        filters = {"view": "open"}
    filters.setdefault("view", "all")
    return filters


def _list_url(filters: dict[str, str]) -> str:
    return f"{reverse('desk:ticket_list')}?{urlencode(filters)}"


def _builtin_views() -> list[tuple[str, str]]:
    return [
        ("mine", _("Mine")),
        ("unassigned", _("Unassigned")),
        ("open", _("All open")),
        ("overdue", _("Overdue")),
        ("all", _("All tickets")),
    ]


@dataclass
class ViewLink:
    """One entry of the sidebar: a view of the list and how many tickets it holds."""

    label: str
    count: int
    filters: dict[str, str]
    current: bool
    saved: SavedView | None = None

    @property
    def url(self) -> str:
        return _list_url(self.filters)


def _link(label: str, count: int, filters: dict[str, str], current: dict[str, str]) -> ViewLink:
    return ViewLink(label=label, count=count, filters=filters, current=filters == current)


def _sidebar(user: User, current: dict[str, str]) -> dict[str, Any]:
    categories = list(TicketCategory.objects.filter(is_active=True))
    saved_views = list(saved_view_list(user))
    counts = ticket_view_counts(user=user, categories=categories, saved_views=saved_views)
    saved_links = []
    for saved in saved_views:
        filters = ticket_filters_clean(saved.filters if isinstance(saved.filters, dict) else {})
        filters.setdefault("view", "all")
        link = _link(saved.name, counts.saved[saved.pk], filters, current)
        link.saved = saved
        saved_links.append(link)
    return {
        "views": [
            _link(label, counts.builtin[key], {"view": key}, current)
            for key, label in _builtin_views()
        ],
        "statuses": [
            _link(label, counts.by_status[value], {"view": "all", "status": value}, current)
            for value, label in Ticket.Status.choices
        ],
        "categories": [
            _link(
                category.name,
                counts.by_category[category.pk],
                {"view": "open", "category": str(category.pk)},
                current,
            )
            for category in categories
        ],
        "saved": saved_links,
        "all_categories": categories,
    }


@staff_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _bulk(request)
    filters = _current_filters(request)
    page = Paginator(ticket_list_for_desk(filters, user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    is_admin = request.user.role in ADMIN_ROLES
    may_pick = workspace_settings_get().agents_pick_from_queue
    return render(
        request,
        "desk/tickets/list.html",
        {
            "filters": filters,
            "query_string": urlencode(filters),
            "page": page,
            "sidebar": _sidebar(request.user, filters),
            "statuses": Ticket.Status.choices,
            "priorities": Ticket.Priority.choices,
            "staff": list(staff_for_assignment()),
            "can_assign": is_admin or may_pick,
            "is_admin": is_admin,
            "save_form": SavedViewForm(),
            "now": timezone.now(),
        },
    )


def _apply(ticket: Ticket, form_data: dict, actor: User) -> None:
    action = form_data["action"]
    if action == "status":
        ticket_update(ticket=ticket, actor=actor, status=form_data["status"])
    elif action == "priority":
        ticket_update(ticket=ticket, actor=actor, priority=form_data["priority"])
    elif action == "tag":
        ticket_update(ticket=ticket, actor=actor, tags=[*ticket.tags, form_data["tag"]])
    elif action == "assign":
        with transaction.atomic():
            ticket_assign(ticket=ticket, assignee=form_data["assignee_user"], actor=actor)


def _bulk(request: HttpRequest) -> HttpResponse:
    back = request.POST.get("next") or reverse("desk:ticket_list")
    if not back.startswith("/desk/"):
        back = reverse("desk:ticket_list")
    form = BulkForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("__all__", []) or [_("Choose tickets and an action.")]:
            messages.error(request, error)
        return redirect(back)
    tickets = Ticket.objects.filter(pk__in=form.cleaned_data["ticket"]).select_related(
        "assignee", "category", "skill_group"
    )
    updated = 0
    for ticket in tickets.order_by("pk"):
        try:
            _apply(ticket, form.cleaned_data, request.user)
        except TicketError as error:
            messages.error(request, f"#{ticket.number}: {error}")
        else:
            updated += 1
    messages.success(
        request,
        ngettext("%(count)d ticket updated.", "%(count)d tickets updated.", updated)
        % {"count": updated},
    )
    return redirect(back)


@staff_required
@require_POST
def saved_view_create(request: HttpRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    filters = ticket_filters_clean(request.POST)
    filters.setdefault("view", "all")
    if not form.is_valid():
        messages.error(request, _("Give the view a name."))
        return redirect(_list_url(filters))
    SavedView.objects.create(
        name=form.cleaned_data["name"],
        shared=form.cleaned_data["shared"],
        owner=request.user,
        filters=filters,
    )
    messages.success(request, _("View saved."))
    return redirect(_list_url(filters))


@staff_required
@require_POST
def saved_view_delete(request: HttpRequest, view_id: int) -> HttpResponse:
    saved = get_object_or_404(SavedView, pk=view_id, owner=request.user)
    saved.delete()
    messages.success(request, _("View deleted."))
    return redirect("desk:ticket_list")
