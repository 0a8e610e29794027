"""Background jobs of the marketplace."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from lifecert.core.db import session_scope


@shared_task(name="marketplace.pay_out")
def pay_out(day: str | None = None) -> dict[str, int]:
    """Daily: pay merchants for proven services whose cooling-off period is over; ``day`` (ISO)
    runs it as of a later date (the demo clock, tests). Idempotent."""
    from lifecert.marketplace.payouts import pay_out_due
    from lifecert.system.clock import scheduler_today

    with session_scope() as session:
        today = date.fromisoformat(day) if day else scheduler_today(session)
        return pay_out_due(session, today=today)
