"""The home-care domain's public face for other domains and the web layer: the visit proof
(``homecare.visits``), scoped lists, and plain dicts of rows for the API."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.core.scoping import Actor
from lifecert.homecare import access
from lifecert.homecare.models import (
    Caregiver,
    CarePlan,
    Provider,
    Settlement,
    Visit,
    VisitStatus,
    WorkOrder,
)
from lifecert.homecare.visits import (
    Position,
    check_in_visit,
    check_out_visit,
    confirm_visit,
    create_visit,
    issue_visit_challenge,
    set_home_location,
    verify_worker_face,
)
from lifecert.organisation.models import Region
from lifecert.retirees.models import Retiree

__all__ = [
    "Position", "check_in_visit", "check_out_visit", "confirm_visit", "create_visit",
    "issue_visit_challenge", "set_home_location", "verify_worker_face",
]


def works_for_provider(session: Session, *, actor: Actor) -> bool:
    """Whether this account is a caregiver or manager of a home-care provider."""
    return access.caregiver_of(session, actor) is not None


def visible_providers(session: Session, *, actor: Actor) -> Sequence[Provider]:
    return session.scalars(select(Provider).where(access.provider_filter(
        session, actor, Provider.id)).order_by(Provider.name)).all()


def visible_elders(session: Session, *, actor: Actor) -> list[dict[str, Any]]:
    """Elders with a care plan: a provider's own clients, or the residents of one's regions."""
    stmt = (select(Retiree.id, Retiree.name, Region.name, CarePlan.provider_id)
            .join(CarePlan, CarePlan.retiree_id == Retiree.id)
            .join(Region, Retiree.community_id == Region.id).distinct().limit(500))
    if access.is_provider(actor):
        stmt = stmt.where(access.provider_filter(session, actor, CarePlan.provider_id))
    else:
        from lifecert.core.roles import Permission
        from lifecert.core.scoping import scope_filter

        stmt = stmt.where(scope_filter(actor, Permission.READ_HOMECARE, Region.path))
    return [{"retiree_id": rid, "name": name, "community": community, "provider_id": pid}
            for rid, name, community, pid in session.execute(stmt).all()]


def provider_dict(p: Provider) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "licence_no": p.licence_no, "status": p.status.value,
            "rating": p.rating}


def order_dict(o: WorkOrder) -> dict[str, Any]:
    return {"id": o.id, "provider_id": o.provider_id, "retiree_id": o.retiree_id,
            "service_id": o.service_id, "caregiver_id": o.caregiver_id,
            "scheduled_start": o.scheduled_start.isoformat(),
            "scheduled_end": o.scheduled_end.isoformat(), "status": o.status.value}


def visit_dict(v: Visit) -> dict[str, Any]:
    return {"id": v.id, "order_kind": v.order_kind, "order_id": v.order_id,
            "status": v.status.value, "worker_verdict": v.worker_verdict,
            "elder_verdict": v.elder_verdict, "elder_route": v.elder_route,
            "distance_m": v.checkin_distance_m, "needs_confirmation": v.needs_confirmation,
            "billable": v.billable,
            "checkin_at": v.checkin_at.isoformat() if v.checkin_at else None,
            "checkout_at": v.checkout_at.isoformat() if v.checkout_at else None}


def settlement_dict(s: Settlement) -> dict[str, Any]:
    return {"id": s.id, "month": s.month, "status": s.status.value, "visits": s.visits,
            "total_cents": s.total_cents, "lines": s.lines}


# -- for other domains that send a worker into an elder's home (the marketplace) ---------------


def visit_for_order(session: Session, *, order_kind: str, order_id: int) -> Visit | None:
    """The visit created for another domain's order (``create_visit``), if any."""
    return session.scalar(select(Visit).where(Visit.order_kind == order_kind,
                                              Visit.order_id == order_id))


def proven(visit: Visit | None) -> bool:
    """Completed and billable: the worker's face, the elder's live face (or a confirmation by
    someone who is not the provider), the place, and no anomaly rule hit."""
    return visit is not None and visit.status == VisitStatus.COMPLETED and visit.billable


def caregivers_of(session: Session, *, provider_id: int) -> list[tuple[int, str]]:
    """(staff id, name) of the provider's active caregivers (a caregiver without an enrolled
    face is refused at the visit proof itself, with what to do)."""
    from lifecert.organisation.models import Staff

    return [(sid, name) for sid, name in session.execute(
        select(Caregiver.staff_id, Staff.full_name).join(Staff, Staff.id == Caregiver.staff_id)
        .where(Caregiver.provider_id == provider_id, Caregiver.active.is_(True))
        .order_by(Staff.full_name)).all()]


def approved_provider(session: Session, *, provider_id: int) -> bool:
    from lifecert.homecare.models import ProviderStatus

    provider = session.get(Provider, provider_id)
    return provider is not None and provider.status == ProviderStatus.APPROVED
