"""Admins define the custom fields of each category's ticket form (or of every category)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.permissions import admin_required
from kefu.desk.tickets.forms import TicketFieldForm
from kefu.tickets.models import TicketField


def _fields():
    return TicketField.objects.select_related("category").order_by(
        "-is_active", "category__position", "category__name", "position", "pk"
    )


@admin_required
def ticket_fields(request: HttpRequest) -> HttpResponse:
    form = TicketFieldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        field = form.save()
        messages.success(request, _("Field “%(label)s” added.") % {"label": field.label})
        return redirect("desk:ticket_fields")
    return render(request, "desk/tickets/fields.html", {"form": form, "fields": _fields()})


@admin_required
def ticket_field_edit(request: HttpRequest, field_id: int) -> HttpResponse:
    field = get_object_or_404(TicketField, pk=field_id)
    form = TicketFieldForm(request.POST or None, instance=field)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Field “%(label)s” saved.") % {"label": field.label})
        return redirect("desk:ticket_fields")
    return render(request, "desk/tickets/field_edit.html", {"form": form, "field": field})


@admin_required
@require_POST
def ticket_field_toggle(request: HttpRequest, field_id: int) -> HttpResponse:
    """Deactivate (or reactivate) a field: tickets keep the values already given."""
    field = get_object_or_404(TicketField, pk=field_id)
    field.is_active = not field.is_active
    field.save(update_fields=["is_active"])
    if field.is_active:
        messages.success(request, _("Field “%(label)s” is asked again.") % {"label": field.label})
    else:
        messages.success(
            request, _("Field “%(label)s” is no longer asked.") % {"label": field.label}
        )
    return redirect("desk:ticket_fields")
