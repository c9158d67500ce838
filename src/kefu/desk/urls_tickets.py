"""URLs of the ticket desk, included into the desk namespace by kefu.desk.urls."""

from django.urls import path

from kefu.desk.tickets import canned_views, detail, fields_admin, lists, tools

urlpatterns = [
    path("tickets/", lists.ticket_list, name="ticket_list"),
    path("tickets/views/", lists.saved_view_create, name="saved_view_create"),
    path("tickets/views/<int:view_id>/delete/", lists.saved_view_delete, name="saved_view_delete"),
    path("tickets/<int:ticket_id>/", detail.ticket_detail, name="ticket_detail"),
    path("tickets/<int:ticket_id>/reply/", detail.ticket_reply_view, name="ticket_reply"),
    path("tickets/<int:ticket_id>/properties/", detail.ticket_properties, name="ticket_properties"),
    path("tickets/<int:ticket_id>/follow/", detail.ticket_follow_view, name="ticket_follow"),
    path(
        "tickets/<int:ticket_id>/attachments/<int:attachment_id>/",
        detail.ticket_attachment,
        name="ticket_attachment",
    ),
    path("tickets/<int:ticket_id>/merge/", tools.ticket_merge_view, name="ticket_merge"),
    path("tickets/<int:ticket_id>/split/", tools.ticket_split_view, name="ticket_split"),
    path("tickets/<int:ticket_id>/publish/", tools.ticket_publish_view, name="ticket_publish"),
    path("tickets/<int:ticket_id>/presence/", tools.ticket_presence, name="ticket_presence"),
    path("canned/", canned_views.canned_list, name="canned_list"),
    path("canned/<int:canned_id>/", canned_views.canned_edit, name="canned_edit"),
    path("canned/<int:canned_id>/delete/", canned_views.canned_delete, name="canned_delete"),
    path("settings/ticket-fields/", fields_admin.ticket_fields, name="ticket_fields"),
    path(
        "settings/ticket-fields/<int:field_id>/",
        fields_admin.ticket_field_edit,
        name="ticket_field_edit",
    ),
    path(
        "settings/ticket-fields/<int:field_id>/toggle/",
        fields_admin.ticket_field_toggle,
        name="ticket_field_toggle",
    ),
]
