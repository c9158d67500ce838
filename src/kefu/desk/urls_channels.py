"""Channel settings (included into the desk URLs, namespace "desk")."""

from django.urls import path

from kefu.desk import views_channels as views

urlpatterns = [
    path("settings/channels/", views.channel_list, name="channel_list"),
    path(
        "settings/channels/<int:channel_id>/active/",
        views.channel_toggle,
        name="channel_toggle",
    ),
    path(
        "settings/channels/<int:channel_id>/delete/",
        views.channel_delete_confirm,
        name="channel_delete",
    ),
    path("settings/channels/widget/", views.widget_settings, name="widget_settings"),
]
