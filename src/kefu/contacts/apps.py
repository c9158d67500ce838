from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "kefu.contacts"
    label = "contacts"
    verbose_name = _("Contacts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # An account joins the contact of its address when allauth confirms the address.
        from kefu.contacts import receivers  # noqa: F401
