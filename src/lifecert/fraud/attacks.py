"""Presentation-attack cases: a confident passive-PAD attack opens one, and while any is open
(or once one is confirmed) no face check of that person is accepted automatically.

The officer's decision on the alert is the case decision: "false alarm" releases the person,
"fraud confirmed" keeps every later face check for a person to look at.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lifecert.fraud.alerts import LinkSpec, raise_alert
from lifecert.fraud.models import Alert, AlertKind, AlertLink, AlertOutcome, AlertStatus, Severity


def open_attack_case(
    session: Session,
    *,
    retiree_id: int,
    certification_id: int,
    pad: dict[str, Any],
    links: list[LinkSpec] | None = None,
) -> Alert:
    """One alert per attacked check, with the PAD evidence a reviewer needs (no frames)."""
    return raise_alert(
        session,
        kind=AlertKind.PRESENTATION_ATTACK,
        severity=Severity.HIGH,
        evidence={
            "rule": "presentation_attack",
            "certification_id": certification_id,
            "pad_decision": pad.get("decision"),
            "pad_score": pad.get("texture_score"),
            "pad_model": pad.get("model_id"),
            "pad_reasons": list(pad.get("reasons") or []),
        },
        retiree_ids=[retiree_id],
        links=links or [],
        dedup_key=f"presentation_attack:{certification_id}",
    )


def blocking_attack_cases(
    session: Session, *, retiree_id: int, confirmed_too: bool = True
) -> list[int]:
    """Attack cases about this person that stop automatic acceptance: every undecided one, and
    (``confirmed_too``) every one an officer confirmed as fraud."""
    blocking = Alert.status != AlertStatus.RESOLVED
    if confirmed_too:
        blocking = or_(blocking, Alert.outcome == AlertOutcome.FRAUD_CONFIRMED)
    return list(
        session.scalars(
            select(Alert.id)
            .join(AlertLink, AlertLink.alert_id == Alert.id)
            .where(
                AlertLink.retiree_id == retiree_id,
                Alert.kind == AlertKind.PRESENTATION_ATTACK,
                blocking,
            )
            .order_by(Alert.id)
        )
    )
