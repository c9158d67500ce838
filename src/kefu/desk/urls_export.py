"""The workspace data export in the desk (included into the desk URLs, namespace "desk")."""

from django.urls import path

from kefu.desk import views_export as views

urlpatterns = [
    path("settings/export/", views.export_page, name="data_export"),
    path("settings/export/format/", views.export_help, name="data_export_help"),
    path("settings/export/<int:export_id>/status/", views.export_status, name="data_export_status"),
    path(
        "settings/export/<int:export_id>/download/",
        views.export_download,
        name="data_export_download",
    ),
]
