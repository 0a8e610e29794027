"""Controls on the helpers: each planted pattern raises the right alert, with evidence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.certification.models import Certification, CertMode, FamilyHelper, Outcome
from lifecert.core.roles import Role
from lifecert.core.settings import get_settings
from lifecert.fraud.behaviour import run_behaviour_rules
from lifecert.fraud.models import Alert, AlertKind
from tests.builders import make_city, make_community, make_retiree, make_staff

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai


def _elders(session: Session, n: int) -> list[int]:
    community = make_community(session, city=make_city(session))
    return [make_retiree(session, community=community, name=f"老人{i}").id for i in range(n)]


def _certify(session: Session, retiree_id: int, at: datetime, **helper: object) -> None:
    session.add(
        Certification(
            retiree_id=retiree_id,
            mode=CertMode.PROXY,
            outcome=Outcome.CERTIFIED,
            created_at=at,
            **helper,
        )
    )


def _alerts(session: Session, kind: AlertKind) -> list[Alert]:
    return list(session.scalars(select(Alert).where(Alert.kind == kind)))


def test_a_helper_certifying_many_elders_raises_an_alert(session: Session) -> None:
    helper = FamilyHelper(name="李某", phone="13900000001", id_number_hash="x")
    session.add(helper)
    session.flush()
    elders = _elders(session, 12)
    for i, retiree_id in enumerate(elders):
        _certify(session, retiree_id, NOW - timedelta(hours=5 * i), helper_family_id=helper.id)
    session.flush()
    run_behaviour_rules(session, now=NOW)
    [alert] = _alerts(session, AlertKind.HELPER_MANY)
    assert alert.evidence["distinct_retirees"] == 12
    assert alert.evidence["threshold"] == get_settings().fraud.helper_max_retirees
    assert _alerts(session, AlertKind.BURST) == []  # spread over days: not a burst
    run_behaviour_rules(session, now=NOW)
    assert len(_alerts(session, AlertKind.HELPER_MANY)) == 1  # deduplicated


def test_a_family_of_three_is_not_flagged(session: Session) -> None:
    helper = FamilyHelper(name="王某", phone="13900000002", id_number_hash="y")
    session.add(helper)
    session.flush()
    for retiree_id in _elders(session, 3):
        _certify(session, retiree_id, NOW - timedelta(days=1), helper_family_id=helper.id)
    session.flush()
    assert run_behaviour_rules(session, now=NOW)["many_retirees"] == 0


def test_burst_and_night_time_by_a_worker(session: Session) -> None:
    worker = make_staff(session, role=Role.PLATFORM_ADMIN)
    elders = _elders(session, 10)
    night = datetime(2026, 11, 25, 18, 30, tzinfo=UTC)  # 02:30 in Shanghai
    for i, retiree_id in enumerate(elders):
        _certify(session, retiree_id, night + timedelta(minutes=i), helper_staff_id=worker.id)
    session.flush()
    result = run_behaviour_rules(session, now=NOW)
    assert result["bursts"] == 1 and result["night_time"] == 10
    [burst] = _alerts(session, AlertKind.BURST)
    assert burst.evidence["count"] == 10


@pytest.mark.parametrize("outlier", [60])
def test_a_worker_far_above_peers_is_flagged(session: Session, outlier: int) -> None:
    workers = [make_staff(session, role=Role.PLATFORM_ADMIN) for _ in range(4)]
    elders = _elders(session, outlier)
    for w, worker in enumerate(workers):
        mine = elders[:outlier] if w == 0 else elders[:5]
        for i, retiree_id in enumerate(mine):
            _certify(session, retiree_id, NOW - timedelta(hours=3 + i), helper_staff_id=worker.id)
    session.flush()
    run_behaviour_rules(session, now=NOW)
    [alert] = _alerts(session, AlertKind.WORKER_OUTLIER)
    assert alert.evidence["assisted_retirees"] == outlier and alert.evidence["peer_median"] == 5
