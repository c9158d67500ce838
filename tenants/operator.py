"""What platform operators do to workspaces. Every action writes an audit entry."""

from __future__ import annotations

import ipaddress
import json
import logging
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kefu.accounts.models import User
from kefu.tenancy import public_context, tenant_context
from tenants.models import AuditEntry, Tenant
from tenants.services import tenant_delete

logger = logging.getLogger(__name__)

#: Never leaves the schema in an export: credentials and live sessions; and Django's own
#: bookkeeping, the same in every workspace and rebuilt by ``migrate`` (content types and the
#: permissions made from them; no Kefu table points at either).
EXPORT_EXCLUDED_MODELS = frozenset(
    {"sessions.session", "mfa.authenticator", "contenttypes.contenttype", "auth.permission"}
)
EXPORT_EXCLUDED_FIELDS = {"accounts.user": {"password"}}


def audit_record(
    *,
    actor: User,
    action: str,
    tenant: Tenant | None,
    details: dict | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """One audit entry; ``tenant`` is None for platform-wide changes (a plan edited)."""
    with public_context():
        return AuditEntry.objects.create(
            actor=actor,
            actor_email=actor.email or actor.username,
            action=action,
            tenant=tenant,
            tenant_slug=tenant.slug if tenant else "",
            tenant_name=tenant.name if tenant else "",
            details=details or {},
            ip_address=_address_or_none(ip_address),
        )


def _address_or_none(value: str | None) -> str | None:
    """The client's address as the audit column stores it; None when the connection's address
    could not be read (a unix socket: ``client_ip`` then says "unknown")."""
    try:
        return str(ipaddress.ip_address(value or ""))
    except ValueError:
        return None


@transaction.atomic
def tenant_suspend(
    *,
    tenant: Tenant,
    actor: User,
    reason: str,
    about_billing: bool = False,
    ip: str | None = None,
) -> None:
    """The workspace's site shows a suspended page; nothing in its schema changes. The reason
    goes to the audit log and to the owner's page (``suspension_get``)."""
    reason = reason.strip()
    if not reason:
        raise ValueError("a suspension needs a reason")
    with public_context():
        Tenant.objects.filter(pk=tenant.pk).update(status=Tenant.Status.SUSPENDED)
    tenant.status = Tenant.Status.SUSPENDED
    audit_record(
        actor=actor, action=AuditEntry.Action.SUSPEND, tenant=tenant,
        details={"reason": reason, "billing": about_billing}, ip_address=ip,
    )  # fmt: skip


@dataclass(frozen=True)
class Suspension:
    reason: str
    about_billing: bool
    since: datetime | None


def suspension_get(tenant: Tenant) -> Suspension:
    """Why the workspace is suspended, from the audit entry that suspended it."""
    with public_context():
        entry = (
            AuditEntry.objects.filter(tenant_id=tenant.pk, action=AuditEntry.Action.SUSPEND)
            .order_by("-created_at", "-id")
            .first()
        )
    if entry is None:
        return Suspension(reason="", about_billing=False, since=None)
    details = entry.details or {}
    return Suspension(
        reason=str(details.get("reason", "")),
        about_billing=bool(details.get("billing")),
        since=entry.created_at,
    )


@transaction.atomic
def tenant_resume(*, tenant: Tenant, actor: User, ip: str | None = None) -> None:
    with public_context():
        Tenant.objects.filter(pk=tenant.pk).update(status=Tenant.Status.ACTIVE)
    tenant.status = Tenant.Status.ACTIVE
    audit_record(actor=actor, action=AuditEntry.Action.RESUME, tenant=tenant, ip_address=ip)


class TenantDeleteRefusedError(Exception):
    """The workspace may not be deleted yet; the message says why and until when."""


@transaction.atomic
def tenant_delete_audited(*, tenant: Tenant, actor: User, ip: str | None = None) -> None:
    """Drop the workspace's schema and rows; the audit entry keeps its name and subdomain.
    A canceled workspace's data is kept until its retention date has passed."""
    from billing.access import retention_until  # billing imports tenants

    kept_until = retention_until(tenant)
    if kept_until is not None:
        raise TenantDeleteRefusedError(
            _(
                "%(name)s canceled its subscription; its data is kept until %(date)s. "
                "It can be deleted after that date."
            )
            % {"name": tenant.name, "date": formats.date_format(kept_until, "DATETIME_FORMAT")}
        )
    audit_record(
        actor=actor, action=AuditEntry.Action.DELETE, tenant=tenant,
        details={"schema": tenant.schema_name}, ip_address=ip,
    )  # fmt: skip
    tenant_delete(tenant=tenant)


@dataclass(frozen=True)
class TenantExport:
    path: Path
    filename: str
    counts: dict[str, int]


def _tenant_models() -> list:
    labels = []
    for app_name in settings.TENANT_APPS:
        config = next(c for c in apps.get_app_configs() if c.name == app_name)
        labels.extend(config.get_models())
    return labels


def _serialize_model(model) -> tuple[str, int]:
    label = model._meta.label_lower
    excluded = EXPORT_EXCLUDED_FIELDS.get(label, set())
    fields = [
        field.name
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in excluded
    ]
    queryset = model._default_manager.order_by("pk")
    data = serializers.serialize("json", queryset, fields=fields, ensure_ascii=False, indent=1)
    return data, queryset.count()


def tenant_export(*, tenant: Tenant, actor: User, ip: str | None = None) -> TenantExport:
    """Write a zip of the workspace's data (one JSON file per model, its uploaded files, and a
    manifest) to a temporary file. Passwords, two-factor secrets and sessions stay out."""
    stamp = timezone.now()
    filename = f"kefu-{tenant.slug}-{stamp:%Y%m%d-%H%M%S}.zip"
    handle = tempfile.NamedTemporaryFile(prefix="kefu-export-", suffix=".zip", delete=False)  # noqa: SIM115
    handle.close()
    path = Path(handle.name)
    counts: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with tenant_context(tenant):
            for model in _tenant_models():
                label = model._meta.label_lower
                if label in EXPORT_EXCLUDED_MODELS:
                    continue
                data, count = _serialize_model(model)
                counts[label] = count
                archive.writestr(f"data/{label}.json", data)
        media_dir = Path(settings.MEDIA_ROOT) / tenant.schema_name
        if media_dir.is_dir():
            for file_path in sorted(media_dir.rglob("*")):
                if file_path.is_file():
                    archive.write(file_path, f"media/{file_path.relative_to(media_dir)}")
        manifest = {
            "format": "kefu-tenant-export/1",
            "tenant": {
                "name": tenant.name,
                "slug": tenant.slug,
                "created_at": _iso(tenant.created_at),
            },
            "exported_at": _iso(stamp),
            "counts": counts,
        }
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    audit_record(
        actor=actor, action=AuditEntry.Action.EXPORT, tenant=tenant,
        details={"counts": counts, "bytes": path.stat().st_size}, ip_address=ip,
    )  # fmt: skip
    logger.info("exported workspace %s (%d bytes)", tenant.slug, path.stat().st_size)
    return TenantExport(path=path, filename=filename, counts=counts)


def _iso(value: datetime) -> str:
    return value.isoformat()
