"""Deterministic demo data: a realistic city with its regions, retirees and staff of every role.

Each domain seeds its own part (``organisation.demo``, ``retirees.demo``, ``community.demo``,
``notifications.demo``); this module only assembles them, in order. The same generator scales
to a million retirees for benchmarks (rows are streamed in chunks).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.academy.demo import seed_demo_academy
from lifecert.certification.demo import seed_demo_certifications
from lifecert.community.demo import seed_demo_community
from lifecert.dashboards.history import add_certification_history
from lifecert.dashboards.rates import backfill_rates
from lifecert.fraud.demo import seed_demo_alerts
from lifecert.homecare.demo import seed_demo_homecare
from lifecert.life_signals.demo import seed_demo_life_signals
from lifecert.live.demo import seed_demo_live
from lifecert.marketplace.demo import seed_demo_marketplace
from lifecert.notifications.demo import seed_demo_notifications
from lifecert.organisation.demo import (
    DEMO_PASSWORD,
    DemoCity,
    DemoSize,
    build_regions,
    build_staff,
)
from lifecert.organisation.models import Region, Staff
from lifecert.partners.demo import seed_demo_partners, walkthrough_lines
from lifecert.retirees.demo import insert_retirees, retiree_rows, roster_csv_lines
from lifecert.retirees.models import CertState, Retiree, RetireeStatus
from lifecert.services.demo import seed_demo_services

__all__ = [
    "DEMO_PASSWORD",
    "DemoCity",
    "DemoSize",
    "build_demo",
    "build_regions",
    "build_staff",
    "demo_exists",
    "demo_phone_retiree",
    "insert_retirees",
    "retiree_rows",
    "roster_csv_lines",
    "walkthrough",
]


def demo_exists(session: Session) -> bool:
    return session.scalar(select(Region.id).where(Region.code == "430100")) is not None


def build_demo(
    session: Session,
    *,
    size: DemoSize,
    seed: int = 2026,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> DemoCity:
    demo = build_regions(session, size)
    build_staff(session, demo)
    rows = retiree_rows(demo.communities, size.retirees, seed, today or date.today())
    insert_retirees(session, rows, progress=progress)
    # Past decisions for the dashboards' monthly figures (set-based: seconds at 1M).
    add_certification_history(session, today=today or date.today())
    backfill_rates(session, today=today or date.today())
    seed_demo_community(session, demo, today=today or date.today(), seed=seed)
    seed_demo_notifications(session, demo, today=today or date.today())
    seed_demo_certifications(session, demo)
    seed_demo_alerts(session, demo)
    seed_demo_services(session, demo, today=today or date.today())
    seed_demo_life_signals(session, demo, today=today or date.today(), seed=seed)
    seed_demo_live(session)
    seed_demo_academy(session, demo, today=today or date.today())
    seed_demo_partners(session, demo)
    seed_demo_homecare(session, demo, today=today or date.today())
    seed_demo_marketplace(session, demo, today=today or date.today())
    return demo


def demo_phone_retiree(session: Session) -> Retiree | None:
    """The retiree whose phone link ``lifecert serve --demo`` prints: in the demo worker's first
    community, the first person certified now whose validity ends within 300 days (so moving
    the demo clock 400 days forward shows their payment suspended)."""
    worker = session.scalar(select(Staff).where(Staff.username == "worker"))
    if worker is None or not worker.regions:
        return None
    community = sorted(worker.regions, key=lambda r: r.code)[0]
    return session.scalar(
        select(Retiree)
        .where(
            Retiree.community_id == community.id,
            Retiree.status == RetireeStatus.ACTIVE,
            Retiree.cert_state == CertState.CERTIFIED,
            Retiree.valid_until < date.today() + timedelta(days=300),
        )
        .order_by(Retiree.id)
        .limit(1)
    )


def walkthrough(base: str, retiree: Retiree | None, phone_link: str) -> list[str]:
    """What to try, in order: printed by ``lifecert serve --demo`` (the README says the same)."""
    who = f"{retiree.name} (#{retiree.id}, {retiree.community.name})" if retiree else "-"
    return [
        f"1. Staff pages: {base}/login (password for every account: {DEMO_PASSWORD}).",
        "   worker: the community dashboard, who needs a visit, events, reminders.",
        "   bureau / district: the city or district dashboard, drill-down, exports.",
        "   admin: regions and alerts, and the demo clock.",
        "   provider: home care (orders, visits, KPIs); caregivers carer11, carer12 open a"
        " visit's phone page from there.",
        "   merchant: a marketplace merchant's offers and orders (worker/bureau: /market).",
        f"2. Demo retiree: {who}.",
        f"   Enroll your own face with the laptop camera: {base}/retirees/"
        f"{retiree.id if retiree else '<id>'}/enroll (as worker).",
        f"3. Phone link for that retiree (open it in a phone-sized window, or scan the QR code):"
        f" {phone_link}",
        "   Do the face check there; text messages of the dev SMS gateway: " + f"{base}/m/sms.",
        f"4. Demo clock: {base}/admin/demo-clock (as admin). Move it 400 days forward: the"
        " nightly cycle runs for every day passed (reminders, overdue, payment suspended).",
        "   Then the bureau dashboard shows the suspensions, and the phone link says that"
        " payment has stopped and how to restore it; certifying there resumes it.",
        f"5. Live: {base}/live (as worker): the concert's OBS server and a new stream key;"
        f" residents watch at {base}/m/live (the phone link above).",
        *walkthrough_lines(base),
        f"API docs: {base}/api/docs (ReDoc: {base}/api/redoc).",
    ]
