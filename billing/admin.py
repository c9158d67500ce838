from django.contrib import admin

from billing.models import Plan


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
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
