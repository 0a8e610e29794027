"""The live tests' shared pieces: the system binaries (installed like CI installs Chromium),
a 20 s FFmpeg test stream, and a seeded city with a host, a session and two residents."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from lifecert.certification.access import issue_invitation
from lifecert.core.db import utcnow
from lifecert.core.roles import Role
from lifecert.live.models import AudienceKind
from lifecert.live.service import NewLiveSession, schedule_session
from tests.builders import actor_of, make_city, make_community, make_retiree, make_staff
from tests.system_packages import debian_binary

RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"


def engine_binaries() -> tuple[str, str]:
    """nginx with its RTMP module, and ffmpeg: found, or installed with apt-get (CI)."""
    nginx = debian_binary("nginx", "nginx", "libnginx-mod-rtmp")
    debian_binary("nginx", "nginx", "libnginx-mod-rtmp", path=RTMP_MODULE)
    return nginx, debian_binary("ffmpeg")


def push_command(rtmp_url: str, key: str, seconds: int = 20) -> list[str]:
    """A real-time test stream (picture + tone), 2 s keyframes like the OBS instructions ask."""
    return ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
            "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-t", str(seconds), "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
            "-pix_fmt", "yuv420p", "-g", "50", "-c:a", "aac", "-b:a", "64k",
            "-f", "flv", f"{rtmp_url}/{key}"]


def push(rtmp_url: str, key: str, seconds: int = 20) -> subprocess.Popen[bytes]:
    return subprocess.Popen(push_command(rtmp_url, key, seconds), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@dataclass
class City:
    live_id: int
    stream_key: str
    host_username: str
    viewer_link: str  # the resident of the audience community: an invitation (logs in)
    outsider_link: str  # a resident of another community
    viewer_id: int


def seed_city(session: Session) -> City:
    city = make_city(session)
    hall, other = make_community(session, city=city), make_community(session, city=city)
    host = make_staff(session, role=Role.COMMUNITY_WORKER, regions=[hall])
    viewer = make_retiree(session, community=hall, name="李桂兰")
    outsider = make_retiree(session, community=other, name="王建国")
    now = utcnow()
    live, key = schedule_session(session, actor=actor_of(host), data=NewLiveSession(
        title="社区音乐会", host_id=host.id, starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=1), audience_kind=AudienceKind.COMMUNITY,
        community_id=hall.id))
    return City(
        live_id=live.id, stream_key=key, host_username=host.username, viewer_id=viewer.id,
        viewer_link=f"/m/i/{issue_invitation(session, actor=None, retiree_id=viewer.id)}",
        outsider_link=f"/m/i/{issue_invitation(session, actor=None, retiree_id=outsider.id)}",
    )


def engine_env(work_dir: Path, *, app_port: int, rtmp_port: int, http_port: int,
               secret: str) -> dict[str, str]:
    """The server's settings: the app starts and supervises the engine, as in `make run`."""
    return {
        "LIFECERT_LIVE__ENGINE": "true",
        "LIFECERT_LIVE__WORK_DIR": str(work_dir),
        "LIFECERT_LIVE__RTMP_PORT": str(rtmp_port),
        "LIFECERT_LIVE__HTTP_PORT": str(http_port),
        "LIFECERT_LIVE__CALLBACK_URL": f"http://127.0.0.1:{app_port}",
        "LIFECERT_LIVE__SIGNING_SECRET": secret,
        "LIFECERT_LIVE__PLAY_URL_TTL_S": "120",
    }
