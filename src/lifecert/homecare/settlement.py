"""Monthly settlement (four eyes), set-based SQL.

Preparing a month first runs every rule over it (nothing unflagged is paid), then sums the
billable visits × the bureau's price copied on each visit, per provider and service. A second
officer, not the one who prepared it, signs it off; only a signed settlement is exported.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.core.csv_export import csv_bytes
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, NotFound, PermissionDenied
from lifecert.core.i18n import gettext
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor
from lifecert.homecare import rules
from lifecert.homecare.models import (
    Provider,
    Settlement,
    SettlementStatus,
    Visit,
    VisitStatus,
)


def settlement_lines(session: Session, *, month: str) -> list[dict[str, Any]]:
    start, end = rules.month_bounds(month)
    rows = session.execute(
        select(Visit.provider_id, Provider.name, Visit.service_code, Visit.price_cents,
               func.count(), func.sum(Visit.price_cents))
        .join(Provider, Provider.id == Visit.provider_id)
        .where(Visit.billable.is_(True), Visit.status == VisitStatus.COMPLETED,
               Visit.checkin_at >= start, Visit.checkin_at < end)
        .group_by(Visit.provider_id, Provider.name, Visit.service_code, Visit.price_cents)
        .order_by(Provider.name, Visit.service_code)).all()
    return [{"provider_id": p, "provider": name, "service": code, "unit_price_cents": price,
             "visits": int(n), "amount_cents": int(total or 0)}
            for p, name, code, price, n, total in rows]


def prepare_settlement(session: Session, *, actor: Actor, month: str,
                       run_rules: bool = True) -> Settlement:
    actor.require(Permission.SUPERVISE_HOMECARE)
    existing = session.scalar(select(Settlement).where(Settlement.month == month))
    if existing is not None and existing.status == SettlementStatus.SIGNED:
        raise Conflict("This month is signed off already.")
    if run_rules:
        rules.run_rules(session, month=month)
    lines = settlement_lines(session, month=month)
    settlement = existing or Settlement(month=month)
    settlement.lines = lines
    settlement.visits = sum(line["visits"] for line in lines)
    settlement.total_cents = sum(line["amount_cents"] for line in lines)
    settlement.prepared_by = actor.staff_id or None
    session.add(settlement)
    session.flush()
    audit.record(session, actor=actor, action="homecare.settlement_prepared",
                 target_type="settlement", target_id=settlement.id,
                 details={"month": month, "total_cents": settlement.total_cents})
    return settlement


def get_settlement(session: Session, *, actor: Actor, settlement_id: int) -> Settlement:
    actor.require(Permission.SUPERVISE_HOMECARE)
    settlement = session.get(Settlement, settlement_id)
    if settlement is None:
        raise NotFound("No such settlement.")
    return settlement


def sign_settlement(session: Session, *, actor: Actor, settlement_id: int) -> Settlement:
    """The second pair of eyes: a different officer signs; the totals are frozen."""
    settlement = get_settlement(session, actor=actor, settlement_id=settlement_id)
    if settlement.status == SettlementStatus.SIGNED:
        raise Conflict("This month is signed off already.")
    if settlement.prepared_by == (actor.staff_id or None):
        raise PermissionDenied("Another officer must sign off what you prepared.")
    settlement.status, settlement.signed_by = SettlementStatus.SIGNED, actor.staff_id or None
    settlement.signed_at = utcnow()
    audit.record(session, actor=actor, action="homecare.settlement_signed",
                 target_type="settlement", target_id=settlement.id,
                 details={"month": settlement.month, "total_cents": settlement.total_cents})
    return settlement


def _yuan(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def settlement_csv(session: Session, *, actor: Actor, settlement_id: int) -> bytes:
    settlement = get_settlement(session, actor=actor, settlement_id=settlement_id)
    if settlement.status != SettlementStatus.SIGNED:
        raise Conflict("Only a signed-off settlement can be exported.")
    header = [gettext("Month"), gettext("Provider"), gettext("Service"),
              gettext("Unit price (yuan)"), gettext("Visits"), gettext("Amount (yuan)")]
    rows: list[list[Any]] = [header]
    rows += [[settlement.month, line["provider"], line["service"],
              _yuan(line["unit_price_cents"]), line["visits"], _yuan(line["amount_cents"])]
             for line in settlement.lines]
    rows.append([settlement.month, gettext("Total"), "", "", settlement.visits,
                 _yuan(settlement.total_cents)])
    audit.record(session, actor=actor, action="homecare.settlement_exported",
                 target_type="settlement", target_id=settlement.id)
    return csv_bytes(rows)
