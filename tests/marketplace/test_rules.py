"""Each anti-scam rule on hand-made cases: the pure rule on facts just below and at its
threshold, and through the order service: a fraud alert linked to the elder and the
merchant, and the merchant's payouts held."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.core.db import utcnow
from lifecert.fraud.models import Alert, AlertKind, LinkKind
from lifecert.marketplace import complaints, orders, scam, service
from lifecert.marketplace.rules import Facts, evaluate
from tests.builders import admin_actor, make_city, make_community, make_retiree
from tests.marketplace.helpers import TODAY, approved_merchant, offer, seed_categories

QUIET = Facts(price=120, cap=300, city_median=110.0, community_buyers_48h=1,
              merchant_orders_30d=40, merchant_cancelled_30d=1, merchant_complaints_30d=0,
              hours_since_call=None, elder_month_spend=240, elder_avg_month=300.0)


def _rules(facts: Facts) -> list[str]:
    return [h.rule for h in evaluate(facts)]


def test_an_ordinary_order_breaks_no_rule() -> None:
    assert _rules(QUIET) == []


@pytest.mark.parametrize(("change", "rule"), [
    ({"community_buyers_48h": 10}, "community_sweep"),
    ({"merchant_complaints_30d": 3}, "complaints"),
    ({"merchant_cancelled_30d": 10}, "complaints"),
    ({"price": 280, "city_median": 150.0}, "near_cap"),
    ({"hours_since_call": 5.0}, "after_call"),
    ({"price": 2900, "cap": 3000, "city_median": 2500.0, "elder_month_spend": 300,
      "elder_avg_month": 200.0}, "spend_spike"),
])
def test_each_rule_fires_at_its_threshold(change: dict[str, object], rule: str) -> None:
    assert _rules(replace(QUIET, **change)) == [rule]  # type: ignore[arg-type]


@pytest.mark.parametrize("change", [
    {"community_buyers_48h": 9},
    {"merchant_complaints_30d": 2},
    {"merchant_complaints_30d": 3, "merchant_orders_30d": 100},  # 3 %: under 5 %
    {"merchant_cancelled_30d": 4, "merchant_orders_30d": 4},  # too few to mean anything
    {"price": 280, "city_median": 200.0},  # near the cap but so is everyone else
    {"price": 260, "city_median": 100.0},  # far above others but under 90 % of the cap
    {"price": 280, "city_median": None},  # nothing to compare with
    {"hours_since_call": 80.0},
    {"price": 2900, "cap": 3000, "city_median": 2500.0, "elder_month_spend": 0,
     "elder_avg_month": 0.0},  # a first trip: under the floor
    {"price": 2000, "cap": 3000, "elder_month_spend": 1500,
     "elder_avg_month": 800.0},  # usual for them
])
def test_just_below_each_threshold_is_quiet(change: dict[str, object]) -> None:
    assert _rules(replace(QUIET, **change)) == []  # type: ignore[arg-type]


@pytest.fixture
def market(session: Session) -> dict[str, object]:
    seed_categories(session)
    city = make_city(session)
    community = make_community(session, city=city)
    merchant, staff = approved_merchant(session, city)
    return {"city": city, "community": community, "merchant": merchant, "staff": staff}


def _alert_kinds(session: Session) -> list[AlertKind]:
    return [a.kind for a in session.scalars(select(Alert).order_by(Alert.id))]


def test_seminar_sale_to_one_community(session: Session, market: dict) -> None:
    item = offer(session, market["staff"], market["city"], price=100)
    elders = [make_retiree(session, community=market["community"], name=f"老人{i}")
              for i in range(10)]
    placed = [orders.place_order(session, retiree=e, offer_id=item.id, today=TODAY)
              for e in elders]
    assert [o.alert_rules for o in placed[:9]] == [[]] * 9
    assert placed[9].alert_rules == ["community_sweep"]
    alert = session.scalars(select(Alert)).one()
    assert alert.kind == AlertKind.MARKET_COMMUNITY_SWEEP and alert.evidence["buyers"] == 10
    kinds = {link.kind for link in alert.links}
    assert kinds == {LinkKind.RETIREE, LinkKind.MERCHANT}
    assert scam.payout_held(session, market["merchant"].id)


def test_complaints_pile_up(session: Session, market: dict) -> None:
    item = offer(session, market["staff"], market["city"], price=100)
    community = market["community"]
    for i in range(3):
        elder = make_retiree(session, community=community, name=f"投诉{i}")
        order = orders.place_order(session, retiree=elder, offer_id=item.id, today=TODAY)
        complaints.file_complaint(session, retiree_id=elder.id, order_id=order.id,
                                  reason="no_show", text="", today=TODAY)
    assert _alert_kinds(session) == []
    elder = make_retiree(session, community=community, name="下一位")
    order = orders.place_order(session, retiree=elder, offer_id=item.id, today=TODAY)
    assert order.alert_rules == ["complaints"]
    assert _alert_kinds(session) == [AlertKind.MARKET_COMPLAINTS]


def test_price_at_the_cap_while_others_are_cheap(session: Session, market: dict) -> None:
    city = market["city"]
    _other, other_staff = approved_merchant(session, city, name="实惠体检")
    for price in (300, 320, 350):
        offer(session, other_staff, city, price=price, category="health_check", title="体检")
    pricey = offer(session, market["staff"], city, price=780, category="health_check",
                   title="高端体检")
    elder = make_retiree(session, community=market["community"])
    order = orders.place_order(session, retiree=elder, offer_id=pricey.id, today=TODAY)
    assert order.alert_rules == ["near_cap"]
    alert = session.scalars(select(Alert)).one()
    assert alert.evidence["median_elsewhere"] == 320 and alert.evidence["cap"] == 800


def test_order_right_after_a_reported_call(session: Session, market: dict) -> None:
    elder = make_retiree(session, community=market["community"])
    item = offer(session, market["staff"], market["city"], price=100)
    service.report_call(session, actor=admin_actor(), retiree_id=elder.id,
                        merchant_id=market["merchant"].id,
                        called_at=utcnow() - timedelta(hours=3))
    order = orders.place_order(session, retiree=elder, offer_id=item.id, today=TODAY)
    assert order.alert_rules == ["after_call"]
    assert _alert_kinds(session) == [AlertKind.MARKET_AFTER_CALL]


def test_elder_spending_far_above_their_history(session: Session, market: dict) -> None:
    elder = make_retiree(session, community=market["community"])
    cleaning = offer(session, market["staff"], market["city"], price=100)
    for months_ago in (1, 2, 3):  # a usual month: 100 yuan of cleaning
        orders.place_order(session, retiree=elder, offer_id=cleaning.id,
                           today=TODAY - timedelta(days=30 * months_ago))
    trip = offer(session, market["staff"], market["city"], price=2950, category="travel",
                 title="旅游")
    supplement = offer(session, market["staff"], market["city"], price=480,
                       category="health_products", title="保健品")
    assert orders.place_order(session, retiree=elder, offer_id=trip.id,
                              today=TODAY).alert_rules == []
    order = orders.place_order(session, retiree=elder, offer_id=supplement.id, today=TODAY)
    assert order.alert_rules == ["spend_spike"]
    assert session.scalars(select(Alert)).one().evidence["month_spend"] == 3430
