"""Dashboard jobs: the daily month-end snapshot of the certification rate."""

from __future__ import annotations

from celery import shared_task

from lifecert.core.db import session_scope
from lifecert.dashboards.rates import take_rate_snapshot
from lifecert.dashboards.service import beijing_today


@shared_task(name="dashboards.snapshot_rates")
def snapshot_rates() -> dict[str, int]:
    """Late every evening (Beijing time): this month's rate row for every region. Rerunning it
    replaces the day's rows, so the last run of the month is the month-end figure."""
    with session_scope() as session:
        return {"regions": take_rate_snapshot(session, today=beijing_today())}
