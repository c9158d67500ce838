"""URLs of the root domain: marketing page, signup, operator console, webhooks."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from billing import webhook_views as billing_webhooks
from kefu.core import views
from kefu.messaging import webhooks
from tenants import views as tenant_views

# The operator's sign-in and admin pages say whose they are (not "Django administration").
admin.site.site_header = _("Kefu operator console")
admin.site.site_title = _("Kefu operators")
admin.site.index_title = _("Platform administration")

urlpatterns = [
    path("", views.public_home, name="public_home"),
    path("signup/", tenant_views.signup, name="signup"),
    path("signup/check-subdomain/", tenant_views.subdomain_check, name="signup_check_subdomain"),
    path("signin/", tenant_views.workspace_signin, name="workspace_signin"),
    path("signin/find/", tenant_views.find_workspace, name="find_workspace"),
    path("pricing/", tenant_views.pricing, name="pricing"),
    path("operator/", include("tenants.urls_operator")),
    re_path(
        r"^email/inbound/mailgun(?P<mime>_mime)?/$",
        webhooks.mailgun_inbound,
        name="email_inbound_mailgun",
    ),
    path("billing/webhook/", billing_webhooks.stripe_webhook, name="billing_stripe_webhook"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "kefu.core.error_pages.bad_request"
handler403 = "kefu.core.error_pages.permission_denied"
handler404 = "kefu.core.error_pages.page_not_found"
handler500 = "kefu.core.error_pages.server_error"
