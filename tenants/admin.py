from django.contrib import admin

from tenants.models import Domain, PoolSchema, SchemaTemplate, Tenant


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "schema_name", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("name", "slug", "schema_name")
    readonly_fields = ("schema_name", "created_at")
    inlines = [DomainInline]


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
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
