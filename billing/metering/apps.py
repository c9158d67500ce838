from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeteringConfig(AppConfig):
    """Usage recorded inside each workspace's schema (a tenant app), reported to Stripe later."""

    name = "billing.metering"
    label = "metering"
    verbose_name = _("Metering")
    default_auto_field = "django.db.models.BigAutoField"
