"""Desk settings: the workspace's channels (admins). The built-in support address is always
there and counts as the first channel; admins add more up to their plan's limit. Only kinds
that really work are offered; the help widget has its own page (the snippet to paste and the
sites allowed to show it)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.limits import PLAN_LIMIT_TAG, PlanLimitError, channels_used, current_plan
from kefu.accounts.permissions import admin_required
from kefu.desk.forms_channels import ChannelForm, WidgetOriginsForm
from kefu.desk.selectors import workspace_settings_get
from kefu.messaging.models import Channel
from kefu.messaging.outbound import support_address
from kefu.messaging.services import (
    ChannelNotWorkingError,
    channel_create,
    channel_delete,
    channel_set_active,
)
from kefu.tenancy import tenant_base_url


@admin_required
def channel_list(request: HttpRequest) -> HttpResponse:
    form = ChannelForm(request.POST or None)
    plan_limit = ""
    if request.method == "POST" and form.is_valid():
        try:
            channel = channel_create(**form.cleaned_data)
        except PlanLimitError as error:
            plan_limit = str(error)
        except ChannelNotWorkingError as error:
            form.add_error("kind", str(error))
        else:
            messages.success(request, _("Channel %(name)s added.") % {"name": channel.name})
            return redirect("desk:channel_list")
    plan = current_plan()
    context = {
        "form": form,
        "channels": Channel.objects.all(),
        "platform_address": support_address(request.tenant),
        "support_email": workspace_settings_get().support_email,
        "used": channels_used(),
        "limit": plan.max_channels if plan else None,
        "plan_limit": plan_limit,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "desk/channels.html", context, status=status)


@admin_required
@require_POST
def channel_toggle(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=channel_id)
    active = request.POST.get("active") == "1"
    try:
        channel_set_active(channel=channel, active=active)
    except PlanLimitError as error:
        messages.error(request, str(error), extra_tags=PLAN_LIMIT_TAG)
    except ChannelNotWorkingError as error:
        messages.error(request, str(error))
    else:
        done = _("%(name)s is active again.") if active else _("%(name)s was deactivated.")
        messages.success(request, done % {"name": channel.name})
    return redirect("desk:channel_list")


@admin_required
def channel_delete_confirm(request: HttpRequest, channel_id: int) -> HttpResponse:
    """GET asks (what goes, what stays); POST deletes."""
    channel = get_object_or_404(Channel, pk=channel_id)
    if request.method == "POST":
        channel_delete(channel=channel)
        messages.success(request, _("Channel %(name)s deleted.") % {"name": channel.name})
        return redirect("desk:channel_list")
    return render(request, "desk/channel_delete.html", {"channel": channel})


@admin_required
def widget_settings(request: HttpRequest) -> HttpResponse:
    """The help widget: the line to paste into a site, and which sites may show it."""
    workspace = workspace_settings_get()
    form = WidgetOriginsForm(request.POST or None, instance=workspace)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Widget settings saved."))
        return redirect("desk:widget_settings")
    context = {
        "form": form,
        "snippet": f'<script src="{tenant_base_url(request.tenant)}/widget.js" async></script>',
        "origins": workspace.widget_origins,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "desk/widget.html", context, status=status)
