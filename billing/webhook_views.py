"""``/billing/webhook/`` on the root domain: Stripe's event deliveries.

The signature (``Stripe-Signature``, HMAC-SHA256 with the endpoint secret, within
``KEFU_STRIPE_WEBHOOK_TOLERANCE`` seconds) is verified by the stripe library before anything
is stored; a verified event is stored once by its id and processed by a job, so Stripe gets
its 200 at once and a repeated delivery changes nothing.
"""

from __future__ import annotations

import json
import logging

import stripe
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.events import stripe_event_record

logger = logging.getLogger(__name__)


def _plain(status: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        return _plain(503, "Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET is empty).")
    payload = request.body
    try:
        stripe.Webhook.construct_event(
            payload,
            request.headers.get("Stripe-Signature", ""),
            secret,
            tolerance=settings.KEFU_STRIPE_WEBHOOK_TOLERANCE,
        )
        event = json.loads(payload)
    except stripe.SignatureVerificationError:
        logger.warning("Stripe webhook with a bad, missing or stale signature")
        return _plain(400, "Invalid signature.")
    except ValueError:  # not JSON (json.JSONDecodeError is a ValueError)
        return _plain(400, "The body is not a JSON event.")
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        return _plain(400, "The body is not a Stripe event.")
    _stored, created = stripe_event_record(event=event)
    return _plain(200, "Stored." if created else "Already received.")
