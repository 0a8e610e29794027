"""The visit proof end to end with the fake face engine: a clean visit is billable; each
anomaly rule raises an alert in the fraud triage and the visit is not billable."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, NotFound
from lifecert.enrollment import service as enrollment
from lifecert.fraud.models import Alert, AlertKind
from lifecert.homecare import orders, visits
from lifecert.homecare.models import Anomaly, AnomalyRule
from lifecert.retirees.models import RetireeStatus
from tests.builders import admin_actor, make_city, make_community
from tests.homecare.helpers import HOME, order_for, prove, setup, worker_actor


def _rules(session: Session, visit_id: int) -> set[str]:
    return set(session.scalars(select(Anomaly.rule).where(Anomaly.visit_id == visit_id)))


def test_clean_visit_is_billable(session: Session) -> None:
    s = setup(session)
    _, visit = order_for(session, s)
    visit = prove(session, s, visit)
    assert visit.worker_verdict == "match" and visit.elder_verdict == "match", visit.evidence
    assert visit.checkin_distance_m == 0.0
    assert _rules(session, visit.id) == set() and visit.billable


def test_elder_face_mismatch_alerts_and_is_not_billable(session: Session) -> None:
    s = setup(session)
    _, visit = order_for(session, s)
    visit = prove(session, s, visit, elder_seed=77)
    assert visit.elder_verdict == "mismatch"
    assert _rules(session, visit.id) == {"elder_face"} and not visit.billable
    anomaly = session.scalars(select(Anomaly).where(Anomaly.visit_id == visit.id)).one()
    alert = session.get_one(Alert, anomaly.alert_id)
    assert alert.kind == AlertKind.HOMECARE_VISIT and alert.evidence["check"] == "elder_face"
    assert visit.id in alert.evidence["visits"]


def test_gps_two_km_away(session: Session) -> None:
    s = setup(session)
    _, visit = order_for(session, s)
    visit = prove(session, s, visit, where=(HOME[0] + 0.018, HOME[1]))  # ~2 km north
    assert 1900 < (visit.checkin_distance_m or 0) < 2100
    assert _rules(session, visit.id) == {"far_checkin"} and not visit.billable


def test_dead_elder(session: Session) -> None:
    s = setup(session)
    _, visit = order_for(session, s)
    s.elder.status = RetireeStatus.DECEASED
    visit = prove(session, s, visit)
    assert _rules(session, visit.id) == {"elder_unavailable"} and not visit.billable


def test_elder_in_hospital(session: Session) -> None:
    s = setup(session)
    _, visit = order_for(session, s)
    orders.record_absence(session, actor=admin_actor(), retiree_id=s.elder.id,
                          starts_on=date(2020, 1, 1), ends_on=None)
    visit = prove(session, s, visit)
    assert _rules(session, visit.id) == {"elder_unavailable"}


def test_short_visit_reused_photo_and_overlap(session: Session) -> None:
    s = setup(session)
    session.execute(AnomalyRule.__table__.update().where(AnomalyRule.code == "short_visit")
                    .values(threshold=1.0))
    start = utcnow() - timedelta(hours=3)
    _, first = order_for(session, s, start=start)
    first.min_minutes = 30
    photo = b"\xff\xd8 the same photo"
    first = prove(session, s, first, at=start, checkout_at=start + timedelta(minutes=10),
                  photos=(photo,))
    assert _rules(session, first.id) == {"short_visit"}
    _, second = order_for(session, s, start=start + timedelta(minutes=90))
    second = prove(session, s, second, at=start + timedelta(minutes=5),
                   checkout_at=start + timedelta(minutes=70), photos=(photo,))
    assert _rules(session, second.id) == {"caregiver_overlap", "reused_photo"}


def test_outside_provider_area(session: Session) -> None:
    s = setup(session)
    other = make_community(session, city=make_city(session, code="430200", name="株洲市"))
    s.elder.community_id = other.id
    session.flush()
    session.refresh(s.elder)
    _, visit = order_for(session, s)
    visit = prove(session, s, visit)
    assert "outside_area" in _rules(session, visit.id)


def test_non_face_route_needs_a_confirmation(session: Session) -> None:
    s = setup(session)
    _, visit = order_for(session, s)
    actor = worker_actor(session, s.caregiver)
    from tests.certification.helpers import frames_of
    from tests.homecare.helpers import SEEDS

    visits.check_in_visit(session, actor=actor, visit_id=visit.id,
                          position=visits.Position(*HOME, accuracy_m=10),
                          worker_frames=frames_of(SEEDS[s.caregiver.id]), elder_route="non_face")
    visit = visits.check_out_visit(session, actor=actor, visit_id=visit.id,
                                   position=visits.Position(*HOME, accuracy_m=10))
    assert visit.needs_confirmation and not visit.billable
    visits.confirm_visit(session, actor=admin_actor(), visit=visit)
    session.refresh(visit)
    assert visit.billable


def test_consent_enforced_and_only_the_worker(session: Session) -> None:
    s = setup(session)
    _, visit = order_for(session, s)
    enrollment.withdraw_consent(session, actor=admin_actor(), retiree_id=s.elder.id)
    # Without consent the elder's face is never checked: the in-person route, confirmed later.
    done = prove(session, s, visit)
    assert done.elder_route == "non_face" and "elder" not in done.evidence
    assert done.needs_confirmation and not done.billable
    _, second = order_for(session, s, start=utcnow() + timedelta(hours=2))
    with pytest.raises(NotFound):
        visits.issue_visit_challenge(session, actor=worker_actor(session, s.manager),
                                     visit_id=second.id)


def test_overlapping_assignment_refused(session: Session) -> None:
    s = setup(session)
    start = utcnow()
    order_for(session, s, start=start, minutes=60)
    with pytest.raises(Conflict):
        order_for(session, s, start=start + timedelta(minutes=30), minutes=60)
