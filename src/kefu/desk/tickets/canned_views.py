"""Canned responses: the team's reusable replies (any staff member may write them)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kefu.accounts.permissions import staff_required
from kefu.desk.confirm import confirm_page, is_confirmed
from kefu.desk.tickets.canned import PLACEHOLDERS, canned_preview
from kefu.desk.tickets.forms import CannedResponseForm
from kefu.tickets.models import CannedResponse


@staff_required
def canned_list(request: HttpRequest) -> HttpResponse:
    form = CannedResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.created_by = request.user
        form.save()
        messages.success(request, _("Canned response added."))
        return redirect("desk:canned_list")
    return render(
        request,
        "desk/tickets/canned_list.html",
        {
            "form": form,
            "responses": CannedResponse.objects.select_related("created_by"),
            "placeholders": PLACEHOLDERS,
        },
    )


@staff_required
def canned_edit(request: HttpRequest, canned_id: int) -> HttpResponse:
    canned = get_object_or_404(CannedResponse, pk=canned_id)
    form = CannedResponseForm(request.POST or None, instance=canned)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Canned response saved."))
        return redirect("desk:canned_list")
    context = {
        "form": form,
        "canned": canned,
        "placeholders": PLACEHOLDERS,
        "preview": canned_preview(canned.body),
    }
    return render(request, "desk/tickets/canned_edit.html", context)


@staff_required
def canned_delete(request: HttpRequest, canned_id: int) -> HttpResponse:
    canned = get_object_or_404(CannedResponse, pk=canned_id)
    if not is_confirmed(request):
        return confirm_page(
            request,
            title=_("Delete the canned response “%(title)s”?") % {"title": canned.title},
            consequences=[
                _("Nobody on the team can pick it from the reply box any more."),
                _("Replies already sent with it are not changed."),
            ],
            button=_("Delete the canned response"),
            cancel_url=reverse("desk:canned_list"),
        )
    canned.delete()
    messages.success(request, _("Canned response deleted."))
    return redirect("desk:canned_list")
