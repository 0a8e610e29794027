"""Demo data for silent certification: five partner sources of different trust, a city
policy, recent signals for some due people of the demo workers' communities, then the
policy run (so the pages show silent certifications, and who is still due)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.core.roles import Role
from lifecert.core.scoping import Actor
from lifecert.life_signals.models import LifeSignal, SignalSource, SourceKind
from lifecert.life_signals.service import certify_silently, set_policy
from lifecert.retirees.models import CertState, Retiree

if TYPE_CHECKING:
    from lifecert.organisation.demo import DemoCity

SOURCES = [
    ("hospital", "长沙市医保定点医院就诊", SourceKind.HOSPITAL, 3),
    ("bank", "银行柜台业务", SourceKind.BANK, 3),
    ("bus_card", "公交敬老卡刷卡", SourceKind.TRANSPORT, 1),
    ("care_visit", "居家养老上门服务（已核验）", SourceKind.CARE_VISIT, 2),
    ("class", "老年大学刷脸签到", SourceKind.CLASS, 2),
]


def seed_demo_life_signals(
    session: Session, demo: DemoCity, *, today: date, seed: int = 2026
) -> int:
    """Returns how many people the demo policy certified silently."""
    rng = random.Random(seed)
    admin = Actor(0, "demo", Role.PLATFORM_ADMIN, ())
    sources = [SignalSource(code=c, name=n, kind=k, trust_level=t) for c, n, k, t in SOURCES]
    session.add_all(sources)
    session.flush()
    set_policy(session, actor=admin, region_id=demo.city.id, enabled=True, min_trust=2,
               max_age_days=90, min_signals=2, min_sources=1, face_every_years=3)
    communities = [r.id for u in ("worker", "worker2") if u in demo.staff
                   for r in demo.staff[u].regions]
    due = session.scalars(
        select(Retiree.id).where(
            Retiree.community_id.in_(communities),
            Retiree.cert_state.in_([CertState.DUE_SOON, CertState.OVERDUE]),
        ).order_by(Retiree.id).limit(40)
    ).all()
    events = {
        (retiree_id, source.id, today - timedelta(days=rng.randint(1, 150)))
        for retiree_id in due
        for source in rng.sample(sources, 2)
        for _ in range(rng.randint(1, 3))
    }
    session.add_all(
        LifeSignal(retiree_id=r, source_id=s, occurred_on=day) for r, s, day in sorted(events)
    )
    session.flush()
    return certify_silently(session, today=today).certified
