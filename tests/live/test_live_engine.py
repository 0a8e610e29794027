"""The real engine end to end: the app (uvicorn subprocess) starts and supervises nginx-rtmp; a
20 s FFmpeg stream with the session's key goes live and headless Chromium plays it through the
app's signed URL; a wrong key is refused by nginx at publish time; expired and foreign URLs get
403; the recording becomes an on-demand lesson (after the host's approval) that plays too.

The tests run in file order and share one server and one stream (20 s of real time)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.live import signing
from lifecert.live.models import LiveAttendance, LiveSession, LiveStatus, RecordingStatus
from tests.builders import login
from tests.live.helpers import City, engine_binaries, engine_env, push, seed_city
from tests.live_server import LiveServer, live_server
from tests.web.browser import BROWSER_ARGS, chromium, free_port, screenshot_dir, wait_until

pytestmark = pytest.mark.browser

SECRET = "test-live-signing-secret"
AXE = Path(__file__).parents[1] / "web" / "vendor" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    engine_binaries()
    folder = tmp_path_factory.mktemp("live")
    ports = {"app_port": free_port(), "rtmp_port": free_port(), "http_port": free_port()}
    env = engine_env(folder / "engine", secret=SECRET, **ports)
    with live_server("live", folder, seed_city, env=env, port=ports["app_port"]) as (server, city):
        yield {"server": server, "city": city, "rtmp": f"rtmp://127.0.0.1:{ports['rtmp_port']}"
               "/live", "hls": f"http://127.0.0.1:{ports['http_port']}",
               "work": folder / "engine"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium(), headless=True,
            args=[*BROWSER_ARGS, "--autoplay-policy=no-user-gesture-required"])
        try:
            yield launched
        finally:
            launched.close()


def _live(server: LiveServer, live_id: int) -> LiveSession:
    with Session(server.engine) as session:
        live = session.get(LiveSession, live_id)
        assert live is not None
        return live


def _play_in_browser(page: Any, base: str, live_id: int) -> dict[str, Any]:
    page.goto(f"{base}/m/live/{live_id}")
    page.click("#live-play")
    wait_until(page, "document.getElementById('live-video').dataset.state === 'playing'",
               timeout_s=40)
    wait_until(page, "document.getElementById('live-video').currentTime > 1", timeout_s=20)
    return dict(page.evaluate("fetch(location.pathname + '/play').then(r => r.json())"))


def _axe(page: Any) -> list[dict[str, Any]]:
    """Serious and critical accessibility violations (as tests/web/test_browser_phone.py)."""
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values:
            ['wcag2a', 'wcag2aa', 'wcag2aaa', 'wcag21a', 'wcag21aa', 'best-practice']}})"""
    )
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_the_app_started_the_engine_with_its_config(setup: dict[str, Any]) -> None:
    conf = (setup["work"] / "conf" / "nginx.conf").read_text()
    assert "on_publish http://127.0.0.1:" in conf and "secure_link_md5" in conf
    assert httpx.get(f"{setup['hls']}/ping", timeout=5).status_code == 200


def test_a_wrong_key_is_refused_by_the_engine_at_publish_time(setup: dict[str, Any]) -> None:
    city: City = setup["city"]
    name = city.stream_key.split("?", 1)[0]
    for key in (f"{name}?key=wrong-secret", f"{name}", "s999999?key=" + city.stream_key[-20:]):
        started = time.monotonic()
        process = push(setup["rtmp"], key, seconds=15)
        process.communicate(timeout=60)
        assert process.returncode != 0, key  # nginx dropped the publisher
        # Refused at publish: well before the 15 s the stream would last (a loaded CI machine
        # may take a few seconds to start FFmpeg).
        assert time.monotonic() - started < 10, "refused at publish, not after streaming"
    assert _live(setup["server"], city.live_id).status == LiveStatus.SCHEDULED


def test_viewer_plays_the_live_stream_through_a_signed_url(
    setup: dict[str, Any], browser: Any
) -> None:
    city: City = setup["city"]
    base = setup["server"].base
    stream = push(setup["rtmp"], city.stream_key, seconds=20)
    setup["stream"] = stream
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.goto(base + city.viewer_link)
    info = _play_in_browser(page, base, city.live_id)
    page.screenshot(path=str(screenshot_dir() / "live-viewer-390.png"))
    assert _axe(page) == []
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 20
    # A question over the websocket while the stream plays.
    page.fill("#live-question", "声音能大一点吗？")
    page.click("#live-ask")
    wait_until(page, "document.getElementById('live-answer').textContent.length > 0")
    assert page.inner_text("#live-answer") == "已发送，主播会看到。"
    assert _live(setup["server"], city.live_id).status == LiveStatus.LIVE
    url = info["url"]
    assert info["on_demand"] is False and url.startswith(setup["hls"] + "/hls/")
    assert "key" not in url and city.stream_key.split("=", 1)[1] not in url
    assert httpx.get(url, timeout=10).status_code == 200
    # Foreign: another viewer or another stream under the same signature.
    someone_else = url.replace(f"/r{city.viewer_id}/", f"/r{city.viewer_id + 1}/")
    assert httpx.get(someone_else, timeout=10).status_code == 403
    other = url.replace(f"/s{city.live_id}/", f"/s{city.live_id + 1}/")
    assert httpx.get(other, timeout=10).status_code == 403
    # Expired: correctly signed, one second in the past.
    expired, _ = signing.signed_path(SECRET, kind="hls", viewer=f"r{city.viewer_id}",
                                     stream=f"s{city.live_id}", file="index.m3u8", ttl_s=-1)
    assert httpx.get(setup["hls"] + expired, timeout=10).status_code == 403
    # A resident outside the audience gets no URL at all.
    page.goto(base + city.outsider_link)
    assert page.evaluate(f"fetch('/m/live/{city.live_id}/play').then(r => r.status)") == 404
    context.close()
    with Session(setup["server"].engine) as session:
        rows = session.scalars(select(LiveAttendance)).all()
        assert [(r.retiree_id, r.on_demand) for r in rows] == [(city.viewer_id, False)]


def test_the_recording_becomes_an_on_demand_lesson_that_plays(
    setup: dict[str, Any], browser: Any
) -> None:
    city: City = setup["city"]
    server: LiveServer = setup["server"]
    stream = setup.pop("stream")
    _out, err = stream.communicate(timeout=60)
    assert stream.returncode == 0, err.decode(errors="replace")[-500:]
    deadline = time.monotonic() + 120
    while _live(server, city.live_id).recording_status != RecordingStatus.CONVERTED:
        assert _live(server, city.live_id).recording_status != RecordingStatus.FAILED, \
            _live(server, city.live_id).recording_error
        assert time.monotonic() < deadline, "the recording was not converted"
        time.sleep(0.5)
    live = _live(server, city.live_id)
    assert live.status == LiveStatus.ENDED
    master = (setup["work"] / "vod" / f"s{city.live_id}" / "master.m3u8").read_text()
    assert master.count("#EXT-X-STREAM-INF") >= 2
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(server.base + city.viewer_link)
    # Not yet approved by the host: nothing to play.
    assert page.evaluate(f"fetch('/m/live/{city.live_id}/play').then(r => r.status)") == 422
    with server.client() as host:
        csrf = login(host, city.host_username)  # type: ignore[arg-type]
        answer = host.post(f"/live/{city.live_id}/publish-recording", data={"csrf": csrf},
                           follow_redirects=False)
        assert answer.status_code == 303, answer.text
    assert _live(server, city.live_id).recording_status == RecordingStatus.PUBLISHED
    info = _play_in_browser(page, server.base, city.live_id)
    assert info["on_demand"] is True and "/vod/" in info["url"]
    page.screenshot(path=str(screenshot_dir() / "live-on-demand-390.png"))
    context.close()
    for path in Path(setup["work"], "recordings").iterdir():
        assert path.name.startswith(f"s{city.live_id}-")
