from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "kefu.desk"
    label = "desk"
    verbose_name = _("Desk")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        user_logged_out.connect(_signed_out, dispatch_uid="desk-presence-signed-out")


def _signed_out(sender: object, request: object, user: object, **kwargs: object) -> None:
    """Signing out of the desk ends "online while at the desk" at once."""
    from kefu.tenancy import current_schema

    # Operators sign out on the root domain: the public schema has no routing profiles.
    if current_schema() == "public":
        return
    if user is not None and getattr(user, "is_desk_user", False):
        from kefu.tickets.routing import agent_signed_out

        agent_signed_out(user=user)
