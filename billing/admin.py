from django.contrib import admin

from billing.models import Plan, PlanPrice
from tenants.admin_audit import AuditedAdmin


class PlanPriceInline(admin.TabularInline):
    """The plan in other currencies (synced to Stripe as separate prices)."""

    model = PlanPrice
    extra = 0
    fields = ("currency", "monthly_base_price", "price_per_extra_resolved_ticket")


@admin.register(Plan)
class PlanAdmin(AuditedAdmin):
    list_display = (
        "name",
        "code",
        "monthly_base_price",
        "currency",
        "included_agents",
        "max_agents",
        "trial_days",
        "is_default",
        "is_active",
    )
    list_filter = ("is_active", "currency")
    search_fields = ("name", "code")
    inlines = [PlanPriceInline]
