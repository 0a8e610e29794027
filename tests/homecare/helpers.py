"""Builders of home-care test data (fake face engine: same image, same face)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from lifecert.core.db import utcnow
from lifecert.core.roles import Role
from lifecert.homecare import orders, providers, visits
from lifecert.homecare.models import Caregiver, Provider, ProviderStatus, Visit, WorkOrder
from lifecert.organisation.models import Region
from lifecert.retirees.models import Retiree
from tests.builders import PASSWORD, actor_of, admin_actor, make_staff
from tests.certification.helpers import enrolled_retiree, frames_of, jpeg

HOME = (28.2282, 112.9388)  # Changsha


@dataclass
class Setup:
    provider: Provider
    caregiver: Caregiver
    manager: Caregiver
    elder: Retiree
    community: Region
    officer: object
    service_id: int


_n = iter(range(1, 10_000))
SEEDS: dict[int, int] = {}  # caregiver id -> the noise "face" enrolled for them


def make_provider(session: Session, *, regions: list[Region], name: str | None = None,
                  price: int = 5000, minutes: int = 0, code: str | None = None) -> tuple[
                      Provider, Caregiver, Caregiver, int]:
    n = next(_n)
    admin = admin_actor()
    provider = providers.create_provider(session, actor=admin, name=name or f"颐养服务{n}",
                                         licence_no=f"LIC{n}", region_ids=[r.id for r in regions])
    providers.decide_provider(session, actor=admin, provider_id=provider.id,
                              status=ProviderStatus.APPROVED)
    item = providers.set_service_item(session, actor=admin, code=code or f"clean{n}",
                                      name="助洁", unit_price_cents=price, min_minutes=minutes)
    manager = providers.add_caregiver(session, actor=admin, provider_id=provider.id,
                                      username=f"mgr{n}", password=PASSWORD, full_name="经理",
                                      is_manager=True)
    caregiver = providers.add_caregiver(session, actor=admin, provider_id=provider.id,
                                        username=f"care{n}", password=PASSWORD,
                                        full_name="护理员")
    providers.enroll_caregiver_face(session, actor=admin, caregiver_id=caregiver.id,
                                    image_bytes=jpeg(900 + n), consent=True)
    SEEDS[caregiver.id] = 900 + n
    return provider, caregiver, manager, item.id


def setup(session: Session, *, community: Region | None = None, elder_seed: int = 1) -> Setup:
    elder = enrolled_retiree(session, face_seed=elder_seed, community=community)
    community = elder.community
    provider, caregiver, manager, service_id = make_provider(session, regions=[community])
    visits.set_home_location(session, actor=admin_actor(), retiree_id=elder.id,
                             latitude=HOME[0], longitude=HOME[1])
    officer = make_staff(session, role=Role.BUREAU_OFFICER, regions=[community])
    return Setup(provider, caregiver, manager, elder, community, officer, service_id)


def order_for(session: Session, s: Setup, *, start: datetime | None = None,
              minutes: int = 60, caregiver: Caregiver | None = None) -> tuple[WorkOrder, Visit]:
    start = start or utcnow().replace(microsecond=0)
    plan = orders.set_plan(session, actor=admin_actor(), retiree_id=s.elder.id,
                           provider_id=s.provider.id, service_id=s.service_id,
                           visits_per_month=8, valid_from=date(2020, 1, 1),
                           valid_until=date(2030, 1, 1))
    order = orders.create_order(session, actor=admin_actor(), plan_id=plan.id, start=start,
                                end=start + timedelta(minutes=minutes),
                                caregiver_id=(caregiver or s.caregiver).id)
    visit = orders.visit_of(session, order)
    assert visit is not None
    return order, visit


def worker_actor(session: Session, caregiver: Caregiver):  # type: ignore[no-untyped-def]
    from lifecert.organisation.models import Staff

    return actor_of(session.get_one(Staff, caregiver.staff_id))


def prove(session: Session, s: Setup, visit: Visit, *, elder_seed: int = 1,
          where: tuple[float, float] = HOME, worker_seed: int | None = None,
          at: datetime | None = None, checkout_at: datetime | None = None,
          photos: tuple[bytes, ...] = ()) -> Visit:
    """Check in and out with the fake engine: the elder's face is ``elder_seed``."""
    actor = worker_actor(session, s.caregiver)
    visit = visits.issue_visit_challenge(session, actor=actor, visit_id=visit.id)
    seed = worker_seed if worker_seed is not None else SEEDS[s.caregiver.id]
    visits.check_in_visit(session, actor=actor, visit_id=visit.id,
                          position=visits.Position(*where, accuracy_m=15),
                          worker_frames=frames_of(seed), elder_frames=frames_of(elder_seed),
                          nonce=visit.challenge_nonce, at=at)
    return visits.check_out_visit(session, actor=actor, visit_id=visit.id,
                                  position=visits.Position(*where, accuracy_m=15),
                                  photos=photos, at=checkout_at)
