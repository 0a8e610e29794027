"""The live domain without the engine: who may publish when, who may watch, signed URLs,
the recording's path check and the host's approval, the callbacks' token."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.core.db import utcnow
from lifecert.core.errors import InvalidInput, NotFound, PermissionDenied
from lifecert.core.hls import TranscodeError, transcode_to_hls
from lifecert.core.roles import Role
from lifecert.core.settings import get_settings
from lifecert.live import audience, service, signing
from lifecert.live.engine import EngineConfig, render_config, start_embedded
from lifecert.live.models import (
    AudienceKind,
    LiveAttendance,
    LiveSession,
    LiveStatus,
    RecordingStatus,
)
from lifecert.live.service import NewLiveSession
from tests.builders import (
    actor_of,
    login,
    make_city,
    make_community,
    make_retiree,
    make_staff,
)
from tests.system_packages import debian_binary

_CITIES = itertools.count(430100)


def _setup(session: Session, *, starts_in: timedelta = timedelta(minutes=-1),
           kind: AudienceKind = AudienceKind.COMMUNITY) -> dict:
    city = make_city(session, code=str(next(_CITIES)))
    hall, other = make_community(session, city=city), make_community(session, city=city)
    host = make_staff(session, role=Role.COMMUNITY_WORKER, regions=[hall])
    inside, outside = make_retiree(session, community=hall), make_retiree(session, community=other)
    start = utcnow() + starts_in
    live, key = service.schedule_session(session, actor=actor_of(host), data=NewLiveSession(
        title="健康讲座", host_id=host.id, starts_at=start, ends_at=start + timedelta(hours=1),
        audience_kind=kind, community_id=hall.id, audience_ref="academy_class:7",
        viewer_ids=(outside.id,) if kind == AudienceKind.LIST else ()))
    return {"live": live, "key": key, "host": host, "inside": inside, "outside": outside,
            "other": other}


def _secret(key: str) -> str:
    return key.split("?key=", 1)[1]


def test_only_the_key_hash_is_stored_and_only_it_publishes_within_the_window(
    session: Session,
) -> None:
    s = _setup(session)
    live: LiveSession = s["live"]
    assert s["key"].startswith(f"s{live.id}?key=") and _secret(s["key"]) not in live.stream_key_hash
    name = live.stream_name
    assert not service.authorise_publish(session, name=name, key="wrong")
    assert not service.authorise_publish(session, name=f"s{live.id + 1}", key=_secret(s["key"]))
    assert not service.authorise_publish(session, name="../etc", key=_secret(s["key"]))
    later = live.ends_at + timedelta(hours=1)
    assert not service.authorise_publish(session, name=name, key=_secret(s["key"]), now=later)
    assert live.status == LiveStatus.SCHEDULED
    assert service.authorise_publish(session, name=name, key=_secret(s["key"]))
    assert live.status == LiveStatus.LIVE
    service.publish_done(session, name=name)
    assert live.status == LiveStatus.ENDED
    # OBS reconnecting inside the window goes live again; after the window, never.
    assert service.authorise_publish(session, name=name, key=_secret(s["key"]))
    assert not service.authorise_publish(session, name=name, key=_secret(s["key"]), now=later)
    live.status = LiveStatus.CANCELLED
    assert not service.authorise_publish(session, name=name, key=_secret(s["key"]))


def test_a_new_key_replaces_the_old_one(session: Session) -> None:
    s = _setup(session)
    new = service.reset_stream_key(session, actor=actor_of(s["host"]), live_id=s["live"].id)
    name = s["live"].stream_name
    assert not service.authorise_publish(session, name=name, key=_secret(s["key"]))
    assert service.authorise_publish(session, name=name, key=_secret(new))


def test_too_early_is_refused(session: Session) -> None:
    s = _setup(session, starts_in=timedelta(hours=3))
    assert not service.authorise_publish(session, name=s["live"].stream_name,
                                         key=_secret(s["key"]))


def test_audience_community_list_and_class_hook(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audience, "_CLASS_CHECKS", [])  # the registry is global
    s = _setup(session)
    live = s["live"]
    assert audience.may_watch(session, live, s["inside"])
    assert not audience.may_watch(session, live, s["outside"])
    listed = _setup(session, kind=AudienceKind.LIST)
    assert audience.may_watch(session, listed["live"], listed["outside"])
    assert not audience.may_watch(session, listed["live"], listed["inside"])
    klass = _setup(session, kind=AudienceKind.CLASS)
    assert not audience.may_watch(session, klass["live"], klass["inside"])  # closed by default
    student = klass["inside"].id
    audience.register_class_audience(lambda _s, ref, rid: ref == "academy_class:7" and
                                     rid == student)
    assert audience.may_watch(session, klass["live"], klass["inside"])
    assert not audience.may_watch(session, klass["live"], klass["outside"])


def test_play_urls_are_signed_per_viewer_and_count_attendance(session: Session) -> None:
    s = _setup(session)
    live, viewer = s["live"], s["inside"]
    with pytest.raises(InvalidInput):
        service.play_url(session, retiree=viewer, live_id=live.id)  # not live yet
    with pytest.raises(NotFound):
        service.play_url(session, retiree=s["outside"], live_id=live.id)
    assert service.authorise_publish(session, name=live.stream_name, key=_secret(s["key"]))
    first = service.play_url(session, retiree=viewer, live_id=live.id)
    service.play_url(session, retiree=viewer, live_id=live.id)
    prefix = service.public_hls_url() + "/hls/"
    sig, expires, who, stream, file = first.url.removeprefix(prefix).split("/")
    assert (who, stream, file) == (f"r{viewer.id}", live.stream_name, "index.m3u8")
    secret = signing.signing_secret(get_settings())
    assert sig == signing.signature(secret, expires=int(expires), viewer=who, stream=stream)
    row = session.scalars(select(LiveAttendance)).one()
    assert (row.retiree_id, row.renewals, row.on_demand) == (viewer.id, 1, False)
    assert service.viewer_count(session, live) == (1, 1)


def test_recording_path_must_be_the_engines_and_approval_is_the_hosts(
    session: Session, tmp_path: Path
) -> None:
    s = _setup(session)
    live = s["live"]
    recordings = get_settings().data_dir / "live" / "recordings"
    service.record_done(session, name=live.stream_name, path="/etc/passwd")
    service.record_done(session, name=live.stream_name, path=str(recordings / "s999-1.flv"))
    assert live.recording_status == RecordingStatus.NONE
    live.recording_status = RecordingStatus.CONVERTED  # as the job leaves it
    live.vod_path = "master.m3u8"
    stranger = make_staff(session, role=Role.PLATFORM_ADMIN)  # an admin sees every session
    other_worker = make_staff(session, role=Role.COMMUNITY_WORKER, regions=[s["other"]])
    with pytest.raises(NotFound):
        service.approve_recording(session, actor=actor_of(other_worker), live_id=live.id)
    service.approve_recording(session, actor=actor_of(s["host"]), live_id=live.id)
    assert live.recording_status == RecordingStatus.PUBLISHED
    on_demand = service.play_url(session, retiree=s["inside"], live_id=live.id)
    assert on_demand.on_demand and "/vod/" in on_demand.url and on_demand.url.endswith(
        f"/{live.stream_name}/master.m3u8")
    assert service.get_for_staff(session, actor=actor_of(stranger), live_id=live.id) is live


def test_only_hosting_roles_schedule(session: Session) -> None:
    city = make_city(session)
    hall = make_community(session, city=city)
    provider = make_staff(session, role=Role.PROVIDER_STAFF, regions=[hall])
    start = utcnow()
    with pytest.raises(PermissionDenied):
        service.schedule_session(session, actor=actor_of(provider), data=NewLiveSession(
            title="卖保健品", host_id=provider.id, starts_at=start,
            ends_at=start + timedelta(hours=1), audience_kind=AudienceKind.COMMUNITY,
            community_id=hall.id))


def test_callbacks_need_the_engines_token(client: TestClient) -> None:
    answer = client.post("/internal/live/on_publish?token=nope", data={"name": "s1", "key": "x"})
    assert answer.status_code == 403
    token = signing.callback_token(get_settings())
    answer = client.post(f"/internal/live/on_publish?token={token}",
                         data={"name": "s1", "key": "x"})
    assert answer.status_code == 403  # no such session: refused, not an error
    assert client.post(f"/internal/live/on_publish_done?token={token}",
                       data={"name": "s1"}).status_code == 200


def test_engine_config_has_callbacks_signed_locations_and_recording(tmp_path: Path) -> None:
    cfg = EngineConfig(work_dir=tmp_path, rtmp_port=19350, http_port=18089,
                       callback_url="http://app:8000", callback_token="t0k",
                       signing_secret="s3cret")
    conf = render_config(cfg)
    assert "listen 127.0.0.1:19350;" in conf and "listen 127.0.0.1:18089;" in conf
    assert "on_publish http://app:8000/internal/live/on_publish?token=t0k;" in conf
    assert "deny play all;" in conf and "record all;" in conf and f"hls_path {tmp_path}/hls" in conf
    assert conf.count('secure_link_md5 "$exp $viewer $stream s3cret"') == 2
    assert "daemon off;" in conf and f"pid {tmp_path}/tmp/nginx.pid" in conf


def test_transcode_says_what_went_wrong(tmp_path: Path) -> None:
    with pytest.raises(TranscodeError, match="No such file"):
        transcode_to_hls(tmp_path / "missing.flv", tmp_path / "out")
    broken = tmp_path / "broken.flv"
    broken.write_bytes(b"FLV not really")
    debian_binary("ffmpeg")
    with pytest.raises(TranscodeError, match="Not a video FFmpeg can read"):
        transcode_to_hls(broken, tmp_path / "out")


def test_without_nginx_the_app_says_so_and_runs_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = get_settings().model_copy(deep=True)
    settings.live.engine = True
    settings.live.nginx_binary = "nginx-that-is-not-installed"
    settings.live.work_dir = tmp_path
    assert start_embedded(settings) is None
    assert "Live streaming is off: nginx-that-is-not-installed not found" in capsys.readouterr().out
    settings.live.engine = False
    assert start_embedded(settings) is None  # off unless asked (serve --demo asks)


def test_a_worker_schedules_from_the_page_and_sees_the_key_once(
    session: Session, client: TestClient
) -> None:
    city = make_city(session, code=str(next(_CITIES)))
    hall = make_community(session, city=city)
    worker = make_staff(session, role=Role.COMMUNITY_WORKER, regions=[hall])
    csrf = login(client, worker.username)
    page = client.get("/live")
    assert hall.name in page.text
    answer = client.post("/live", data={"csrf": csrf, "title": "重阳节联欢会",
                                        "community_id": hall.id, "starts_at": "2026-12-24T19:00",
                                        "minutes": 90})
    assert answer.status_code == 200 and 'id="stream-key"' in answer.text
    live = session.scalars(select(LiveSession).where(LiveSession.title == "重阳节联欢会")).one()
    key = answer.text.split('id="stream-key">', 1)[1].split("<", 1)[0]
    assert key.startswith(f"s{live.id}?key=") and signing.secret_matches(
        key.split("=", 1)[1], live.stream_key_hash)
    assert live.host_id == worker.id and (live.ends_at - live.starts_at) == timedelta(minutes=90)
    assert 'id="stream-key"' not in client.get(f"/live/{live.id}").text
    bad = client.post("/live", data={"csrf": csrf, "title": "x", "community_id": hall.id,
                                     "starts_at": "tomorrow", "minutes": 60})
    assert bad.status_code == 422
