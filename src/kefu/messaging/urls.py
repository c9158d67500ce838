"""Email channel pages on a workspace's host (included at ``email/`` in the tenant URLconf)."""

from django.urls import path

from kefu.messaging import views

urlpatterns = [
    path(
        "tickets/<int:ticket_id>/solved-by/<int:article_id>/",
        views.solved_by_view,
        name="email_solved_by",
    ),
]
