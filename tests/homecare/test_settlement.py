"""Settlement of a month: billable visits × the bureau's prices, hand-checked; four eyes."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from lifecert.core.errors import Conflict, PermissionDenied
from lifecert.core.roles import Role
from lifecert.homecare import kpis, settlement
from lifecert.homecare.models import Visit
from lifecert.system.clock import local_zone
from tests.builders import actor_of, make_staff
from tests.homecare.helpers import HOME, make_provider, order_for, prove, setup


def _done(session: Session, s, visit: Visit, *, when: datetime, ok: bool = True,
          where: tuple[float, float] = HOME) -> None:  # type: ignore[no-untyped-def]
    """A completed visit at ``when`` (local), clean or with the elder's face mismatched."""
    visit.scheduled_start = when
    prove(session, s, visit, elder_seed=1 if ok else 99, where=where)
    # Move the recorded times into the settled month (the fake clock of this test).
    visit.checkin_at, visit.checkout_at = when, when + timedelta(minutes=45)
    session.flush()


def test_month_total_matches_hand_checked_sum(session: Session) -> None:
    zone = local_zone()
    s = setup(session)  # provider A: 50.00 yuan a visit
    b, b_care, _mgr, b_service = make_provider(session, regions=[s.community], price=3250)
    day = datetime(2026, 11, 3, 9, 0, tzinfo=zone)
    for i in range(3):  # 3 clean visits for A
        _, v = order_for(session, s, start=datetime.now(zone) + timedelta(hours=2 * i))
        _done(session, s, v, when=day + timedelta(days=i))
    _, bad = order_for(session, s, start=datetime.now(zone) + timedelta(hours=10))
    _done(session, s, bad, when=day + timedelta(days=5), ok=False)  # mismatch: not paid
    _, far = order_for(session, s, start=datetime.now(zone) + timedelta(hours=12))
    _done(session, s, far, when=day + timedelta(days=6), where=(HOME[0] + 0.02, HOME[1]))
    # Provider B: 2 clean visits at 32.50, plus one in December (another month).
    from tests.homecare.helpers import Setup

    sb = Setup(b, b_care, _mgr, s.elder, s.community, s.officer, b_service)
    for i in range(3):
        _, v = order_for(session, sb, start=datetime.now(zone) + timedelta(hours=20 + 2 * i))
        _done(session, sb, v, when=day + timedelta(days=10 + i) if i < 2
              else datetime(2026, 12, 1, 0, 30, tzinfo=zone))
    # A visit at 23:30 local on Oct 31 (15:30 UTC) belongs to October, not November.
    _, edge = order_for(session, s, start=datetime.now(zone) + timedelta(hours=30))
    _done(session, s, edge, when=datetime(2026, 10, 31, 23, 30, tzinfo=zone))

    preparer = actor_of(make_staff(session, role=Role.BUREAU_OFFICER, regions=[s.community]))
    signer = actor_of(s.officer)
    month = settlement.prepare_settlement(session, actor=preparer, month="2026-11")
    # Hand-checked: A 3 × 50.00 = 150.00; B 2 × 32.50 = 65.00; total 215.00 for 5 visits.
    assert month.visits == 5 and month.total_cents == 21500
    by_provider = {line["provider"]: line["amount_cents"] for line in month.lines}
    assert by_provider == {s.provider.name: 15000, b.name: 6500}
    with pytest.raises(Conflict):
        settlement.settlement_csv(session, actor=signer, settlement_id=month.id)
    with pytest.raises(PermissionDenied):
        settlement.sign_settlement(session, actor=preparer, settlement_id=month.id)
    settlement.sign_settlement(session, actor=signer, settlement_id=month.id)
    text = settlement.settlement_csv(session, actor=signer, settlement_id=month.id)
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[-1][-1] == "215.00" and rows[-1][-2] == "5"
    assert sorted(r[-1] for r in rows[1:-1]) == ["150.00", "65.00"]
    with pytest.raises(Conflict):
        settlement.prepare_settlement(session, actor=preparer, month="2026-11")
    rows = kpis.provider_kpis(session, actor=signer, month="2026-11")
    a_row = next(k for k in rows if k["provider"] == s.provider.name)
    assert a_row["billable"] == 3 and a_row["completed"] == 5 and a_row["anomalies"] == 2
