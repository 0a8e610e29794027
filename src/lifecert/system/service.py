"""Idempotent job bookkeeping and health checks."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from lifecert.system.models import JobRun


def run_once(
    session: Session, *, job_key: str, task_name: str, work: Callable[[], dict[str, object]]
) -> dict[str, object]:
    """Run ``work`` unless a job with this key already finished; return the recorded result.

    The JobRun row is written in the same transaction as the work, so a crash leaves neither.
    """
    done = session.scalar(select(JobRun).where(JobRun.job_key == job_key))
    if done is not None:
        return {**done.result, "skipped": True}
    result = work()
    session.add(JobRun(job_key=job_key, task_name=task_name, result=result))
    session.flush()
    return result


def database_ready(session: Session) -> bool:
    return session.execute(text("SELECT 1")).scalar() == 1
