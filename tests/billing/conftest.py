from tests.billing.standin import no_internet, stripe_standin  # noqa: F401  (the fixtures)
