"""Reports: the share of certifications that were silent (by region and source), and the
source-quality alert (sources whose silent certifications are followed by a death that had
already happened: the source reported the dead as alive)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from lifecert.certification.models import Certification, CertMode, Outcome
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor, scope_filter
from lifecert.fraud.models import DeathRecord
from lifecert.life_signals.models import SignalSource, SilentEvidence
from lifecert.organisation.models import Region
from lifecert.retirees.models import Retiree

# A source is flagged once this many of its silent certifications were of people already dead.
DEAD_ALERT_COUNT = 2
DEAD_ALERT_RATE = 0.01


@dataclass(frozen=True)
class RegionShare:
    region_id: int
    name: str
    certified: int
    silent: int

    @property
    def share(self) -> float:
        return self.silent / self.certified if self.certified else 0.0


@dataclass(frozen=True)
class SourceQuality:
    code: str
    name: str
    silent: int  # silent certifications that used the source
    dead: int  # ... of people whose registered death is on or before that certification

    @property
    def flagged(self) -> bool:
        return self.dead >= DEAD_ALERT_COUNT or (
            self.silent > 0 and self.dead / self.silent > DEAD_ALERT_RATE
        )


def silent_share_by_region(
    session: Session, *, actor: Actor, since: datetime
) -> list[RegionShare]:
    """Per community in the actor's regions: certifications since ``since``, and how many
    of them were silent."""
    silent = func.sum(case((Certification.mode == CertMode.SILENT, 1), else_=0))
    rows = session.execute(
        select(Region.id, Region.name, func.count(), silent)
        .select_from(Certification)
        .join(Retiree, Retiree.id == Certification.retiree_id)
        .join(Region, Region.id == Retiree.community_id)
        .where(
            Certification.outcome == Outcome.CERTIFIED,
            Certification.created_at >= since,
            scope_filter(actor, Permission.READ_RETIREES, Region.path),
        )
        .group_by(Region.id, Region.name)
        .order_by(Region.name)
    )
    return [RegionShare(rid, name, int(n), int(s or 0)) for rid, name, n, s in rows]


def silent_by_source(session: Session, *, actor: Actor, since: datetime) -> dict[str, int]:
    """Silent certifications (still standing) per source that contributed to them."""
    rows = session.execute(
        select(SignalSource.code, func.count())
        .select_from(SilentEvidence)
        .join(SignalSource, SignalSource.id == SilentEvidence.source_id)
        .join(Certification, Certification.id == SilentEvidence.certification_id)
        .join(Retiree, Retiree.id == Certification.retiree_id)
        .join(Region, Region.id == Retiree.community_id)
        .where(
            Certification.outcome == Outcome.CERTIFIED,
            Certification.created_at >= since,
            scope_filter(actor, Permission.READ_RETIREES, Region.path),
        )
        .group_by(SignalSource.code)
    )
    return {code: int(n) for code, n in rows}


def source_quality(session: Session, *, actor: Actor) -> list[SourceQuality]:
    """Every source with its silent certifications and those of people already dead then
    (reported later by civil affairs); ``flagged`` is the alert."""
    actor.require(Permission.TRIAGE_ALERTS)
    already_dead = case(
        (DeathRecord.date_of_death <= func.date(Certification.created_at), 1), else_=0
    )
    rows = session.execute(
        select(
            SignalSource.code,
            SignalSource.name,
            func.count(SilentEvidence.id),
            func.coalesce(func.sum(already_dead), 0),
        )
        .select_from(SignalSource)
        .outerjoin(SilentEvidence, SilentEvidence.source_id == SignalSource.id)
        .outerjoin(Certification, Certification.id == SilentEvidence.certification_id)
        .outerjoin(DeathRecord, DeathRecord.retiree_id == Certification.retiree_id)
        .group_by(SignalSource.code, SignalSource.name)
        .order_by(SignalSource.code)
    )
    return [SourceQuality(code, name, int(n), int(d)) for code, name, n, d in rows]
