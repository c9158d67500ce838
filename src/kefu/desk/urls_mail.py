"""Inbound email in the desk (included into the desk URLs, namespace "desk")."""

from django.urls import path

from kefu.desk import views_mail as views

urlpatterns = [
    path("email/", views.mail_inbox, name="mail_inbox"),
    path("email/quarantine/", views.mail_quarantine, name="mail_quarantine"),
    path("email/<int:inbound_id>/raw/", views.mail_raw, name="mail_raw"),
    path("email/<int:inbound_id>/retry/", views.mail_retry, name="mail_retry"),
    path("email/<int:inbound_id>/assign/", views.mail_assign, name="mail_assign"),
    path("email/<int:inbound_id>/discard/", views.mail_discard, name="mail_discard"),
    path("settings/email/test/", views.support_email_test, name="email_test"),
]
