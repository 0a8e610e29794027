"""Builders for life-signal tests: sources, a policy, people who were face-certified once."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy.orm import Session

from lifecert.certification.models import Certification, CertMode, Outcome
from lifecert.core.db import utcnow
from lifecert.life_signals.models import LifeSignal, SignalSource, SourceKind
from lifecert.life_signals.service import set_policy
from lifecert.organisation.models import Region
from lifecert.retirees.models import CertState, Retiree
from lifecert.system.clock import local_now
from tests.builders import admin_actor, make_retiree

TODAY = local_now().date()
PARTNER_KEY = "hospital-partner-key-1"


def make_sources(session: Session) -> dict[str, SignalSource]:
    rows = {
        "hospital": SignalSource(
            code="hospital", name="市医保定点医院", kind=SourceKind.HOSPITAL, trust_level=3,
            partner_key_hash=hashlib.sha256(PARTNER_KEY.encode()).hexdigest(),
        ),
        "bank": SignalSource(code="bank", name="银行柜台", kind=SourceKind.BANK, trust_level=2),
        "bus": SignalSource(
            code="bus", name="公交敬老卡", kind=SourceKind.TRANSPORT, trust_level=1
        ),
    }
    session.add_all(rows.values())
    session.flush()
    return rows


def enable_policy(session: Session, region: Region, **values: object) -> None:
    rules: dict[str, object] = {
        "enabled": True, "min_trust": 2, "max_age_days": 90, "min_signals": 2,
        "min_sources": 1, "face_every_years": 3,
    }
    set_policy(session, actor=admin_actor(), region_id=region.id, **{**rules, **values})


def due_person(
    session: Session, community: Region, name: str, *, face_days_ago: int = 300,
    state: CertState = CertState.OVERDUE,
) -> Retiree:
    """Face-certified ``face_days_ago`` days ago, now due soon or overdue."""
    person = make_retiree(session, community=community, name=name)
    session.add(
        Certification(
            retiree_id=person.id, mode=CertMode.SELF, outcome=Outcome.CERTIFIED,
            reason="match", created_at=utcnow() - timedelta(days=face_days_ago),
        )
    )
    person.cert_state = state
    person.valid_until = TODAY - timedelta(days=5 if state == CertState.OVERDUE else -10)
    person.due_soon_from = person.valid_until - timedelta(days=30)
    person.suspend_after = person.valid_until + timedelta(days=60)
    session.flush()
    return person


def signal(
    session: Session, person: Retiree, source: SignalSource, *days_ago: int
) -> None:
    for days in days_ago:
        session.add(
            LifeSignal(
                retiree_id=person.id, source_id=source.id,
                occurred_on=TODAY - timedelta(days=days),
            )
        )
    session.flush()
