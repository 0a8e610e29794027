"""Registry rules: several retirees sharing one phone number or one pension bank account.

Each rule is explainable (the evidence says which value, masked, how many people and the
threshold) and configurable (``LIFECERT_FRAUD__SHARED_PHONE_MIN`` / ``..._ACCOUNT_MIN``).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from lifecert.core.crypto import get_keyring
from lifecert.core.settings import get_settings
from lifecert.fraud.alerts import raise_alert
from lifecert.fraud.models import AlertKind, Severity
from lifecert.organisation.models import Region
from lifecert.retirees.models import Retiree, RetireeStatus

_LIVING = (RetireeStatus.ACTIVE, RetireeStatus.SUSPENDED)


def mask_phone(value: str) -> str:
    return f"{value[:3]}****{value[-4:]}" if len(value) >= 8 else "****"


def mask_account(value: str) -> str:
    return f"****{value[-4:]}" if len(value) >= 4 else "****"


def _shared(
    session: Session,
    column: InstrumentedAttribute[str],
    *,
    kind: AlertKind,
    minimum: int,
    severity: Severity,
    masked: str,
) -> int:
    groups = session.execute(
        select(column, func.count())
        .where(column != "", Retiree.status.in_(_LIVING))
        .group_by(column)
        .having(func.count() >= minimum)
    ).all()
    raised = 0
    for value, count in groups:
        members = session.execute(
            select(Retiree.id, Region.name)
            .join(Region, Retiree.community_id == Region.id)
            .where(column == value, Retiree.status.in_(_LIVING))
            .order_by(Retiree.id)
        ).all()
        ids = [rid for rid, _ in members]
        # A keyed hash: the key says "this value, these people" without storing the value.
        key = get_keyring().lookup_hash(f"{kind.value}|{value}|{ids}")[:40]
        alert = raise_alert(
            session,
            kind=kind,
            severity=severity,
            evidence={
                "rule": kind.value,
                "value": mask_phone(value) if masked == "phone" else mask_account(value),
                "count": count,
                "threshold": minimum,
                "communities": sorted({name for _, name in members}),
            },
            retiree_ids=ids,
            dedup_key=f"{kind.value}:{key}",
        )
        raised += 1 if alert.id else 0
    return raised


def run_shared_contact_rules(session: Session) -> dict[str, int]:
    """Alerts for every phone / pension account shared by too many living retirees."""
    fraud = get_settings().fraud
    return {
        "shared_phone": _shared(
            session,
            Retiree.phone,
            kind=AlertKind.SHARED_PHONE,
            minimum=fraud.shared_phone_min,
            severity=Severity.MEDIUM,
            masked="phone",
        ),
        "shared_account": _shared(
            session,
            Retiree.pension_account,
            kind=AlertKind.SHARED_ACCOUNT,
            minimum=fraud.shared_account_min,
            severity=Severity.HIGH,
            masked="account",
        ),
    }
