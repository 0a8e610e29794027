"""The scheduler's notion of "today", in the region's time zone, and the demo clock.

In the embedded demo (``LIFECERT_DEMO__CLOCK=true``, inline queue, never production) a stored
offset moves "today" forward so a visitor sees reminders, overdue and suspension happen; the
cycle runs the same task code for every day passed. Everywhere else the offset is ignored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.core.db import utcnow
from lifecert.core.errors import InvalidInput, NotFound, PermissionDenied
from lifecert.core.roles import Role
from lifecert.core.scoping import Actor
from lifecert.core.settings import get_settings
from lifecert.system.models import DemoClock

MAX_ADVANCE_DAYS = 800


def local_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def local_now() -> datetime:
    return datetime.now(local_zone())


def demo_clock_enabled() -> bool:
    settings = get_settings()
    return settings.demo.clock and settings.queue.inline and settings.is_dev


def demo_offset(session: Session) -> int:
    if not demo_clock_enabled():
        return 0
    return session.scalar(select(DemoClock.offset_days).order_by(DemoClock.id).limit(1)) or 0


def scheduler_today(session: Session) -> date:
    """The cycle's today: the region's date, plus the demo clock's offset in the demo."""
    return local_now().date() + timedelta(days=demo_offset(session))


@dataclass(frozen=True)
class ClockMove:
    before: date
    after: date

    def days(self) -> list[date]:
        """Each day the clock passed, in order (the cycle runs once for each)."""
        span = (self.after - self.before).days
        return [self.before + timedelta(days=n) for n in range(1, span + 1)]


def advance_demo_clock(session: Session, *, actor: Actor, days: int) -> ClockMove:
    """Move the demo clock forward by ``days`` (platform admins, embedded demo only)."""
    if not demo_clock_enabled():
        raise NotFound("No such page.")
    if actor.role != Role.PLATFORM_ADMIN:
        raise PermissionDenied("Only a platform administrator may move the demo clock.")
    if not 1 <= days <= MAX_ADVANCE_DAYS:
        raise InvalidInput("Choose between 1 and 800 days.")
    before = scheduler_today(session)
    clock = session.scalar(select(DemoClock).order_by(DemoClock.id).limit(1))
    if clock is None:
        clock = DemoClock(offset_days=0)
        session.add(clock)
    clock.offset_days = (clock.offset_days or 0) + days
    clock.updated_at = utcnow()
    session.flush()
    record(
        session,
        actor=actor,
        action="demo.clock_advanced",
        target_type="demo_clock",
        target_id=clock.id,
        details={"days": days, "offset_days": clock.offset_days},
    )
    return ClockMove(before=before, after=before + timedelta(days=days))
