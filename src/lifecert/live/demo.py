"""Demo data for live streaming: a community concert the demo worker hosts, scheduled from the
hour `make run` builds the demo until 12 hours later, for the residents of the worker's first
community (the demo phone retiree lives there). The host page shows a new stream key on
request; OBS, or the FFmpeg line in docs/live.md, goes live with it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.core.db import utcnow
from lifecert.live.models import AudienceKind, LiveSession
from lifecert.live.service import NewLiveSession, schedule_session
from lifecert.organisation.models import Staff
from lifecert.organisation.service import actor_for

TITLE = "社区合唱团冬季音乐会（直播）"


def seed_demo_live(session: Session) -> LiveSession | None:
    worker = session.scalar(select(Staff).where(Staff.username == "worker"))
    if worker is None or not worker.regions:
        return None
    community = sorted(worker.regions, key=lambda r: r.code)[0]
    start = utcnow().replace(minute=0, second=0, microsecond=0)
    live, _key = schedule_session(session, actor=actor_for(worker), data=NewLiveSession(
        title=TITLE, host_id=worker.id, starts_at=start, ends_at=start + timedelta(hours=12),
        audience_kind=AudienceKind.COMMUNITY, community_id=community.id,
        description="社区合唱团为大家演唱经典老歌。在家也能看，免费观看。"))
    return live
