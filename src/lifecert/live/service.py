"""Live sessions: scheduling with a stream key, the engine's callbacks (who may publish, stream
ended, recording written), signed play URLs with attendance, the recording's way to an
on-demand lesson. Services never commit; requests and jobs do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.core.db import utcnow
from lifecert.core.errors import InvalidInput, NotFound, PermissionDenied
from lifecert.core.i18n import N_
from lifecert.core.queue import enqueue_after_commit
from lifecert.core.roles import Role
from lifecert.core.scoping import Actor
from lifecert.core.settings import get_settings
from lifecert.live import signing
from lifecert.live.audience import may_watch
from lifecert.live.engine import live_work_dir
from lifecert.live.models import (
    AudienceKind,
    LiveAttendance,
    LiveSession,
    LiveStatus,
    LiveViewer,
    RecordingStatus,
)
from lifecert.organisation.models import Region, Staff
from lifecert.retirees.models import Retiree

HOST_ROLES = (Role.PLATFORM_ADMIN, Role.COMMUNITY_WORKER, Role.ACADEMY_STAFF, Role.BUREAU_OFFICER)


@dataclass(frozen=True)
class NewLiveSession:
    title: str
    host_id: int
    starts_at: datetime
    ends_at: datetime
    audience_kind: AudienceKind
    community_id: int | None = None
    audience_ref: str = ""
    description: str = ""
    event_id: int | None = None
    viewer_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class PlayUrl:
    url: str
    expires: int  # Unix seconds
    on_demand: bool


def _check_new(session: Session, actor: Actor, data: NewLiveSession) -> Region | None:
    if not data.title.strip():
        raise InvalidInput(N_("Give the session a title."), fields={"title": "required"})
    if data.ends_at <= data.starts_at:
        raise InvalidInput(N_("The end must be after the start."), fields={"ends_at": "order"})
    host = session.get(Staff, data.host_id)
    if host is None or not host.is_active or host.role not in HOST_ROLES:
        raise InvalidInput(N_("Choose an active staff member as the host."),
                           fields={"host_id": "invalid"})
    community = session.get(Region, data.community_id) if data.community_id else None
    if data.audience_kind == AudienceKind.COMMUNITY and community is None:
        raise InvalidInput(N_("Choose the community whose residents may watch."),
                           fields={"community_id": "required"})
    if data.audience_kind == AudienceKind.CLASS and not data.audience_ref:
        raise InvalidInput(N_("Choose the class whose students may watch."),
                           fields={"audience_ref": "required"})
    if community is not None and not actor.covers_path(community.path):
        raise NotFound(N_("No such record."))
    if community is None and actor.role != Role.PLATFORM_ADMIN and data.host_id != actor.staff_id:
        raise PermissionDenied(N_("Your role may not do this."))
    return community


def schedule_session(
    session: Session, *, actor: Actor, data: NewLiveSession
) -> tuple[LiveSession, str]:
    """A new scheduled session and its stream key (shown to the host; only its hash is kept)."""
    if actor.role not in HOST_ROLES:
        raise PermissionDenied(N_("Your role may not do this."))
    _check_new(session, actor, data)
    secret = signing.new_stream_secret()
    live = LiveSession(
        title=data.title.strip()[:200], description=data.description, host_id=data.host_id,
        starts_at=data.starts_at, ends_at=data.ends_at, audience_kind=data.audience_kind,
        community_id=data.community_id, audience_ref=data.audience_ref, event_id=data.event_id,
        stream_key_hash=signing.hash_secret(secret),
    )
    session.add(live)
    session.flush()
    for retiree_id in sorted(set(data.viewer_ids)):
        session.add(LiveViewer(session_id=live.id, retiree_id=retiree_id))
    audit.record(session, actor=actor, action="live.schedule", target_type="live_session",
                 target_id=live.id, details={"host_id": data.host_id,
                                             "audience": data.audience_kind.value})
    return live, signing.stream_key(live.stream_name, secret)


def get_for_staff(session: Session, *, actor: Actor, live_id: int) -> LiveSession:
    """The host, an admin, or staff whose regions cover the session's community."""
    live = session.get(LiveSession, live_id)
    if live is None:
        raise NotFound(N_("No such record."))
    if actor.role == Role.PLATFORM_ADMIN or live.host_id == actor.staff_id:
        return live
    community = session.get(Region, live.community_id) if live.community_id else None
    if community is None or not actor.covers_path(community.path):
        raise NotFound(N_("No such record."))
    return live


def reset_stream_key(session: Session, *, actor: Actor, live_id: int) -> str:
    live = get_for_staff(session, actor=actor, live_id=live_id)
    secret = signing.new_stream_secret()
    live.stream_key_hash = signing.hash_secret(secret)
    audit.record(session, actor=actor, action="live.reset_key", target_type="live_session",
                 target_id=live.id)
    return signing.stream_key(live.stream_name, secret)


def sessions_for_staff(session: Session, *, actor: Actor) -> list[LiveSession]:
    query = select(LiveSession).order_by(LiveSession.starts_at.desc()).limit(100)
    if actor.role != Role.PLATFORM_ADMIN:
        query = query.where(LiveSession.host_id == actor.staff_id)
    return list(session.scalars(query))


def _by_stream_name(session: Session, name: str) -> LiveSession | None:
    if not (name.startswith("s") and name[1:].isdigit() and len(name) < 19):
        return None
    return session.get(LiveSession, int(name[1:]))


def publish_window(live: LiveSession) -> tuple[datetime, datetime]:
    margin = timedelta(seconds=get_settings().live.publish_margin_s)
    return live.starts_at - margin, live.ends_at + margin


def authorise_publish(
    session: Session, *, name: str, key: str, now: datetime | None = None
) -> bool:
    """The engine's on_publish: the scheduled session's key, within its window, not cancelled.
    An ended session may go live again inside its window (OBS reconnecting after the host's
    network dropped). Every answer is audited (a refused key may be someone trying keys)."""
    now = now or utcnow()
    live = _by_stream_name(session, name)
    allowed = False
    if live is not None and signing.secret_matches(key, live.stream_key_hash):
        opens, closes = publish_window(live)
        allowed = live.status != LiveStatus.CANCELLED and opens <= now <= closes
    if allowed and live is not None:
        live.status = LiveStatus.LIVE
        live.went_live_at = live.went_live_at or now
    audit.record(session, actor=None, action="live.publish_allowed" if allowed else
                 "live.publish_refused", target_type="live_session",
                 target_id=live.id if live else name[:64])
    return allowed


def publish_done(session: Session, *, name: str) -> None:
    live = _by_stream_name(session, name)
    if live is not None and live.status == LiveStatus.LIVE:
        live.status = LiveStatus.ENDED
        live.ended_at = utcnow()


def record_done(session: Session, *, name: str, path: str) -> None:
    """The engine closed a recording: keep its path and convert it in a job. Only files in the
    engine's own recordings folder are accepted (the path comes over HTTP)."""
    live = _by_stream_name(session, name)
    recordings = (live_work_dir(get_settings()) / "recordings").resolve()
    file = Path(path).resolve()
    if live is None or file.parent != recordings or not file.name.startswith(f"{name}-"):
        return
    if live.recording_status == RecordingStatus.PUBLISHED:
        return  # a published lesson is not replaced by a later part (kept on disk, though)
    live.recording_path = str(file)
    live.recording_status = RecordingStatus.RECORDED
    enqueue_after_commit(session, "live.convert_recording", live_id=live.id)


def convert_recording(session: Session, *, live_id: int) -> RecordingStatus:
    """The job: FLV recording -> HLS (several renditions) under ``vod/s<id>/``. Idempotent."""
    from lifecert.core.hls import TranscodeError, transcode_to_hls

    live = session.get(LiveSession, live_id)
    if live is None or live.recording_status != RecordingStatus.RECORDED:
        return live.recording_status if live else RecordingStatus.NONE
    settings = get_settings()
    out_dir = live_work_dir(settings) / "vod" / live.stream_name
    try:
        master = transcode_to_hls(Path(live.recording_path), out_dir,
                                  timeout_s=settings.live.transcode_timeout_s)
    except TranscodeError as exc:
        live.recording_status, live.recording_error = RecordingStatus.FAILED, str(exc)[:500]
        return live.recording_status
    live.vod_path = master.name
    live.recording_status = RecordingStatus.CONVERTED
    return live.recording_status


def approve_recording(session: Session, *, actor: Actor, live_id: int) -> LiveSession:
    """The host (or an admin) publishes the converted recording as an on-demand lesson."""
    live = get_for_staff(session, actor=actor, live_id=live_id)
    if actor.role != Role.PLATFORM_ADMIN and live.host_id != actor.staff_id:
        raise PermissionDenied(N_("Only the host may publish the recording."))
    if live.recording_status != RecordingStatus.CONVERTED:
        raise InvalidInput(N_("The recording is not ready to publish."))
    live.recording_status = RecordingStatus.PUBLISHED
    live.published_by, live.published_at = actor.staff_id, utcnow()
    audit.record(session, actor=actor, action="live.publish_recording",
                 target_type="live_session", target_id=live.id)
    return live


def _signed(live: LiveSession, viewer: str, *, on_demand: bool) -> PlayUrl:
    settings = get_settings()
    kind, file = ("vod", live.vod_path) if on_demand else ("hls", "index.m3u8")
    path, expires = signing.signed_path(
        signing.signing_secret(settings), kind=kind, viewer=viewer, stream=live.stream_name,
        file=file, ttl_s=settings.live.play_url_ttl_s,
    )
    return PlayUrl(url=public_hls_url() + path, expires=expires, on_demand=on_demand)


def public_hls_url() -> str:
    live = get_settings().live
    return (live.public_hls_url or f"http://127.0.0.1:{live.http_port}").rstrip("/")


def public_rtmp_url() -> str:
    live = get_settings().live
    return (live.public_rtmp_url or f"rtmp://127.0.0.1:{live.rtmp_port}/live").rstrip("/")


def get_for_retiree(session: Session, *, retiree: Retiree, live_id: int) -> LiveSession:
    live = session.get(LiveSession, live_id)
    if live is None or live.status == LiveStatus.CANCELLED or not may_watch(session, live, retiree):
        raise NotFound(N_("No such record."))
    return live


def play_url(session: Session, *, retiree: Retiree, live_id: int) -> PlayUrl:
    """A signed URL for this viewer: the live stream while it is live, the published recording
    after. Each call counts the viewer as present (the player renews before expiry)."""
    live = get_for_retiree(session, retiree=retiree, live_id=live_id)
    published = live.recording_status == RecordingStatus.PUBLISHED
    on_demand = published and live.status != LiveStatus.LIVE
    if live.status != LiveStatus.LIVE and not on_demand:
        raise InvalidInput(N_("This session is not live yet."))
    _count_attendance(session, live, retiree, on_demand=on_demand)
    return _signed(live, f"r{retiree.id}", on_demand=on_demand)


def host_preview_url(session: Session, *, actor: Actor, live_id: int) -> PlayUrl:
    live = get_for_staff(session, actor=actor, live_id=live_id)
    on_demand = live.status != LiveStatus.LIVE and bool(live.vod_path)
    return _signed(live, f"h{actor.staff_id}", on_demand=on_demand)


def _count_attendance(
    session: Session, live: LiveSession, retiree: Retiree, *, on_demand: bool
) -> None:
    row = session.scalar(select(LiveAttendance).where(
        LiveAttendance.session_id == live.id, LiveAttendance.retiree_id == retiree.id))
    if row is None:
        session.add(LiveAttendance(session_id=live.id, retiree_id=retiree.id, on_demand=on_demand))
        session.flush()
        return
    row.last_seen_at = utcnow()
    row.renewals += 1


def viewer_count(session: Session, live: LiveSession) -> tuple[int, int]:
    """(watching now, watched at all): now = renewed within one URL lifetime."""
    since = utcnow() - timedelta(seconds=get_settings().live.play_url_ttl_s)
    base = select(func.count()).select_from(LiveAttendance).where(
        LiveAttendance.session_id == live.id, LiveAttendance.on_demand.is_(False))
    now = session.scalar(base.where(LiveAttendance.last_seen_at >= since)) or 0
    return int(now), int(session.scalar(base) or 0)


def sessions_for_retiree(session: Session, *, retiree: Retiree) -> list[LiveSession]:
    """Upcoming, live and published sessions this resident may watch."""
    recent = utcnow() - timedelta(days=60)
    rows = session.scalars(
        select(LiveSession).where(LiveSession.ends_at >= recent,
                                  LiveSession.status != LiveStatus.CANCELLED)
        .order_by(LiveSession.starts_at).limit(200))
    return [live for live in rows if may_watch(session, live, retiree)]


def attendance_for_host(
    session: Session, *, actor: Actor, live_id: int
) -> list[tuple[str, LiveAttendance]]:
    """Who watched (one row per resident), with names: the host's online attendance list."""
    live = get_for_staff(session, actor=actor, live_id=live_id)
    rows = session.execute(
        select(Retiree.name, LiveAttendance).join(Retiree, Retiree.id == LiveAttendance.retiree_id)
        .where(LiveAttendance.session_id == live.id).order_by(LiveAttendance.joined_at).limit(500))
    return [(name, attendance) for name, attendance in rows]
