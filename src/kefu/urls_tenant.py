"""URLs of a workspace's host (<slug>.<root> or a custom domain): help center, accounts, desk."""

from django.urls import include, path

from kefu.accounts import views as account_views
from kefu.core import views
from kefu.desk import views as desk_views
from tenants import views as tenant_views

urlpatterns = [
    path("", views.help_center_home, name="help_center_home"),
    path("articles/<int:article_id>-<str:slug>/", views.article_detail, name="article_detail"),
    path("accounts/", include("allauth.urls")),
    path("handoff/<str:token>/", tenant_views.handoff, name="handoff"),
    path(
        "invitations/<str:token>/",
        account_views.invitation_accept_view,
        name="invitation_accept",
    ),
    path("desk/", include("kefu.desk.urls")),
    path("brand/logo", desk_views.brand_logo, name="brand_logo"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
]
