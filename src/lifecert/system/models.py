"""Bookkeeping for background jobs: one row per job id makes reruns idempotent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lifecert.core.db import Base, IdMixin, UTCDateTime, utcnow


class JobRun(IdMixin, Base):
    __tablename__ = "job_run"

    job_key: Mapped[str] = mapped_column(String(200), unique=True)
    task_name: Mapped[str] = mapped_column(String(100))
    result: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DemoClock(IdMixin, Base):
    """One row: how many days the demo clock runs ahead of the real date (embedded demo only)."""

    __tablename__ = "demo_clock"

    offset_days: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
