from tests.billing.stripe_standin import stripe_standin  # noqa: F401  (the fixture)
