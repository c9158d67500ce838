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
]
