"""Billing pages inside the desk (included in the ``desk`` namespace)."""

from django.urls import path

from billing import desk_views

urlpatterns = [
    path("billing/", desk_views.billing_overview, name="billing"),
    path("billing/checkout/", desk_views.billing_checkout, name="billing_checkout"),
    path("billing/portal/", desk_views.billing_portal, name="billing_portal"),
    path("billing/currency/", desk_views.billing_currency, name="billing_currency"),
]
