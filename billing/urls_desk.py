"""Billing pages inside the desk (included in the ``desk`` namespace)."""

from django.urls import path

from billing import desk_views

urlpatterns = [
    path("billing/", desk_views.billing_overview, name="billing"),
]
