"""The paying agency's view: every suspension and resumption, with arrears, exported
idempotently (a cursor by id: fetching again never duplicates a change)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.certification.models import PaymentChange
from lifecert.core.crypto import get_keyring
from lifecert.core.csv_export import csv_text
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor, scope_filter
from lifecert.organisation.models import Region
from lifecert.retirees.models import Retiree

_ID_CONTEXT = "retiree.id_number"


def changes_since(
    session: Session, *, actor: Actor, since_id: int, limit: int = 1000, day: date | None = None
) -> Sequence[Any]:
    stmt = (
        select(PaymentChange, Retiree)
        .join(Retiree, PaymentChange.retiree_id == Retiree.id)
        .join(Region, Retiree.community_id == Region.id)
        .where(
            PaymentChange.id > since_id,
            scope_filter(actor, Permission.READ_FULL_ID_NUMBER, Region.path),
        )
        .order_by(PaymentChange.id)
        .limit(limit)
    )
    if day is not None:
        stmt = stmt.where(func.date(PaymentChange.created_at) == day.isoformat())
    return session.execute(stmt).all()


def as_dict(row: Any) -> dict[str, Any]:
    change, retiree = row
    return {
        "id": change.id,
        "action": change.action.value,
        "effective_date": change.effective_date.isoformat(),
        "id_number": get_keyring().decrypt_text(retiree.id_number_enc, context=_ID_CONTEXT),
        "name": retiree.name,
        "pension_account": retiree.pension_account,
        "paying_agency": retiree.paying_agency,
        "reason": change.reason,
        "arrears_from": change.arrears_from.isoformat() if change.arrears_from else None,
        "arrears_to": change.arrears_to.isoformat() if change.arrears_to else None,
        "created_at": change.created_at.isoformat(),
    }


def changes_csv(session: Session, *, actor: Actor, since_id: int, day: date | None) -> str:
    rows = changes_since(session, actor=actor, since_id=since_id, limit=1_000_000, day=day)
    audit.record(
        session,
        actor=actor,
        action="payments.exported",
        target_type="payment_change",
        target_id=since_id,
        details={"rows": len(rows), "day": str(day or "")},
    )
    header = [
        "id",
        "action",
        "effective_date",
        "id_number",
        "name",
        "pension_account",
        "paying_agency",
        "reason",
        "arrears_from",
        "arrears_to",
        "created_at",
    ]
    body = [[str(v) if v is not None else "" for v in as_dict(r).values()] for r in rows]
    return csv_text([header, *body])
