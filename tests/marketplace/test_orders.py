"""Orders end to end at the service level: charge, cooling-off cancel with a full refund,
payout only after the period and only for a proven visit, held while an alert is open,
family notices, spending limits with the elder's consent, complaints with deadlines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.core.errors import Conflict
from lifecert.fraud.models import Alert, AlertOutcome, AlertStatus
from lifecert.marketplace import complaints, limits, orders, payouts
from lifecert.marketplace.models import OrderStatus, Payment, PaymentKind, PaymentStatus
from lifecert.marketplace.payments import DevGateway, set_gateway
from lifecert.notifications.models import MessageKind, OutboxMessage
from tests.builders import make_city, make_community
from tests.certification.helpers import enrolled_retiree
from tests.marketplace.helpers import (
    TODAY,
    approved_merchant,
    family_contact,
    offer,
    pin_home,
    prove_visit,
    seed_categories,
)


@pytest.fixture
def market(session: Session) -> dict[str, object]:
    seed_categories(session)
    city = make_city(session)
    community = make_community(session, city=city)
    merchant, staff = approved_merchant(session, city)
    elder = enrolled_retiree(session, face_seed=1, name="周桂英", community=community)
    pin_home(session, elder.id)
    return {"city": city, "community": community, "merchant": merchant, "staff": staff,
            "elder": elder, "cleaning": offer(session, staff, city)}


def _payments(session: Session, order_id: int) -> list[tuple[str, str, int]]:
    rows = session.scalars(select(Payment).where(Payment.order_id == order_id)
                           .order_by(Payment.id))
    return [(p.kind.value, p.status.value, p.amount) for p in rows]


def test_cancel_within_the_period_refunds_in_full(session: Session, market: dict) -> None:
    order = orders.place_order(session, retiree=market["elder"], offer_id=market["cleaning"].id,
                               today=TODAY)
    assert order.status == OrderStatus.PAID and order.price == 120
    last_day = TODAY + timedelta(days=7)
    orders.cancel_order(session, retiree_id=market["elder"].id, order_id=order.id,
                        today=last_day)
    assert order.status == OrderStatus.CANCELLED
    assert _payments(session, order.id) == [("charge", "succeeded", 120),
                                            ("refund", "succeeded", 120)]
    # Nothing is paid out for a cancelled order, ever.
    payouts.pay_out_due(session, today=TODAY + timedelta(days=30))
    assert [k for k, _s, _a in _payments(session, order.id)] == ["charge", "refund"]


def test_no_cancel_after_the_period(session: Session, market: dict) -> None:
    order = orders.place_order(session, retiree=market["elder"], offer_id=market["cleaning"].id,
                               today=TODAY)
    with pytest.raises(Conflict):
        orders.cancel_order(session, retiree_id=market["elder"].id, order_id=order.id,
                            today=TODAY + timedelta(days=8))


def test_payout_only_after_the_period_and_a_proven_visit(session: Session, market: dict) -> None:
    order = orders.place_order(session, retiree=market["elder"], offer_id=market["cleaning"].id,
                               today=TODAY)
    assert payouts.pay_out_due(session, today=TODAY + timedelta(days=8))["unproven"] == 1
    visit = prove_visit(session, order, market["staff"])
    assert visit.billable, visit.evidence
    # Proven, but the elder may still cancel on day 7: nothing is paid yet.
    assert payouts.pay_out_due(session, today=TODAY + timedelta(days=7))["paid"] == 0
    assert order.status == OrderStatus.PAID
    assert payouts.pay_out_due(session, today=TODAY + timedelta(days=8))["paid"] == 1
    assert order.status == OrderStatus.PAID_OUT
    assert payouts.pay_out_due(session, today=TODAY + timedelta(days=9))["paid"] == 0  # once
    assert _payments(session, order.id)[-1] == ("payout", "succeeded", 120)


def test_failed_charge_and_failed_payout(session: Session, market: dict) -> None:
    previous = set_gateway(DevGateway(fail_amounts=frozenset({120}),
                                      fail_payouts=frozenset({market["merchant"].licence_no})))
    try:
        failed = orders.place_order(session, retiree=market["elder"],
                                    offer_id=market["cleaning"].id, today=TODAY)
        assert failed.status == OrderStatus.PAYMENT_FAILED
        other = offer(session, market["staff"], market["city"], price=150)
        order = orders.place_order(session, retiree=market["elder"], offer_id=other.id,
                                   today=TODAY)
        prove_visit(session, order, market["staff"])
        assert payouts.pay_out_due(session, today=TODAY + timedelta(days=8))["failed"] == 1
        assert order.status == OrderStatus.PAID  # retried the next day
    finally:
        set_gateway(previous)
    assert payouts.pay_out_due(session, today=TODAY + timedelta(days=9))["paid"] == 1
    statuses = [s for k, s, _a in _payments(session, order.id) if k == "payout"]
    assert statuses == [PaymentStatus.FAILED.value, PaymentStatus.SUCCEEDED.value]


def test_family_told_of_big_and_repeated_orders(session: Session, market: dict) -> None:
    helper = family_contact(session, market["elder"].id)
    small = orders.place_order(session, retiree=market["elder"],
                               offer_id=market["cleaning"].id, today=TODAY)
    assert session.scalars(select(OutboxMessage)).all() == []  # 120 yuan: nobody bothered
    check = offer(session, market["staff"], market["city"], price=600, category="health_check",
                  title="全面体检套餐")
    orders.place_order(session, retiree=market["elder"], offer_id=check.id, today=TODAY)
    sent = session.scalars(select(OutboxMessage)).all()
    assert [(m.kind, m.to_phone) for m in sent] == [(MessageKind.FAMILY, helper.phone)]
    assert "600" in sent[0].text and "周桂英" in sent[0].text
    orders.place_order(session, retiree=market["elder"], offer_id=small.offer_id, today=TODAY)
    texts = [m.text for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert len(texts) == 2 and "3" in texts[1]  # the third order from one merchant


def test_spending_limit_needs_the_elders_consent(session: Session, market: dict) -> None:
    elder = market["elder"]
    proposal = limits.propose_limit(session, retiree_id=elder.id, monthly_limit=200, staff_id=None)
    orders.place_order(session, retiree=elder, offer_id=market["cleaning"].id, today=TODAY)
    orders.place_order(session, retiree=elder, offer_id=market["cleaning"].id, today=TODAY)
    limits.answer_limit(session, retiree_id=elder.id, limit_id=proposal.id, agree=True)
    with pytest.raises(Conflict) as refused:
        orders.place_order(session, retiree=elder, offer_id=market["cleaning"].id, today=TODAY)
    assert refused.value.params["limit"] == 200
    # A new month starts again from zero.
    orders.place_order(session, retiree=elder, offer_id=market["cleaning"].id,
                       today=TODAY.replace(month=1, year=2027))


def test_open_alert_holds_the_payout_until_resolved(session: Session, market: dict) -> None:
    elder = market["elder"]
    trip = offer(session, market["staff"], market["city"], price=2900, category="travel",
                 title="七日游")
    order = orders.place_order(session, retiree=elder, offer_id=trip.id, today=TODAY)
    order2 = orders.place_order(session, retiree=elder, offer_id=trip.id, today=TODAY)
    assert order.alert_rules == [] and order2.alert_rules == ["spend_spike"]
    orders.confirm_received(session, retiree_id=elder.id, order_id=order.id)
    counts = payouts.pay_out_due(session, today=TODAY + timedelta(days=8))
    assert counts["held"] == 1 and order.status == OrderStatus.PAID
    alert = session.scalars(select(Alert)).one()
    alert.status, alert.outcome = AlertStatus.RESOLVED, AlertOutcome.FALSE_ALARM
    assert payouts.pay_out_due(session, today=TODAY + timedelta(days=9))["paid"] == 1


def test_complaint_goes_to_community_and_bureau_with_deadlines(
    session: Session, market: dict
) -> None:
    order = orders.place_order(session, retiree=market["elder"],
                               offer_id=market["cleaning"].id, today=TODAY)
    row = complaints.file_complaint(session, retiree_id=market["elder"].id, order_id=order.id,
                                    reason="no_show", text="", today=TODAY)
    assert (row.community_due - TODAY).days == 3 and (row.bureau_due - TODAY).days == 10
    assert row.region_path == market["community"].path
    payment = session.scalars(select(Payment).where(Payment.kind == PaymentKind.CHARGE)).first()
    assert payment is not None


def test_a_visit_that_fails_its_proof_is_never_paid(session: Session, market: dict) -> None:
    order = orders.place_order(session, retiree=market["elder"], offer_id=market["cleaning"].id,
                               today=TODAY)
    visit = prove_visit(session, order, market["staff"], elder_seed=77)  # someone else's face
    assert not visit.billable
    counts = payouts.pay_out_due(session, today=TODAY + timedelta(days=8))
    assert counts["unproven"] == 1 and order.status == OrderStatus.PAID
    assert order.fulfilled_at is None
    with pytest.raises(Conflict):  # nor can the elder's tap stand in for the visit
        orders.confirm_received(session, retiree_id=market["elder"].id, order_id=order.id)


def test_visit_far_from_home_is_not_proof(session: Session, market: dict) -> None:
    order = orders.place_order(session, retiree=market["elder"], offer_id=market["cleaning"].id,
                               today=TODAY)
    visit = prove_visit(session, order, market["staff"], where=(28.25, 112.96))  # 3 km away
    assert not visit.billable
    assert payouts.pay_out_due(session, today=TODAY + timedelta(days=8))["unproven"] == 1


def test_payout_job_is_a_registered_beat_task() -> None:
    from lifecert.core.queue import get_celery

    app = get_celery()
    assert "marketplace.pay_out" in app.tasks
    entries = {e["task"] for e in app.conf.beat_schedule.values()}
    assert "marketplace.pay_out" in entries


def test_unserved_order_of_a_deceased_elder_is_refunded(session: Session, market: dict) -> None:
    from lifecert.retirees.models import RetireeStatus

    order = orders.place_order(session, retiree=market["elder"], offer_id=market["cleaning"].id,
                               today=TODAY)
    market["elder"].status = RetireeStatus.DECEASED
    counts = payouts.pay_out_due(session, today=TODAY + timedelta(days=20))
    assert counts["refunded_deceased"] == 1 and counts["paid"] == 0
    assert order.status == OrderStatus.CANCELLED
    assert _payments(session, order.id)[-1] == ("refund", "succeeded", 120)
