"""Plans, Stripe customers and subscriptions, metering, webhooks and plan limits."""
