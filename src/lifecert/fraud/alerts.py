"""The alert queue: raise (rules and searches), list within scope, assign, resolve, export.

An alert is visible to an officer when at least one linked retiree lives in the officer's
regions; linked people outside them are shown without their names.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from lifecert.audit.service import clean_details, record
from lifecert.core.csv_export import SafeWriter
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.core.i18n import N_, gettext
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor, scope_filter
from lifecert.fraud.models import (
    Alert,
    AlertKind,
    AlertLink,
    AlertOutcome,
    AlertStatus,
    LinkKind,
    Severity,
)
from lifecert.organisation.models import Region, Staff
from lifecert.retirees.models import Retiree

KIND_LABELS = {
    AlertKind.DUPLICATE_FACE: N_("Same face, another identity"),
    AlertKind.SHARED_PHONE: N_("Several retirees share one phone number"),
    AlertKind.SHARED_ACCOUNT: N_("Several retirees share one pension account"),
    AlertKind.CERTIFIED_AFTER_DEATH: N_("Certification after the date of death"),
    AlertKind.HELPER_MANY: N_("One helper certifies many retirees"),
    AlertKind.DEVICE_MANY: N_("One device certifies many retirees"),
    AlertKind.IP_MANY: N_("One network address certifies many retirees"),
    AlertKind.WORKER_OUTLIER: N_("A worker far above their peers"),
    AlertKind.BURST: N_("A burst of certifications"),
    AlertKind.NIGHT_TIME: N_("Certifications at night"),
    AlertKind.PRESENTATION_ATTACK: N_("Presentation attack (photo, screen or mask)"),
    AlertKind.MARKET_COMMUNITY_SWEEP: N_("A merchant selling to many elders of one community"),
    AlertKind.MARKET_COMPLAINTS: N_("A merchant with many complaints or cancellations"),
    AlertKind.MARKET_NEAR_CAP: N_("A price near the cap, far above other offers"),
    AlertKind.MARKET_AFTER_CALL: N_("An order right after a reported call from the merchant"),
    AlertKind.MARKET_SPEND_SPIKE: N_("An elder spending far above their usual month"),
    AlertKind.HOMECARE_VISIT: N_("Home-care visit anomaly"),
}
STATUS_LABELS = {
    AlertStatus.OPEN: N_("Open"),
    AlertStatus.ASSIGNED: N_("Assigned"),
    AlertStatus.RESOLVED: N_("Resolved"),
}
OUTCOME_LABELS = {
    AlertOutcome.FRAUD_CONFIRMED: N_("Fraud confirmed"),
    AlertOutcome.FALSE_ALARM: N_("False alarm"),
}
SEVERITY_LABELS = {
    Severity.LOW: N_("Low"),
    Severity.MEDIUM: N_("Medium"),
    Severity.HIGH: N_("High"),
}


@dataclass(frozen=True)
class LinkSpec:
    """Something an alert is about besides retirees: a helper, a device, an IP, a worker."""

    kind: LinkKind
    ref: str
    label: str = ""


def _retiree_links(session: Session, retiree_ids: Iterable[int]) -> list[AlertLink]:
    rows = session.execute(
        select(Retiree.id, Retiree.name, Region.path)
        .join(Region, Retiree.community_id == Region.id)
        .where(Retiree.id.in_(list(dict.fromkeys(retiree_ids))))
    ).all()
    return [
        AlertLink(
            kind=LinkKind.RETIREE, ref=str(rid), retiree_id=rid, region_path=path, label=name[:100]
        )
        for rid, name, path in rows
    ]


def add_links(session: Session, alert: Alert, links: Iterable[LinkSpec]) -> None:
    have = {(link.kind, link.ref) for link in alert.links}
    for spec in links:
        if (spec.kind, spec.ref) not in have:
            alert.links.append(AlertLink(kind=spec.kind, ref=spec.ref[:64], label=spec.label[:100]))
            have.add((spec.kind, spec.ref))
    session.flush()


def raise_alert(
    session: Session,
    *,
    kind: AlertKind,
    severity: Severity,
    evidence: dict[str, Any],
    retiree_ids: Sequence[int] = (),
    links: Iterable[LinkSpec] = (),
    dedup_key: str | None = None,
) -> Alert:
    """Create an alert (system action, no actor). With ``dedup_key``, an existing alert for the
    same finding is returned instead: its evidence refreshed while unresolved, left as decided
    once resolved."""
    evidence = clean_details(evidence)
    if dedup_key is not None:
        existing = session.scalar(select(Alert).where(Alert.dedup_key == dedup_key))
        if existing is not None:
            if existing.status != AlertStatus.RESOLVED:
                existing.evidence = {**existing.evidence, **evidence}
                have = {link.retiree_id for link in existing.links}
                for link in _retiree_links(session, [r for r in retiree_ids if r not in have]):
                    existing.links.append(link)
                add_links(session, existing, links)
            return existing
    alert = Alert(kind=kind, severity=severity, evidence=evidence, dedup_key=dedup_key)
    alert.links.extend(_retiree_links(session, retiree_ids))
    session.add(alert)
    session.flush()
    add_links(session, alert, links)
    record(
        session,
        actor=None,
        action="alert.raised",
        target_type="alert",
        target_id=alert.id,
        details={"kind": kind.value, "severity": severity.value},
    )
    return alert


def scoped_alerts(actor: Actor) -> Select[Alert]:
    visible = select(AlertLink.alert_id).where(
        AlertLink.retiree_id.is_not(None),
        scope_filter(actor, Permission.TRIAGE_ALERTS, AlertLink.region_path),
    )
    stmt = select(Alert)
    if not actor.covers_path("/"):
        stmt = stmt.where(Alert.id.in_(visible))
    return stmt


def list_alerts(
    session: Session,
    *,
    actor: Actor,
    status: AlertStatus | None = None,
    kind: AlertKind | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[Sequence[Alert], int]:
    actor.require(Permission.TRIAGE_ALERTS)
    stmt = scoped_alerts(actor)
    if status is not None:
        stmt = stmt.where(Alert.status == status)
    if kind is not None:
        stmt = stmt.where(Alert.kind == kind)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Alert.status, Alert.created_at.desc()).offset(offset).limit(min(limit, 500))
    ).all()
    return rows, total


def get_alert(session: Session, *, actor: Actor, alert_id: int, audit: bool = False) -> Alert:
    actor.require(Permission.TRIAGE_ALERTS)
    alert = session.scalar(scoped_alerts(actor).where(Alert.id == alert_id))
    if alert is None:
        raise NotFound("No such alert.")
    if audit:
        record(session, actor=actor, action="alert.viewed", target_type="alert", target_id=alert.id)
    return alert


def visible_links(actor: Actor, alert: Alert) -> list[tuple[AlertLink, bool]]:
    """Each link with whether the actor may see who it is (retirees outside the scope: no)."""
    return [
        (link, link.kind != LinkKind.RETIREE or actor.covers_path(link.region_path))
        for link in alert.links
    ]


def assign_alert(session: Session, *, actor: Actor, alert_id: int, staff_id: int) -> Alert:
    alert = get_alert(session, actor=actor, alert_id=alert_id)
    if alert.status == AlertStatus.RESOLVED:
        raise Conflict("This alert is already resolved.")
    staff = session.get(Staff, staff_id)
    if staff is None or not staff.is_active or Permission.TRIAGE_ALERTS not in _perms(staff):
        raise InvalidInput("Choose an officer who can handle alerts.")
    alert.assigned_to, alert.status = staff.id, AlertStatus.ASSIGNED
    record(
        session,
        actor=actor,
        action="alert.assigned",
        target_type="alert",
        target_id=alert.id,
        details={"assigned_to": staff.id},
    )
    return alert


def _perms(staff: Staff) -> frozenset[Permission]:
    from lifecert.core.roles import ROLE_PERMISSIONS

    return ROLE_PERMISSIONS[staff.role]


def resolve_alert(
    session: Session, *, actor: Actor, alert_id: int, outcome: AlertOutcome, note: str = ""
) -> Alert:
    alert = get_alert(session, actor=actor, alert_id=alert_id)
    if alert.status == AlertStatus.RESOLVED:
        raise Conflict("This alert is already resolved.")
    if not note.strip():
        raise InvalidInput("Write what was found.")
    alert.status, alert.outcome = AlertStatus.RESOLVED, outcome
    alert.resolved_by, alert.resolved_at = actor.staff_id or None, utcnow()
    alert.resolution_note = note.strip()[:2000]
    record(
        session,
        actor=actor,
        action="alert.resolved",
        target_type="alert",
        target_id=alert.id,
        details={"outcome": outcome.value},
    )
    return alert


def count_alerts(session: Session, *, actor: Actor) -> dict[str, int]:
    """Figures for the dashboard: open, assigned, high-severity unresolved, confirmed frauds."""
    if not actor.can(Permission.TRIAGE_ALERTS):
        return {}
    sub = scoped_alerts(actor).subquery()
    rows = session.execute(
        select(sub.c.status, sub.c.severity, sub.c.outcome, func.count()).group_by(
            sub.c.status, sub.c.severity, sub.c.outcome
        )
    ).all()
    counts = {"open": 0, "assigned": 0, "high": 0, "confirmed": 0}
    for status, severity, outcome, n in rows:
        if status in ("open", "assigned"):
            counts[status] += n
            counts["high"] += n if severity == "high" else 0
        if outcome == "fraud_confirmed":
            counts["confirmed"] += n
    return counts


def export_alerts_csv(session: Session, *, actor: Actor, status: AlertStatus | None = None) -> str:
    actor.require(Permission.TRIAGE_ALERTS)
    stmt = scoped_alerts(actor)
    if status is not None:
        stmt = stmt.where(Alert.status == status)
    rows = session.scalars(stmt.order_by(Alert.id)).all()
    header = [
        gettext("Alert"),
        gettext("Kind"),
        gettext("Severity"),
        gettext("Status"),
        gettext("Outcome"),
        gettext("Raised at"),
        gettext("Linked retirees"),
        gettext("Evidence"),
    ]
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    writer.writerow(header)
    for alert in rows:
        people = [
            f"#{link.ref} {link.label}" if seen else f"#{link.ref}"
            for link, seen in visible_links(actor, alert)
            if link.kind == LinkKind.RETIREE
        ]
        writer.writerow(
            [
                alert.id,
                gettext(KIND_LABELS[alert.kind]),
                gettext(SEVERITY_LABELS[alert.severity]),
                gettext(STATUS_LABELS[alert.status]),
                gettext(OUTCOME_LABELS[alert.outcome]) if alert.outcome else "",
                alert.created_at.isoformat(timespec="seconds"),
                "; ".join(people),
                json.dumps(alert.evidence, ensure_ascii=False, sort_keys=True),
            ]
        )
    record(
        session,
        actor=actor,
        action="alert.exported",
        target_type="alert",
        details={"rows": len(rows), "status": status.value if status else "all"},
    )
    return buffer.getvalue()
