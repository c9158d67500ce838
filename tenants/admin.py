from django.contrib import admin

from tenants.admin_audit import AuditedAdmin
from tenants.models import AuditEntry, Domain, PoolSchema, SchemaTemplate, Tenant


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Tenant)
class TenantAdmin(AuditedAdmin):
    list_display = ("name", "slug", "schema_name", "plan", "status", "created_at")
    list_filter = ("status", "plan")
    search_fields = ("name", "slug", "schema_name")
    # Suspending (with a reason the owner sees) and changing the plan (with the billing
    # account kept in step) happen in the operator console; the admin only shows them.
    readonly_fields = ("schema_name", "status", "plan", "created_at")
    inlines = [DomainInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a row here would leave its schema behind and skip the audit log and the
        # billing retention rule: workspaces are deleted from the operator console.
        return False


@admin.register(Domain)
class DomainAdmin(AuditedAdmin):
    list_display = ("domain", "tenant", "is_primary")
    search_fields = ("domain",)


@admin.register(SchemaTemplate)
class SchemaTemplateAdmin(admin.ModelAdmin):
    list_display = ("schema_name", "fingerprint", "refreshed_at")
    readonly_fields = ("schema_name", "fingerprint", "refreshed_at")


@admin.register(PoolSchema)
class PoolSchemaAdmin(admin.ModelAdmin):
    list_display = ("schema_name", "fingerprint", "created_at")
    readonly_fields = ("schema_name", "fingerprint", "created_at")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_email", "action", "tenant_slug", "ip_address")
    list_filter = ("action",)
    search_fields = ("actor_email", "tenant_slug", "tenant_name")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# Operators' own accounts (public schema) are edited in the admin too: audited the same way.
# Imported first so its registration exists to be replaced, whatever the app order.
from kefu.accounts.admin import UserAdmin  # noqa: E402
from kefu.accounts.models import User  # noqa: E402

admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    pass
