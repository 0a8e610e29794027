"""The paying agency's view: every suspension and resumption, with arrears, exported
idempotently (a cursor by id: fetching again never duplicates a change)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, func, select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.certification.labels import cert_label
from lifecert.certification.models import PaymentAction, PaymentChange
from lifecert.core.crypto import get_keyring
from lifecert.core.csv_export import csv_text
from lifecert.core.i18n import N_, gettext
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor, scope_filter
from lifecert.organisation.models import Region
from lifecert.retirees.models import Retiree
from lifecert.system.clock import local_zone

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
        # Typed as a date on both sides: PostgreSQL has no date = varchar operator (a 500).
        stmt = stmt.where(func.date(PaymentChange.created_at, type_=Date) == day)
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
    # For the people who read it: headers, actions and reasons in the reader's language
    # (the JSON endpoint keeps the codes for machines). Times in the region's time zone.
    header = [gettext(label) for label in CSV_COLUMNS]
    body = [_csv_row(as_dict(r)) for r in rows]
    return csv_text([header, *body])


CSV_COLUMNS = [
    N_("Change no."),
    N_("Action"),
    N_("Effective date"),
    N_("ID number"),
    N_("Name"),
    N_("Pension account"),
    N_("Paying agency"),
    N_("Reason"),
    N_("Arrears from"),
    N_("Arrears to"),
    N_("Recorded at"),
]


def _csv_row(row: dict[str, Any]) -> list[str]:
    recorded = datetime.fromisoformat(row["created_at"]).astimezone(local_zone())
    return [
        str(row["id"]),
        gettext(cert_label("payment", PaymentAction(row["action"]))),
        row["effective_date"],
        row["id_number"],
        row["name"],
        row["pension_account"],
        row["paying_agency"],
        gettext(cert_label("reason", row["reason"])),
        row["arrears_from"] or "",
        row["arrears_to"] or "",
        recorded.strftime("%Y-%m-%d %H:%M"),
    ]
