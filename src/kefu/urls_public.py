"""URLs of the root domain: marketing page, (later) signup, operator console, webhooks."""

from django.contrib import admin
from django.urls import include, path

from kefu.core import views

urlpatterns = [
    path("", views.public_home, name="public_home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
