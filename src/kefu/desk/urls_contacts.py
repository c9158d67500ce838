"""URLs of contacts in the desk, included into the desk namespace by kefu.desk.urls."""

from django.urls import path

from kefu.desk import views_contacts as views

urlpatterns = [
    path("contacts/", views.contact_list_view, name="contact_list"),
    path("contacts/<int:contact_id>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:contact_id>/edit/", views.contact_update_view, name="contact_update"),
    path(
        "contacts/<int:contact_id>/identities/",
        views.contact_identity_add_view,
        name="contact_identity_add",
    ),
    path(
        "contacts/<int:contact_id>/identities/<int:identity_id>/remove/",
        views.contact_identity_remove_view,
        name="contact_identity_remove",
    ),
    path("contacts/<int:contact_id>/merge/", views.contact_merge_view, name="contact_merge"),
    path(
        "contacts/<int:contact_id>/merges/<int:merge_id>/undo/",
        views.contact_merge_undo_view,
        name="contact_merge_undo",
    ),
]
