"""Demo home care: three providers (the demo ``provider`` account manages the first), their
caregivers, the bureau's catalogue, care plans, a month of proven visits with a few anomalies,
and today's visits still to do, so the provider and bureau roles have real screens."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.core.roles import Role
from lifecert.core.scoping import Actor
from lifecert.homecare import orders, providers, rules
from lifecert.homecare.models import (
    Caregiver,
    ElderHome,
    ProviderStatus,
    VisitStatus,
)
from lifecert.organisation.demo import DEMO_PASSWORD, DemoCity
from lifecert.organisation.models import Region
from lifecert.retirees.models import Retiree, RetireeStatus
from lifecert.system.clock import local_zone

CATALOGUE = (("clean", "助洁", 4000, 60), ("bath", "助浴", 6000, 45),
             ("meal", "助餐送餐", 1500, 15), ("care", "居家护理", 8000, 60))
PROVIDERS = (("康乐居家养老服务中心", "provider"), ("福寿居家服务社", None),
             ("长青护理站", None))
CENTRE = (28.2282, 112.9388)
# One visit in N of the past month planted with a fault the rules must find.
FAULTS = {"far": 23, "mismatch": 29, "short": 31}


def _elders(session: Session, region: Region, n: int, skip: int) -> list[Retiree]:
    return list(session.scalars(
        select(Retiree).join(Region, Retiree.community_id == Region.id)
        .where(Region.path.startswith(region.path), Retiree.status == RetireeStatus.ACTIVE)
        .order_by(Retiree.id).offset(skip).limit(n)))


def seed_demo_homecare(session: Session, demo: DemoCity, *, today: date, seed: int = 19) -> None:
    rng = random.Random(seed)
    admin = Actor(0, "demo", Role.PLATFORM_ADMIN, ())
    items = [providers.set_service_item(session, actor=admin, code=c, name=n,
                                        unit_price_cents=p, min_minutes=m)
             for c, n, p, m in CATALOGUE]
    zone = local_zone()
    for k, (name, manager) in enumerate(PROVIDERS):
        region = demo.districts[k % len(demo.districts)]
        provider = providers.create_provider(session, actor=admin, name=name,
                                             licence_no=f"湘民养{2024000 + k}",
                                             region_ids=[region.id], phone="0731-8888000" + str(k))
        providers.decide_provider(session, actor=admin, provider_id=provider.id,
                                  status=ProviderStatus.APPROVED, rating=4.5 - k * 0.5)
        staff = demo.staff.get(manager) if manager else None
        if staff is not None:
            session.add(Caregiver(staff_id=staff.id, provider_id=provider.id, is_manager=True))
        carers = [providers.add_caregiver(session, actor=admin, provider_id=provider.id,
                                          username=f"carer{k + 1}{j + 1}",
                                          password=DEMO_PASSWORD, full_name=f"护理员{k + 1}-{j + 1}",
                                          certificate="养老护理员四级")
                  for j in range(2)]
        session.flush()
        elders = _elders(session, region, 6, 6 * k)  # providers sharing a district: others
        for elder in elders:
            session.add(ElderHome(retiree_id=elder.id, latitude=CENTRE[0] + rng.uniform(-.03, .03),
                                  longitude=CENTRE[1] + rng.uniform(-.03, .03)))
        plans = [orders.set_plan(session, actor=admin, retiree_id=e.id,
                                 provider_id=provider.id, service_id=items[i % 4].id,
                                 visits_per_month=8, valid_from=today - timedelta(days=60),
                                 valid_until=today + timedelta(days=300),
                                 assessment_level="二级", subsidy_level="全额",
                                 family_contact="子女 138****0000")
                 for i, e in enumerate(elders)]
        if not plans:
            continue
        for day in range(-28, 1):
            when = today + timedelta(days=day)
            for slot, carer in enumerate(carers):
                for hour in (9, 14):
                    plan = plans[(day + slot + hour) % len(plans)]
                    start = datetime.combine(when, time(hour + slot), zone)
                    order = orders.create_order(session, actor=admin, plan_id=plan.id,
                                                start=start, end=start + timedelta(minutes=90),
                                                caregiver_id=carer.id)
                    if day < 0:
                        _proven(session, order, start, rng)
    month = today.strftime("%Y-%m")
    rules.run_rules(session, month=(today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m"))
    rules.run_rules(session, month=month)


def _proven(session: Session, order: object, start: datetime, rng: random.Random) -> None:
    """A past visit with the evidence a phone would have sent (no real face work in a demo)."""
    visit = orders.visit_of(session, order)  # type: ignore[arg-type]
    if visit is None:
        return
    n = visit.id
    minutes = 8 if n % FAULTS["short"] == 0 else visit.min_minutes + rng.randrange(5, 30)
    visit.checkin_at = start + timedelta(minutes=rng.randrange(-5, 20))
    visit.visit_date = visit.checkin_at.astimezone(local_zone()).date()
    visit.checkout_at = visit.checkin_at + timedelta(minutes=minutes)
    visit.duration_s = minutes * 60
    visit.checkin_lat, visit.checkin_lon, visit.checkin_accuracy_m = CENTRE[0], CENTRE[1], 15.0
    visit.checkin_distance_m = 2100.0 if n % FAULTS["far"] == 0 else float(rng.randrange(5, 80))
    visit.worker_verdict = "match"
    visit.elder_verdict = "mismatch" if n % FAULTS["mismatch"] == 0 else "match"
    visit.rating = rng.choice((4, 5, 5, 5, 3))
    visit.status = VisitStatus.COMPLETED
