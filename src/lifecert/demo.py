"""Deterministic demo data: a realistic city with its regions, retirees and staff of every role.

Each domain seeds its own part (``organisation.demo``, ``retirees.demo``, ``community.demo``,
``notifications.demo``); this module only assembles them, in order. The same generator scales
to a million retirees for benchmarks (rows are streamed in chunks).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.community.demo import seed_demo_community
from lifecert.dashboards.history import add_certification_history
from lifecert.dashboards.rates import backfill_rates
from lifecert.notifications.demo import seed_demo_notifications
from lifecert.organisation.demo import (
    DEMO_PASSWORD,
    DemoCity,
    DemoSize,
    build_regions,
    build_staff,
)
from lifecert.organisation.models import Region
from lifecert.retirees.demo import insert_retirees, retiree_rows, roster_csv_lines

__all__ = [
    "DEMO_PASSWORD",
    "DemoCity",
    "DemoSize",
    "build_demo",
    "build_regions",
    "build_staff",
    "demo_exists",
    "insert_retirees",
    "retiree_rows",
    "roster_csv_lines",
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
    return demo
