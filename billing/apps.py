from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        # Connects the receivers that drop the cached workspace access when an account changes.
        from billing import access  # noqa: F401
