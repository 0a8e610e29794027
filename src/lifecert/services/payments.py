"""Allowance payments for the paying agency, exported like pension changes: a cursor by id
(fetching again never duplicates a row), CSV with the full ID number, audited."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.core.crypto import get_keyring
from lifecert.core.csv_export import csv_text
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor, scope_filter
from lifecert.organisation.models import Region
from lifecert.retirees.models import Retiree
from lifecert.services.models import AllowancePayment, PublicService

HEADER = ["id", "service_code", "service", "id_number", "name", "pension_account",
          "monthly_amount", "start_month", "application_id", "created_at"]


def payments_since(
    session: Session, *, actor: Actor, since_id: int, limit: int = 1000
) -> Sequence[Any]:
    return session.execute(
        select(AllowancePayment, PublicService, Retiree)
        .join(PublicService, PublicService.id == AllowancePayment.service_id)
        .join(Retiree, Retiree.id == AllowancePayment.retiree_id)
        .join(Region, Region.id == Retiree.community_id)
        .where(
            AllowancePayment.id > since_id,
            scope_filter(actor, Permission.READ_FULL_ID_NUMBER, Region.path),
        )
        .order_by(AllowancePayment.id)
        .limit(limit)
    ).all()


def as_dict(row: Any) -> dict[str, Any]:
    payment, service, retiree = row
    return {
        "id": payment.id,
        "service_code": service.code,
        "service": service.name,
        "id_number": get_keyring().decrypt_text(retiree.id_number_enc,
                                                context="retiree.id_number"),
        "name": retiree.name,
        "pension_account": retiree.pension_account,
        "monthly_amount": payment.monthly_amount,
        "start_month": payment.start_month.isoformat(),
        "application_id": payment.application_id,
        "created_at": payment.created_at.isoformat(),
    }


def payments_csv(session: Session, *, actor: Actor, since_id: int) -> str:
    rows = payments_since(session, actor=actor, since_id=since_id, limit=1_000_000)
    audit.record(session, actor=actor, action="services.payments_exported",
                 target_type="allowance_payment", target_id=since_id,
                 details={"rows": len(rows)})
    return csv_text([HEADER, *([str(v) for v in as_dict(r).values()] for r in rows)])
