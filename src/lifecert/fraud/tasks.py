"""Fraud jobs: the nightly duplicate-face sweep, the shared-contact rules, death imports."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from lifecert.core.db import session_scope
from lifecert.system.service import run_once


@shared_task(name="fraud.duplicate_sweep")
def duplicate_sweep(day: str | None = None) -> dict[str, object]:
    """Nightly: rebuild the face indexes and look for one face under two identities."""
    from lifecert.fraud.service import sweep_duplicates

    today = date.fromisoformat(day) if day else date.today()
    with session_scope() as session:
        return run_once(
            session,
            job_key=f"fraud.duplicate_sweep:{today.isoformat()}",
            task_name="fraud.duplicate_sweep",
            work=lambda: dict(sweep_duplicates(session)),
        )


@shared_task(name="fraud.shared_contact_rules")
def shared_contact_rules(day: str | None = None) -> dict[str, object]:
    """Nightly: several retirees sharing a phone number or a pension account."""
    from lifecert.fraud.rules import run_shared_contact_rules

    today = date.fromisoformat(day) if day else date.today()
    with session_scope() as session:
        return run_once(
            session,
            job_key=f"fraud.shared_contact_rules:{today.isoformat()}",
            task_name="fraud.shared_contact_rules",
            work=lambda: dict(run_shared_contact_rules(session)),
        )


@shared_task(name="fraud.behaviour_rules")
def behaviour_rules(day: str | None = None) -> dict[str, object]:
    """Nightly: helpers, devices and addresses certifying many elders, outlier workers,
    bursts and night-time assisted checks (alerts are deduplicated, so reruns add nothing)."""
    from lifecert.fraud.behaviour import run_behaviour_rules

    today = date.fromisoformat(day) if day else date.today()
    with session_scope() as session:
        return run_once(
            session,
            job_key=f"fraud.behaviour_rules:{today.isoformat()}",
            task_name="fraud.behaviour_rules",
            work=lambda: dict(run_behaviour_rules(session)),
        )


@shared_task(name="fraud.import_deaths")
def import_deaths(job_id: int) -> dict[str, object]:
    """Runs an uploaded death-registration import; safe to redeliver."""
    from lifecert.fraud.deaths import run_death_import

    with session_scope() as session:
        job = run_death_import(session, job_id=job_id)
        return {"status": job.status.value, "processed": job.processed, "rejected": job.rejected}
