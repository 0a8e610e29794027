"""Silent certification (无感认证): set-based evaluation of the region policies over the life
signals, an officer's reversal, and what the retiree and the pages see.

A silent certification is a :class:`Certification` like any other (mode ``silent``, outcome
``certified``, the policy, the signals used and the person's previous dates in its evidence),
so the cycle, the dashboards and the payments see it. Never for a person with a registered
death or an open fraud case, never for someone without a face (or in-person) check within the
policy's years, and never again after a reversal until the person has had such a check.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, exists, insert, select, text, update
from sqlalchemy.orm import Session, aliased

from lifecert.audit import service as audit
from lifecert.certification.cycle import Policy, default_policy
from lifecert.certification.models import Certification, CertMode, CyclePolicy, Outcome
from lifecert.core.db import bulk_insert, utcnow
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor
from lifecert.fraud.models import Alert, AlertLink, AlertStatus, DeathRecord
from lifecert.life_signals.models import (
    LifeSignal,
    SignalSource,
    SilentEvidence,
    SilentPolicy,
    SourceKind,
)
from lifecert.life_signals.policy import Rules, accepted_sources, communities_by_rules
from lifecert.life_signals.signals import signal_counts
from lifecert.organisation.models import Region
from lifecert.partners import service as partners
from lifecert.partners.models import EventType
from lifecert.retirees.models import CertState, Retiree, RetireeStatus
from lifecert.system.clock import scheduler_today

REVERSED = "silent_reversed"
_CHUNK = 5000
_DUE = (CertState.DUE_SOON, CertState.OVERDUE)


@dataclass
class SilentRun:
    certified: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    certification_ids: list[int] = field(default_factory=list)
    pending: list[tuple[int, int]] = field(default_factory=list)  # not audited yet


def _audit(session: Session, actor: Actor | None, rules: Rules, run: SilentRun) -> None:
    """One audit entry per batch naming every decision (certification id, retiree id):
    tens of thousands of entries a night would only slow the chain down."""
    for start in range(0, len(run.pending), _CHUNK):
        batch = run.pending[start : start + _CHUNK]
        audit.record(
            session,
            actor=actor,
            action="life_signals.silent_certified",
            target_type="certification",
            target_id=f"{batch[0][0]}-{batch[-1][0]}",
            details={"policy_id": rules.policy_id, "certified": len(batch),
                     "decisions": [list(pair) for pair in batch]},
        )
    run.pending = []


def _checked_since(retiree_id: Any, since: datetime) -> Any:
    """A face (or approved in-person) certification of the person since ``since``."""
    c = aliased(Certification)
    return exists().where(
        c.retiree_id == retiree_id,
        c.outcome == Outcome.CERTIFIED,
        c.mode != CertMode.SILENT,
        c.created_at >= since,
    )


def _eligible(rules: Rules, community_ids: list[int], now: datetime) -> Select[Any]:
    """Retirees the policy may certify silently, signals aside (one set-based condition)."""
    reversal, later = aliased(Certification), aliased(Certification)
    reversed_since_check = exists().where(
        reversal.retiree_id == Retiree.id,
        reversal.mode == CertMode.SILENT,
        reversal.reason == REVERSED,
        ~exists().where(
            later.retiree_id == Retiree.id,
            later.outcome == Outcome.CERTIFIED,
            later.mode != CertMode.SILENT,
            later.created_at > reversal.created_at,
        ),
    )
    open_case = (
        select(AlertLink.retiree_id)
        .join(Alert, Alert.id == AlertLink.alert_id)
        .where(AlertLink.retiree_id == Retiree.id, Alert.status != AlertStatus.RESOLVED)
        .exists()
    )
    died = select(DeathRecord.id).where(DeathRecord.retiree_id == Retiree.id).exists()
    return select(Retiree.id).where(
        Retiree.community_id.in_(community_ids),
        Retiree.status == RetireeStatus.ACTIVE,
        Retiree.cert_state.in_(_DUE),
        ~died,
        ~open_case,
        ~reversed_since_check,
        _checked_since(Retiree.id, now - timedelta(days=365 * rules.face_every_years)),
    )


def certify_silently(
    session: Session, *, actor: Actor | None = None, today: date | None = None
) -> SilentRun:
    """Certify everyone the region policies allow from their recent signals. Idempotent: a
    person certified today is no longer due, so a rerun certifies nobody twice."""
    today = today or scheduler_today(session)
    now = utcnow()
    run = SilentRun()
    cycles = _cycle_policies(session)
    for rules, community_ids in communities_by_rules(session).items():
        sources = accepted_sources(session, rules)
        if not sources:
            continue
        for start in range(0, len(community_ids), _CHUNK):
            chunk = community_ids[start : start + _CHUNK]
            counts = signal_counts(
                session,
                eligible=_eligible(rules, chunk, now),
                source_ids=list(sources),
                since=today - timedelta(days=rules.max_age_days),
                today=today,
            )
            winners = {
                rid: per_source
                for rid, per_source in counts.items()
                if len(per_source) >= rules.min_sources
                and sum(n for n, _last in per_source.values()) >= rules.min_signals
            }
            _certify(session, run, rules, sources, winners, cycles, today, now)
            if run.pending:
                _audit(session, actor, rules, run)
    return run


def _cycle_policies(session: Session) -> tuple[dict[int, Policy], Policy]:
    rows = {
        p.region_id: Policy(p.cycle_days, p.due_soon_days, p.grace_days)
        for p in session.scalars(select(CyclePolicy))
    }
    return rows, default_policy()


def _cycle_for(path: str, cycles: tuple[dict[int, Policy], Policy]) -> Policy:
    rows, default = cycles
    ids = [int(part) for part in path.strip("/").split("/") if part]
    return next((rows[i] for i in reversed(ids) if i in rows), default)


def _certify(
    session: Session,
    run: SilentRun,
    rules: Rules,
    sources: dict[int, str],
    winners: dict[int, dict[int, tuple[int, date]]],
    cycles: tuple[dict[int, Policy], Policy],
    today: date,
    now: datetime,
) -> None:
    ids = sorted(winners)
    for start in range(0, len(ids), _CHUNK):
        people = session.execute(
            select(
                Retiree.id,
                Retiree.cert_state,
                Retiree.valid_until,
                Retiree.due_soon_from,
                Retiree.suspend_after,
                Retiree.last_certified_at,
                Region.path,
            )
            .join(Region, Region.id == Retiree.community_id)
            .where(Retiree.id.in_(ids[start : start + _CHUNK]))
        ).all()
        certs, updates = [], defaultdict(list)
        for person in people:
            policy = _cycle_for(person.path, cycles)
            valid_until = today + timedelta(days=policy.cycle_days)
            certs.append(_certification(rules, sources, winners[person.id], person, valid_until))
            updates[(valid_until, policy)].append(person.id)
        made = _insert_certifications(session, certs)
        evidence = [
            {"certification_id": cid, "source_id": sid, "signals": n, "last_on": last}
            for cid, rid in made
            for sid, (n, last) in winners[rid].items()
        ]
        bulk_insert(session, SilentEvidence, evidence)
        for (valid_until, policy), retiree_ids in updates.items():
            session.execute(
                update(Retiree)
                .where(Retiree.id.in_(retiree_ids))
                .values(
                    valid_until=valid_until,
                    due_soon_from=valid_until - timedelta(days=policy.due_soon_days),
                    suspend_after=valid_until + timedelta(days=policy.grace_days),
                    cert_state=CertState.CERTIFIED,
                    last_certified_at=now,
                    updated_at=now,
                )
            )
        partners.emit_for_retirees(  # bulk UPDATE: announced here, not by the flush watcher
            session, type=EventType.CERTIFIED, retiree_ids=[rid for _cid, rid in made])
        run.certified += len(made)
        run.certification_ids.extend(cid for cid, _rid in made)
        run.pending.extend((cid, rid) for cid, rid in made)
        for _cid, rid in made:
            for sid in winners[rid]:
                run.by_source[sources[sid]] = run.by_source.get(sources[sid], 0) + 1


def _insert_certifications(
    session: Session, certs: list[dict[str, Any]]
) -> list[tuple[int, int]]:
    """Insert the decisions, returning (certification id, retiree id). PostgreSQL: ids taken
    from the sequence in one query, rows written with COPY (thousands a second)."""
    if session.connection().dialect.name != "postgresql":
        made = session.execute(
            insert(Certification).returning(
                Certification.id, Certification.retiree_id, sort_by_parameter_order=True
            ),
            certs,
        ).all()
        return [(cid, rid) for cid, rid in made]
    ids = session.scalars(
        text("SELECT nextval(pg_get_serial_sequence('certification', 'id')) "
             "FROM generate_series(1, :n)"),
        {"n": len(certs)},
    ).all()
    rows = [
        {**cert, "id": cid, "evidence": json.dumps(cert["evidence"], ensure_ascii=False),
         "frame_keys": "[]"}
        for cert, cid in zip(certs, ids, strict=True)
    ]
    bulk_insert(session, Certification, rows)
    return [(row["id"], row["retiree_id"]) for row in rows]


def _certification(
    rules: Rules,
    sources: dict[int, str],
    per_source: dict[int, tuple[int, date]],
    person: Any,
    valid_until: date,
) -> dict[str, Any]:
    previous = {
        "cert_state": person.cert_state.value,
        "valid_until": _iso(person.valid_until),
        "due_soon_from": _iso(person.due_soon_from),
        "suspend_after": _iso(person.suspend_after),
        "last_certified_at": _iso(person.last_certified_at),
    }
    signals = [
        {"source": sources[sid], "count": n, "last_on": last.isoformat()}
        for sid, (n, last) in sorted(per_source.items())
    ]
    return {
        "retiree_id": person.id,
        "mode": CertMode.SILENT,
        "outcome": Outcome.CERTIFIED,
        "reason": "silent",
        "created_at": utcnow(),
        "valid_until": valid_until,
        "evidence": {
            "silent": {"policy": rules.as_evidence(), "signals": signals, "previous": previous}
        },
        "frame_keys": [],
        "device": "",
        "ip": "",
        "counts_as_attempt": False,
    }


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def set_policy(
    session: Session, *, actor: Actor, region_id: int, **values: Any
) -> SilentPolicy:
    """Create or change a region's silent-certification policy (audited)."""
    actor.require(Permission.MANAGE_REGIONS)
    if session.get(Region, region_id) is None:
        raise NotFound("No such region.")
    row = session.scalar(select(SilentPolicy).where(SilentPolicy.region_id == region_id))
    if row is None:
        row = SilentPolicy(region_id=region_id)
        session.add(row)
    for name, value in values.items():
        if not hasattr(SilentPolicy, name) or name in ("id", "region_id"):
            raise InvalidInput("Unknown policy field {name}.", params={"name": name})
        setattr(row, name, value)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="life_signals.policy_set",
        target_type="region",
        target_id=region_id,
        details={k: v for k, v in values.items()},
    )
    return row


def add_source(
    session: Session, *, actor: Actor, code: str, name: str, kind: SourceKind, trust_level: int
) -> tuple[SignalSource, str]:
    """A new partner source and its API key (returned once; only its hash is kept)."""
    actor.require(Permission.MANAGE_REGIONS)
    if not 1 <= trust_level <= 3:
        raise InvalidInput("The trust level is 1, 2 or 3.")
    if session.scalar(select(SignalSource.id).where(SignalSource.code == code)) is not None:
        raise Conflict("A source with this code exists.")
    key = secrets.token_urlsafe(32)
    source = SignalSource(code=code[:32], name=name[:100], kind=kind, trust_level=trust_level,
                          partner_key_hash=hashlib.sha256(key.encode()).hexdigest())
    session.add(source)
    session.flush()
    audit.record(session, actor=actor, action="life_signals.source_added",
                 target_type="life_signal_source", target_id=source.id,
                 details={"code": source.code, "trust_level": trust_level})
    return source, key


def silent_history(session: Session, *, retiree_id: int) -> Sequence[Certification]:
    """The person's silent certifications, newest first (their own phone page)."""
    return session.scalars(
        select(Certification)
        .where(Certification.retiree_id == retiree_id, Certification.mode == CertMode.SILENT)
        .order_by(Certification.created_at.desc())
        .limit(20)
    ).all()


def source_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(SignalSource.code, SignalSource.name)).all())



def record_signal(
    session: Session, *, retiree_id: int, code: str, name: str, occurred_on: date,
    kind: SourceKind = SourceKind.CLASS, trust_level: int = 2,
) -> bool:
    """One life signal seen by the platform itself (a face-verified class attendance): the
    source is created on first use; a signal already known for that day is left as it is.
    Its evidence stays with the record that produced it (the attendance row)."""
    source = session.scalar(select(SignalSource).where(SignalSource.code == code))
    if source is None:
        source = SignalSource(code=code[:32], name=name[:100], kind=kind, trust_level=trust_level)
        session.add(source)
        session.flush()
    known = session.scalar(select(LifeSignal.id).where(
        LifeSignal.retiree_id == retiree_id, LifeSignal.source_id == source.id,
        LifeSignal.occurred_on == occurred_on))
    if known is not None:
        return False
    session.add(LifeSignal(retiree_id=retiree_id, source_id=source.id, occurred_on=occurred_on))
    session.flush()
    return True
