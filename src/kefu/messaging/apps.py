from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "kefu.messaging"
    label = "messaging"
    verbose_name = _("Channels")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the receiver of anymail's inbound signal (the provider webhooks).
        from kefu.messaging import webhooks  # noqa: F401
