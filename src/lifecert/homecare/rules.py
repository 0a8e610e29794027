"""Anomaly rules of home-care visits, as data: each row of ``homecare_rule`` (switch, threshold,
severity, set by the bureau) names a set-based SQL condition below. A run inserts one
``homecare_anomaly`` per (visit, rule) hit, raises or extends one fraud alert per (rule,
provider, month) -- the existing triage queue -- and recomputes ``billable`` for the visits in
scope: only a completed visit with a verified worker, a verified (or confirmed) elder, no
dispute and no open anomaly is paid. Nothing is changed silently: every hit has its alert.

The same statements serve one visit at check-out and a whole month (a million visits) at
settlement: no per-row Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session, aliased

from lifecert.fraud import service as fraud
from lifecert.fraud.models import DeathRecord, DeathStatus
from lifecert.homecare import kpis
from lifecert.homecare.models import (
    Absence,
    Anomaly,
    AnomalyRule,
    Provider,
    ProviderRegion,
    Visit,
    VisitPhoto,
    VisitStatus,
)
from lifecert.retirees.models import Retiree, RetireeStatus
from lifecert.system.clock import local_zone

NOT_LIVING = (RetireeStatus.DECEASED, RetireeStatus.SUSPENDED, RetireeStatus.TRANSFERRED_OUT)
FACE_OK = ("match", "review")


def _short(threshold: float) -> ColumnElement[bool]:
    return Visit.duration_s < Visit.min_minutes * 60 * threshold


def _far(threshold: float) -> ColumnElement[bool]:
    slack = case((Visit.checkin_accuracy_m > 100, 100.0),
                 else_=func.coalesce(Visit.checkin_accuracy_m, 0.0))
    return or_(Visit.checkin_distance_m.is_(None), Visit.checkin_distance_m - slack > threshold)


def _unavailable(_threshold: float) -> ColumnElement[bool]:
    # IN over the few people concerned (hashed once), then the date check only for them:
    # an OR of correlated EXISTS would probe three tables for each of a million visits.
    not_living = Visit.retiree_id.in_(select(Retiree.id).where(Retiree.status.in_(NOT_LIVING)))
    dead = and_(
        Visit.retiree_id.in_(select(DeathRecord.retiree_id)
                             .where(DeathRecord.status != DeathStatus.REVERSED)),
        exists().where(DeathRecord.retiree_id == Visit.retiree_id,
                       DeathRecord.status != DeathStatus.REVERSED,
                       DeathRecord.date_of_death <= Visit.visit_date))
    away = and_(
        Visit.retiree_id.in_(select(Absence.retiree_id)),
        exists().where(Absence.retiree_id == Visit.retiree_id,
                       Absence.starts_on <= Visit.visit_date,
                       or_(Absence.ends_on.is_(None), Absence.ends_on >= Visit.visit_date)))
    return or_(not_living, dead, away)


def _overlap(_threshold: float) -> ColumnElement[bool]:
    other = aliased(Visit)
    return exists().where(other.worker_staff_id == Visit.worker_staff_id, other.id != Visit.id,
                          other.checkin_at < Visit.checkout_at,
                          Visit.checkin_at < other.checkout_at)


def _reused_photo(_threshold: float) -> ColumnElement[bool]:
    mine, theirs = aliased(VisitPhoto), aliased(VisitPhoto)
    return exists().where(mine.visit_id == Visit.id, theirs.sha256 == mine.sha256,
                          theirs.visit_id != Visit.id)


def _elder_face(_threshold: float) -> ColumnElement[bool]:
    return and_(Visit.elder_route == "face", Visit.elder_verdict.not_in(FACE_OK))


def _worker_face(_threshold: float) -> ColumnElement[bool]:
    return Visit.worker_verdict.not_in(FACE_OK)


def _outside(_threshold: float) -> ColumnElement[bool]:
    served = exists().where(ProviderRegion.provider_id == Visit.provider_id,
                            Visit.region_path.startswith(ProviderRegion.region_path))
    return and_(Visit.provider_id.is_not(None), not_(served))


CONDITIONS = {
    "short_visit": _short,
    "far_checkin": _far,
    "elder_unavailable": _unavailable,
    "caregiver_overlap": _overlap,
    "reused_photo": _reused_photo,
    "elder_face": _elder_face,
    "worker_face": _worker_face,
    "outside_area": _outside,
}


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The month ``YYYY-MM`` in the region's time zone, as UTC instants [start, end)."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError as exc:
        from lifecert.core.errors import InvalidInput

        raise InvalidInput("A month is written YYYY-MM.") from exc
    following = (first + timedelta(days=32)).replace(day=1)
    zone = local_zone()
    return (datetime.combine(first, time(), zone), datetime.combine(following, time(), zone))


def _scope(visit_ids: Sequence[int] | None, month: str | None) -> ColumnElement[bool]:
    if visit_ids is not None:
        return Visit.id.in_(list(visit_ids))
    assert month is not None
    start, end = month_bounds(month)
    return and_(Visit.checkin_at >= start, Visit.checkin_at < end)


def _month_of(session: Session, visit_ids: Sequence[int]) -> str:
    moment = session.scalar(select(Visit.checkin_at).where(Visit.id.in_(list(visit_ids))))
    return moment.astimezone(local_zone()).strftime("%Y-%m") if moment else ""


def run_rules(session: Session, *, visit_ids: Sequence[int] | None = None,
              month: str | None = None) -> dict[str, int]:
    """Apply every enabled rule to the completed visits in scope (given ids, or a month)."""
    scope = and_(_scope(visit_ids, month), Visit.status == VisitStatus.COMPLETED)
    label = month or _month_of(session, visit_ids or [])
    hits: dict[str, int] = {}
    for rule in session.scalars(select(AnomalyRule).where(AnomalyRule.enabled.is_(True))):
        condition = CONDITIONS.get(rule.code)
        if condition is None:
            continue
        known = exists().where(Anomaly.visit_id == Visit.id, Anomaly.rule == rule.code)
        rows = select(Visit.id, literal(rule.code), Visit.provider_id, Visit.retiree_id,
                      literal(label), true()).where(scope, condition(rule.threshold), not_(known))
        result = session.connection().execute(insert(Anomaly).from_select(
            ["visit_id", "rule", "provider_id", "retiree_id", "month", "is_open"], rows))
        hits[rule.code] = max(result.rowcount or 0, 0)
    raise_alerts(session)
    refresh_billable(session, visit_ids=visit_ids, month=month)
    if month is not None:
        kpis.refresh_kpis(session, month=month, start=month_bounds(month)[0],
                          end=month_bounds(month)[1])
    return {code: n for code, n in hits.items() if n}


def raise_alerts(session: Session) -> int:
    """One alert per (rule, provider, month) in the fraud triage for anomalies without one."""
    groups = session.execute(
        select(Anomaly.rule, Anomaly.provider_id, Anomaly.month, func.count())
        .where(Anomaly.alert_id.is_(None)).group_by(Anomaly.rule, Anomaly.provider_id,
                                                    Anomaly.month)).all()
    severities = dict(session.execute(select(AnomalyRule.code, AnomalyRule.severity)).all())
    for code, provider_id, month, _count in groups:
        same = and_(Anomaly.rule == code, Anomaly.month == month,
                    Anomaly.provider_id.is_(None) if provider_id is None
                    else Anomaly.provider_id == provider_id)
        sample = session.execute(select(Anomaly.visit_id, Anomaly.retiree_id).where(same)
                                 .order_by(Anomaly.visit_id).limit(20)).all()
        total = session.scalar(select(func.count()).select_from(Anomaly).where(same)) or 0
        provider = session.get(Provider, provider_id) if provider_id is not None else None
        alert = fraud.raise_homecare_alert(
            session, severity=severities.get(code, "medium"),
            evidence=_evidence(code, provider, month, total, [v for v, _ in sample]),
            retiree_ids=[r for _, r in sample],
            dedup_key=f"homecare:{code}:{provider_id}:{month}")
        session.execute(update(Anomaly).where(same, Anomaly.alert_id.is_(None))
                        .values(alert_id=alert.id))
    return len(groups)


def _evidence(code: str, provider: Provider | None, month: str, count: int,
              visits: list[int]) -> dict[str, Any]:
    return {"check": code, "provider": provider.name if provider else "", "month": month,
            "count": count, "visits": visits}


def billable_condition() -> ColumnElement[bool]:
    open_anomaly = exists().where(Anomaly.visit_id == Visit.id, Anomaly.is_open.is_(True))
    elder_ok = or_(and_(Visit.elder_verdict == "match", Visit.needs_confirmation.is_(False)),
                   Visit.confirmed_at.is_not(None))
    return and_(Visit.status == VisitStatus.COMPLETED, Visit.worker_verdict == "match",
                elder_ok, Visit.elder_response != "disputed", not_(open_anomaly))


def refresh_billable(session: Session, *, visit_ids: Sequence[int] | None = None,
                     month: str | None = None) -> None:
    """Set ``billable`` where it changes (two updates: a month's run rewrites only the visits
    whose standing moved, not a million rows)."""
    scope, paid = _scope(visit_ids, month), billable_condition()
    for value, condition in ((False, and_(Visit.billable.is_(True), not_(paid))),
                             (True, and_(Visit.billable.is_(False), paid))):
        session.execute(update(Visit).where(scope, condition).values(billable=value)
                        .execution_options(synchronize_session=False))
    session.expire_all()
