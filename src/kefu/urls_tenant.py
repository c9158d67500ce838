"""URLs of a workspace's host (<slug>.<root> or a custom domain): help center and desk."""

from django.urls import include, path

from kefu.core import views

urlpatterns = [
    path("", views.help_center_home, name="help_center_home"),
    path("articles/<int:article_id>-<str:slug>/", views.article_detail, name="article_detail"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
]
