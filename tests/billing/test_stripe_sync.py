"""Plans synced to Stripe through the real stripe library, against the local stand-in."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from billing.models import Plan, PlanPrice
from billing.stripe_sync import METER_EVENT_NAME, plans_sync_to_stripe
from kefu.tenancy import public_context

pytestmark = pytest.mark.django_db

CREATE_PATHS = ("/v1/products", "/v1/prices", "/v1/billing/meters")


@pytest.fixture
def team_plan(db):
    with public_context():
        return Plan.objects.create(
            name="Team",
            code="team",
            currency="USD",
            monthly_base_price=Decimal("29.00"),
            included_resolved_tickets=100,
            price_per_extra_resolved_ticket=Decimal("0.0150"),
        )


def creates(standin) -> int:
    return sum(standin.posts_to(path) for path in CREATE_PATHS)


def test_first_sync_creates_product_prices_and_meter_and_stores_their_ids(
    stripe_standin, team_plan
):
    report = plans_sync_to_stripe()

    assert report.created == ["team"]
    team_plan.refresh_from_db()
    product = stripe_standin.objects["products"][team_plan.stripe_product_id]
    assert product["name"] == "Team"
    assert product["metadata"] == {"kefu_plan_code": "team"}
    base = stripe_standin.objects["prices"][team_plan.stripe_base_price_id]
    assert (base["unit_amount"], base["currency"], base["lookup_key"]) == (
        2900,
        "usd",
        "kefu_team_base_usd",
    )
    assert base["recurring"]["interval"] == "month"
    assert base["product"] == product["id"]
    meter = stripe_standin.objects["meters"][team_plan.stripe_meter_id]
    assert meter["event_name"] == METER_EVENT_NAME
    assert meter["default_aggregation"] == {"formula": "sum"}
    assert meter["customer_mapping"]["event_payload_key"] == "stripe_customer_id"
    assert meter["value_settings"] == {"event_payload_key": "value"}
    metered = stripe_standin.objects["prices"][team_plan.stripe_metered_price_id]
    assert metered["recurring"]["usage_type"] == "metered"
    assert metered["recurring"]["meter"] == meter["id"]
    assert metered["lookup_key"] == "kefu_team_ticket_usd"
    # The first 100 tickets are included, then 1.5 cents each.
    assert metered["_tiers"] == [
        {"up_to": "100", "unit_amount": "0"},
        {"up_to": "inf", "unit_amount_decimal": "1.5"},
    ]
    assert creates(stripe_standin) == 4


def test_second_sync_creates_nothing(stripe_standin, team_plan):
    plans_sync_to_stripe()
    before = creates(stripe_standin)
    ids = Plan.objects.values_list(
        "stripe_product_id", "stripe_base_price_id", "stripe_metered_price_id", "stripe_meter_id"
    ).get()

    report = plans_sync_to_stripe()

    assert report.as_dict() == {"created": [], "updated": [], "unchanged": ["team"]}
    assert creates(stripe_standin) == before
    assert len(stripe_standin.objects["meters"]) == 1
    assert len(stripe_standin.objects["prices"]) == 2
    assert (
        Plan.objects.values_list(
            "stripe_product_id",
            "stripe_base_price_id",
            "stripe_metered_price_id",
            "stripe_meter_id",
        ).get()
        == ids
    )


def test_sync_finds_existing_stripe_objects_when_the_plan_lost_its_ids(stripe_standin, team_plan):
    plans_sync_to_stripe()
    before = creates(stripe_standin)
    Plan.objects.update(stripe_product_id="", stripe_base_price_id="", stripe_meter_id="")

    plans_sync_to_stripe()

    assert creates(stripe_standin) == before
    team_plan.refresh_from_db()
    assert team_plan.stripe_product_id == "kefu_plan_team"
    assert team_plan.stripe_meter_id in stripe_standin.objects["meters"]


def test_changing_the_base_price_replaces_it_and_moves_the_lookup_key(stripe_standin, team_plan):
    plans_sync_to_stripe()
    team_plan.refresh_from_db()
    old_id = team_plan.stripe_base_price_id
    team_plan.monthly_base_price = Decimal("39.00")
    team_plan.save()
    before = stripe_standin.posts_to("/v1/prices")

    report = plans_sync_to_stripe()

    assert report.created == ["team"]
    assert stripe_standin.posts_to("/v1/prices") == before + 1, "exactly one new price"
    team_plan.refresh_from_db()
    new = stripe_standin.objects["prices"][team_plan.stripe_base_price_id]
    old = stripe_standin.objects["prices"][old_id]
    assert new["id"] != old_id
    assert new["unit_amount"] == 3900
    assert new["lookup_key"] == "kefu_team_base_usd"
    assert old["lookup_key"] is None
    assert old["active"] is False
    assert new["active"] is True
    assert plans_sync_to_stripe().unchanged == ["team"]


def test_a_plan_price_in_another_currency_gets_its_own_prices_once(stripe_standin, team_plan):
    PlanPrice.objects.create(
        plan=team_plan,
        currency="CNY",
        monthly_base_price=Decimal("199.00"),
        price_per_extra_resolved_ticket=Decimal("0.35"),
    )

    assert plans_sync_to_stripe().created == ["team"]

    prices = {p["lookup_key"]: p for p in stripe_standin.objects["prices"].values()}
    assert set(prices) == {
        "kefu_team_base_usd",
        "kefu_team_ticket_usd",
        "kefu_team_base_cny",
        "kefu_team_ticket_cny",
    }
    base, metered = prices["kefu_team_base_cny"], prices["kefu_team_ticket_cny"]
    assert (base["currency"], base["unit_amount"], base["product"]) == (
        "cny",
        19900,
        "kefu_plan_team",
    )
    assert metered["recurring"]["usage_type"] == "metered"
    assert metered["_tiers"][1] == {"up_to": "inf", "unit_amount_decimal": "35"}
    team_plan.refresh_from_db()
    assert team_plan.stripe_base_price_id == prices["kefu_team_base_usd"]["id"], "own currency"
    before = creates(stripe_standin)

    assert plans_sync_to_stripe().unchanged == ["team"]
    assert creates(stripe_standin) == before


def test_changing_a_plan_price_replaces_only_that_currency(stripe_standin, team_plan):
    cny = PlanPrice.objects.create(plan=team_plan, currency="CNY", monthly_base_price=199)
    plans_sync_to_stripe()
    before = stripe_standin.posts_to("/v1/prices")
    cny.monthly_base_price = Decimal("249")
    cny.save()

    assert plans_sync_to_stripe().created == ["team"]

    assert stripe_standin.posts_to("/v1/prices") == before + 1
    current = [
        p for p in stripe_standin.objects["prices"].values()
        if p["lookup_key"] == "kefu_team_base_cny"
    ]  # fmt: skip
    assert [p["unit_amount"] for p in current] == [24900]


def test_renaming_a_plan_updates_the_product(stripe_standin, team_plan):
    plans_sync_to_stripe()
    Plan.objects.update(name="Team plus")

    report = plans_sync_to_stripe()

    assert report.updated == ["team"]
    assert stripe_standin.objects["products"]["kefu_plan_team"]["name"] == "Team plus"


def test_command_prints_the_report_as_one_json_line(stripe_standin, team_plan):
    out = io.StringIO()
    call_command("billing_sync_plans", stdout=out)
    call_command("billing_sync_plans", stdout=out)

    first, second = out.getvalue().splitlines()
    assert json.loads(first) == {"created": ["team"], "updated": [], "unchanged": []}
    assert json.loads(second) == {"created": [], "updated": [], "unchanged": ["team"]}
