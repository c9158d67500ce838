"""The operator console on the root domain, for platform staff (public-schema users)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.models import BillingAccount
from kefu.core.ratelimit import client_ip
from tenants.forms import DeleteTenantForm
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
        },
    )


@staff_member_required
@require_POST
def tenant_suspend_view(request: HttpRequest, tenant_id: int) -> HttpResponse:
    tenant = _workspace(tenant_id)
    tenant_suspend(
        tenant=tenant,
        actor=request.user,
        reason=request.POST.get("reason", "")[:500],
        ip=client_ip(request),
    )
    messages.success(request, _("%(name)s is suspended.") % {"name": tenant.name})
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
