"""Which region policy applies where, and which sources a policy accepts (pure decisions)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.life_signals.models import SignalSource, SilentPolicy
from lifecert.organisation.models import Region, RegionLevel


@dataclass(frozen=True)
class Rules:
    """A policy as plain values (the row it came from, for the evidence)."""

    policy_id: int
    region_id: int
    sources: tuple[str, ...]
    min_trust: int
    max_age_days: int
    min_signals: int
    min_sources: int
    face_every_years: int

    def as_evidence(self) -> dict[str, object]:
        return {
            "policy_id": self.policy_id,
            "region_id": self.region_id,
            "sources": list(self.sources),
            "min_trust": self.min_trust,
            "max_age_days": self.max_age_days,
            "min_signals": self.min_signals,
            "min_sources": self.min_sources,
            "face_every_years": self.face_every_years,
        }


def _rules(p: SilentPolicy) -> Rules | None:
    if not p.enabled:
        return None
    return Rules(
        p.id,
        p.region_id,
        tuple(sorted(p.sources or ())),
        p.min_trust,
        p.max_age_days,
        max(1, p.min_signals),
        max(1, p.min_sources),
        max(1, p.face_every_years),
    )


def communities_by_rules(session: Session) -> dict[Rules, list[int]]:
    """Every community under an enabled policy, grouped by the policy that applies (the
    nearest ancestor's, the community's own included; a disabled one switches a subtree off)."""
    policies = {p.region_id: p for p in session.scalars(select(SilentPolicy))}
    if not policies:
        return {}
    groups: dict[Rules, list[int]] = defaultdict(list)
    communities = session.execute(
        select(Region.id, Region.path).where(Region.level == RegionLevel.COMMUNITY)
    )
    for community_id, path in communities:
        ids = [int(part) for part in path.strip("/").split("/") if part]
        nearest = next((policies[i] for i in reversed(ids) if i in policies), None)
        rules = _rules(nearest) if nearest is not None else None
        if rules is not None:
            groups[rules].append(community_id)
    return dict(groups)


def accepted_sources(session: Session, rules: Rules) -> dict[int, str]:
    """Source id → code for the sources this policy accepts (active, trusted enough, listed)."""
    stmt = select(SignalSource.id, SignalSource.code).where(
        SignalSource.active.is_(True), SignalSource.trust_level >= rules.min_trust
    )
    if rules.sources:
        stmt = stmt.where(SignalSource.code.in_(rules.sources))
    return {source_id: code for source_id, code in session.execute(stmt)}
