from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "kefu.tickets"
    label = "tickets"
    verbose_name = _("Tickets")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # An account joins the contact of its address when allauth confirms the address
        # (kefu.tickets.contact_accounts: joining merges contacts, which moves tickets).
        from kefu.tickets import receivers  # noqa: F401
