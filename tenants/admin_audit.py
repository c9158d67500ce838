"""Every change made through the Django admin lands in the operator audit log, like the
console's actions: a ModelAdmin mixin whose save and delete hooks write the audit entry."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from kefu.core.ratelimit import client_ip
from tenants.models import AuditEntry, Tenant
from tenants.operator import audit_record


def _tenant_of(obj: models.Model) -> Tenant | None:
    if isinstance(obj, Tenant):
        return obj
    tenant = getattr(obj, "tenant", None)
    return tenant if isinstance(tenant, Tenant) else None


def admin_audit_record(
    *, request: HttpRequest, obj: models.Model, action: str, changed: list[str] | None = None
) -> AuditEntry:
    return audit_record(
        actor=request.user,
        action=action,
        tenant=_tenant_of(obj),
        details={
            "model": obj._meta.label_lower,
            "object": str(obj)[:200],
            "object_id": str(obj.pk),
            "changed": sorted(changed or []),
        },
        ip_address=client_ip(request),
    )


class AuditedAdmin(admin.ModelAdmin):
    """Records adds, changes (with the fields and inlines that changed) and deletions."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        self._audit_changed = list(form.changed_data)
        self._audit_change = change

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        changed = list(getattr(self, "_audit_changed", form.changed_data))
        changed += [formset.model._meta.model_name for formset in formsets if formset.has_changed()]
        if change and not changed:
            return
        admin_audit_record(
            request=request,
            obj=form.instance,
            action=AuditEntry.Action.ADMIN_CHANGE if change else AuditEntry.Action.ADMIN_ADD,
            changed=changed,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        admin_audit_record(request=request, obj=obj, action=AuditEntry.Action.ADMIN_DELETE)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            admin_audit_record(request=request, obj=obj, action=AuditEntry.Action.ADMIN_DELETE)
        super().delete_queryset(request, queryset)
