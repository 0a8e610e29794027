"""Who may see which home-care rows: the one place homecare scopes its queries.

- A provider's manager sees the provider's orders, visits and elders; a caregiver only the
  orders assigned to them. Providers never see each other (answered "not found").
- Bureau officers and community workers see the care of residents of their regions (the
  elder's community path under one of theirs), through ``core.scoping``.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, false, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from lifecert.core.errors import NotFound, PermissionDenied
from lifecert.core.roles import Permission, Role
from lifecert.core.scoping import Actor, scope_filter
from lifecert.homecare.models import Caregiver, Visit, WorkOrder
from lifecert.organisation.models import Region
from lifecert.retirees.models import Retiree


def caregiver_of(session: Session, actor: Actor) -> Caregiver | None:
    if actor.role != Role.PROVIDER_STAFF:
        return None
    return session.scalar(select(Caregiver).where(Caregiver.staff_id == actor.staff_id,
                                                  Caregiver.active.is_(True)))


def require_caregiver(session: Session, actor: Actor) -> Caregiver:
    actor.require(Permission.PROVIDE_HOMECARE)
    caregiver = caregiver_of(session, actor)
    if caregiver is None:
        raise PermissionDenied("This account is not a caregiver of a provider.")
    return caregiver


def is_provider(actor: Actor) -> bool:
    return actor.role == Role.PROVIDER_STAFF


def order_filter(session: Session, actor: Actor) -> ColumnElement[bool]:
    """Orders the actor may see (use with a join of Retiree and the community Region)."""
    if is_provider(actor):
        caregiver = require_caregiver(session, actor)
        if caregiver.is_manager:
            return WorkOrder.provider_id == caregiver.provider_id
        return and_(WorkOrder.provider_id == caregiver.provider_id,
                    WorkOrder.caregiver_id == caregiver.id)
    return scope_filter(actor, Permission.READ_HOMECARE, Region.path)


def scoped_orders(session: Session, actor: Actor) -> Select[WorkOrder]:
    return (select(WorkOrder).join(Retiree, WorkOrder.retiree_id == Retiree.id)
            .join(Region, Retiree.community_id == Region.id)
            .where(order_filter(session, actor)))


def visit_filter(session: Session, actor: Actor) -> ColumnElement[bool]:
    if is_provider(actor):
        caregiver = require_caregiver(session, actor)
        if caregiver.is_manager:
            return Visit.provider_id == caregiver.provider_id
        return and_(Visit.provider_id == caregiver.provider_id,
                    Visit.worker_staff_id == actor.staff_id)
    return scope_filter(actor, Permission.READ_HOMECARE, Visit.region_path)


def get_order(session: Session, *, actor: Actor, order_id: int) -> WorkOrder:
    order = session.scalar(scoped_orders(session, actor).where(WorkOrder.id == order_id))
    if order is None:
        raise NotFound("No such order.")
    return order


def get_visit(session: Session, *, actor: Actor, visit_id: int) -> Visit:
    visit = session.scalar(select(Visit).where(Visit.id == visit_id,
                                               visit_filter(session, actor)))
    if visit is None:
        raise NotFound("No such visit.")
    return visit


def provider_filter(session: Session, actor: Actor,
                    column: InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """Rows keyed by provider: a provider sees its own; supervisors all (the bureau buys)."""
    if is_provider(actor):
        return column == require_caregiver(session, actor).provider_id
    if actor.can(Permission.READ_HOMECARE):
        return true()
    return false()
