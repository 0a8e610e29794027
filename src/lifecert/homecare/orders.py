"""Eligibility plans, work orders (one caregiver in two places at once is refused), absences."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor
from lifecert.homecare import access, visits
from lifecert.homecare.models import (
    Absence,
    Caregiver,
    CarePlan,
    OrderStatus,
    Provider,
    ProviderStatus,
    ServiceItem,
    WorkOrder,
)
from lifecert.retirees.service import get_retiree


def set_plan(session: Session, *, actor: Actor, retiree_id: int, provider_id: int,
             service_id: int, visits_per_month: int, valid_from: date, valid_until: date,
             assessment_level: str = "", subsidy_level: str = "",
             family_contact: str = "") -> CarePlan:
    """The community or the bureau grants an elder subsidised visits (in their scope)."""
    actor.require(Permission.WRITE_RETIREES)
    get_retiree(session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES)
    if valid_until < valid_from or not 0 < visits_per_month <= 62:
        raise InvalidInput("Check the period and the number of visits a month.")
    if session.get(ServiceItem, service_id) is None or session.get(Provider, provider_id) is None:
        raise NotFound("No such service or provider.")
    plan = CarePlan(retiree_id=retiree_id, provider_id=provider_id, service_id=service_id,
                    visits_per_month=visits_per_month, valid_from=valid_from,
                    valid_until=valid_until, assessment_level=assessment_level,
                    subsidy_level=subsidy_level, family_contact=family_contact,
                    set_by=actor.staff_id or None)
    session.add(plan)
    session.flush()
    audit.record(session, actor=actor, action="homecare.plan_set", target_type="retiree",
                 target_id=retiree_id, details={"plan_id": plan.id})
    return plan


def refuse_plan(session: Session, *, actor: Actor, plan_id: int) -> CarePlan:
    """The elder says no: no more orders from this plan."""
    actor.require(Permission.WRITE_RETIREES)
    plan = session.get(CarePlan, plan_id)
    if plan is None:
        raise NotFound("No such plan.")
    get_retiree(session, actor=actor, retiree_id=plan.retiree_id,
                permission=Permission.WRITE_RETIREES)
    plan.refused = True
    audit.record(session, actor=actor, action="homecare.plan_refused", target_type="retiree",
                 target_id=plan.retiree_id)
    return plan


def _check_free(session: Session, caregiver_id: int, start: datetime, end: datetime,
                except_id: int | None = None) -> None:
    clash = session.scalar(select(WorkOrder.id).where(
        WorkOrder.caregiver_id == caregiver_id,
        WorkOrder.status.in_((OrderStatus.SCHEDULED, OrderStatus.IN_PROGRESS)),
        WorkOrder.scheduled_start < end, start < WorkOrder.scheduled_end,
        WorkOrder.id != (except_id or 0)))
    if clash is not None:
        raise Conflict("This caregiver already has a visit at that time (order {order}).",
                       params={"order": clash})


def create_order(session: Session, *, actor: Actor, plan_id: int, start: datetime,
                 end: datetime, caregiver_id: int | None = None,
                 requested_by: str = "plan") -> WorkOrder:
    """A visit from a plan, by the provider (its manager) or the elder's community."""
    plan = session.get(CarePlan, plan_id)
    if plan is None or plan.refused:
        raise NotFound("No such plan.")
    if access.is_provider(actor):
        me = access.require_caregiver(session, actor)
        if not me.is_manager or me.provider_id != plan.provider_id:
            raise NotFound("No such plan.")
    else:
        get_retiree(session, actor=actor, retiree_id=plan.retiree_id,
                    permission=Permission.WRITE_RETIREES)
    provider = session.get_one(Provider, plan.provider_id)
    if provider.status != ProviderStatus.APPROVED:
        raise Conflict("This provider is not approved (or is suspended).")
    if end <= start or not (plan.valid_from <= start.date() <= plan.valid_until):
        raise InvalidInput("The visit must end after it starts, within the plan's period.")
    service = session.get_one(ServiceItem, plan.service_id)
    order = WorkOrder(plan_id=plan.id, provider_id=plan.provider_id, retiree_id=plan.retiree_id,
                      service_id=plan.service_id, scheduled_start=start, scheduled_end=end,
                      requested_by=requested_by)
    session.add(order)
    session.flush()
    if caregiver_id is not None:
        assign_caregiver(session, actor=actor, order_id=order.id, caregiver_id=caregiver_id)
    audit.record(session, actor=actor, action="homecare.order_created", target_type="order",
                 target_id=order.id, details={"price_cents": service.unit_price_cents})
    return order


def assign_caregiver(session: Session, *, actor: Actor, order_id: int,
                     caregiver_id: int) -> WorkOrder:
    order = access.get_order(session, actor=actor, order_id=order_id)
    if access.is_provider(actor) and not access.require_caregiver(session, actor).is_manager:
        raise NotFound("No such order.")
    caregiver = session.get(Caregiver, caregiver_id)
    if caregiver is None or caregiver.provider_id != order.provider_id or not caregiver.active:
        raise NotFound("No such caregiver.")
    if order.status != OrderStatus.SCHEDULED:
        raise Conflict("Only a scheduled order can be assigned.")
    _check_free(session, caregiver.id, order.scheduled_start, order.scheduled_end, order.id)
    order.caregiver_id = caregiver.id
    service = session.get_one(ServiceItem, order.service_id)
    visit = visits.create_visit(session, order_kind="homecare", order_id=order.id,
                                worker_staff_id=caregiver.staff_id, retiree_id=order.retiree_id,
                                provider_id=order.provider_id, service_code=service.code,
                                price_cents=service.unit_price_cents,
                                min_minutes=service.min_minutes,
                                scheduled_start=order.scheduled_start)
    visit.worker_staff_id = caregiver.staff_id
    session.flush()
    return order


def visit_of(session: Session, order: WorkOrder) -> visits.Visit | None:
    return session.scalar(select(visits.Visit).where(visits.Visit.order_kind == "homecare",
                                                     visits.Visit.order_id == order.id))


def list_orders(session: Session, *, actor: Actor, day: date | None = None,
                limit: int = 200) -> Sequence[WorkOrder]:
    stmt = access.scoped_orders(session, actor).order_by(WorkOrder.scheduled_start).limit(limit)
    if day is not None:
        stmt = stmt.where(and_(WorkOrder.scheduled_start >= datetime(day.year, day.month,
                                                                     day.day)))
    return session.scalars(stmt).all()


def record_absence(session: Session, *, actor: Actor, retiree_id: int, starts_on: date,
                   ends_on: date | None, kind: str = "hospital") -> Absence:
    """The community records that the elder is away (hospital): visits then are anomalies."""
    get_retiree(session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES)
    absence = Absence(retiree_id=retiree_id, starts_on=starts_on, ends_on=ends_on,
                      kind=kind[:16], recorded_by=actor.staff_id or None)
    session.add(absence)
    session.flush()
    audit.record(session, actor=actor, action="homecare.absence", target_type="retiree",
                 target_id=retiree_id, details={"kind": kind})
    return absence
