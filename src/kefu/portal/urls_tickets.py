"""Help center tickets (included at ``tickets/`` in the tenant URLconf). URL names are global:
``kefu.tickets.links`` reverses ``ticket_detail`` and ``ticket_rate`` for emails."""

from django.urls import path

from kefu.portal import ticket_page, tickets

urlpatterns = [
    path("", tickets.ticket_list, name="ticket_list"),
    path("new/", tickets.ticket_new, name="ticket_new"),
    path("suggest/", tickets.ticket_suggest, name="ticket_suggest"),
    path("verify-email/", tickets.verify_email_send, name="ticket_verify_email"),
    path("held/<str:token>/", tickets.ticket_held, name="ticket_held"),
    path("held/<str:token>/solved/", tickets.ticket_held_solved, name="ticket_held_solved"),
    path("held/<str:token>/submit/", tickets.ticket_held_submit, name="ticket_held_submit"),
    path("<int:ticket_id>/", ticket_page.ticket_detail, name="ticket_detail"),
    path("<int:ticket_id>/reply/", ticket_page.ticket_reply_view, name="ticket_reply"),
    path("<int:ticket_id>/close/", ticket_page.ticket_close_view, name="ticket_close"),
    path("<int:ticket_id>/reopen/", ticket_page.ticket_reopen_view, name="ticket_reopen"),
    path("<int:ticket_id>/follow/", ticket_page.ticket_follow_view, name="ticket_follow"),
    path("<int:ticket_id>/rate/", ticket_page.ticket_rate_view, name="ticket_rate"),
    path(
        "<int:ticket_id>/attachments/<int:attachment_id>/",
        ticket_page.ticket_attachment,
        name="ticket_attachment",
    ),
]
