"""The operator console on the root domain, for platform staff (public-schema users)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.checkout import BillingError
from billing.models import BillingAccount, Plan
from billing.plan_change import plan_set_by_operator
from billing.stripe_sync import stripe_configured
from kefu.core.ratelimit import client_ip
from tenants.forms import DeleteTenantForm, SuspendTenantForm, TenantPlanForm
from tenants.models import Tenant
from tenants.operator import (
    TenantDeleteRefusedError,
    tenant_delete_audited,
    tenant_export,
    tenant_resume,
    tenant_suspend,
)
from tenants.selectors import audit_entry_list, tenant_list_for_operator, tenant_rows_with_usage

PAGE_SIZE = 50


def _workspace(tenant_id: int) -> Tenant:
    return get_object_or_404(Tenant.objects.exclude(schema_name="public"), pk=tenant_id)


@staff_member_required
def tenant_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status not in Tenant.Status.values:
        status = ""
    page = Paginator(tenant_list_for_operator(query=query, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "tenants/operator/tenant_list.html",
        {
            "page": page,
            "rows": tenant_rows_with_usage(list(page.object_list)),
            "query": query,
            "status": status,
            "statuses": Tenant.Status.choices,
            "audit_entries": audit_entry_list()[:10],
            "plans": Plan.objects.order_by("monthly_base_price", "name"),
            "stripe_configured": stripe_configured(),
        },
    )


@staff_member_required
def tenant_suspend_view(request: HttpRequest, tenant_id: int) -> HttpResponse:
    """A confirmation page with a required reason; suspending happens on its POST."""
    tenant = _workspace(tenant_id)
    form = SuspendTenantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        tenant_suspend(
            tenant=tenant,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            about_billing=form.cleaned_data["about_billing"],
            ip=client_ip(request),
        )
        messages.success(request, _("%(name)s is suspended.") % {"name": tenant.name})
        return redirect("operator:tenant_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "tenants/operator/tenant_suspend.html",
        {"tenant": tenant, "form": form},
        status=status,
    )


@staff_member_required
@require_POST
def tenant_plan_view(request: HttpRequest, tenant_id: int) -> HttpResponse:
    tenant = _workspace(tenant_id)
    form = TenantPlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed plans."))
        return redirect("operator:tenant_list")
    plan = form.cleaned_data["plan"]
    try:
        plan_set_by_operator(
            tenant=tenant,
            plan=plan,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            ip=client_ip(request),
        )
    except BillingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(name)s is now on the %(plan)s plan.") % {"name": tenant.name, "plan": plan.name},
        )
    return redirect("operator:tenant_list")


@staff_member_required
@require_POST
def tenant_resume_view(request: HttpRequest, tenant_id: int) -> HttpResponse:
    tenant = _workspace(tenant_id)
    tenant_resume(tenant=tenant, actor=request.user, ip=client_ip(request))
    messages.success(request, _("%(name)s is active again.") % {"name": tenant.name})
    return redirect("operator:tenant_list")


@staff_member_required
@require_POST
def tenant_export_view(request: HttpRequest, tenant_id: int) -> FileResponse:
    tenant = _workspace(tenant_id)
    export = tenant_export(tenant=tenant, actor=request.user, ip=client_ip(request))
    handle = export.path.open("rb")
    export.path.unlink()  # the open handle keeps the data until the response is sent
    return FileResponse(
        handle, as_attachment=True, filename=export.filename, content_type="application/zip"
    )


@staff_member_required
def tenant_delete_view(request: HttpRequest, tenant_id: int) -> HttpResponse:
    tenant = _workspace(tenant_id)
    form = DeleteTenantForm(request.POST or None, slug=tenant.slug)
    if request.method == "POST" and form.is_valid():
        name = tenant.name
        try:
            tenant_delete_audited(tenant=tenant, actor=request.user, ip=client_ip(request))
        except TenantDeleteRefusedError as refusal:
            messages.error(request, str(refusal))
            return redirect("operator:tenant_delete", tenant_id=tenant.pk)
        messages.success(request, _("%(name)s and all its data were deleted.") % {"name": name})
        return redirect("operator:tenant_list")
    billing = BillingAccount.objects.filter(tenant=tenant).first()
    return render(
        request,
        "tenants/operator/tenant_delete.html",
        {"tenant": tenant, "form": form, "billing": billing},
    )


@staff_member_required
def audit_log(request: HttpRequest) -> HttpResponse:
    page = Paginator(audit_entry_list(), 100).get_page(request.GET.get("page"))
    return render(request, "tenants/operator/audit_log.html", {"page": page})
