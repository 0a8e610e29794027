"""The whole retiree flow in a real browser: headless Chromium with a recorded video as its
camera. A retiree enrolled from that person's own frames certifies with the real video; a
still image of the same face, fed as the camera, is refused.

Chromium comes from Debian (`apt-get install chromium`, done here when missing and allowed);
the test skips with a message where that is impossible or the face data is absent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import cv2
import pytest
from sqlalchemy.orm import Session

from lifecert.certification.access import issue_invitation
from lifecert.core.db import build_engine
from lifecert.core.faces import use_face_engine
from lifecert.core.settings import get_settings
from lifecert.enrollment import service as enrollment
from lifecert.enrollment.models import ConsentChannel, TemplateSource
from lifecert.face_engine import FaceEngine, FaceEngineConfig
from lifecert.face_engine.shared_data import default_data_dir
from lifecert.retirees.idnumber import build_id_number
from lifecert.retirees.service import NewRetiree, create_retiree
from tests.builders import admin_actor, make_city, make_community
from tests.web.browser import BROWSER_ARGS, migrated_sqlite, real_face_env, wait_until
from tests.web.browser import chromium as _chromium
from tests.web.browser import free_port as _free_port
from tests.web.browser import wait_healthy as _wait_healthy
from tests.web.camera import camera_args, read_frames, write_y4m

VIDEO = default_data_dir() / "video" / "app_blink_left_smile.mp4"
ACTIONS = ["blink", "turn_left"]  # what this recording does, in order (see its labels.csv)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not VIDEO.exists(), reason=f"face videos not found at {VIDEO.parent}"),
]


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("media")
    frames, fps = read_frames(VIDEO)
    reference = folder / "reference.jpg"
    cv2.imwrite(str(reference), frames[len(frames) // 4])
    # A still image of the same face, as a photo held up to the camera would look.
    still = [frames[len(frames) // 4]] * int(fps * 4)
    # Chromium loops the file from when the page opens the camera, so the test cannot know
    # where in the recording the check starts. The 4 s around the blink and the left turn
    # (3.8-7.8 s of the recording) loop several times within one check: the order always holds.
    clip = frames[int(3.8 * fps): int(7.8 * fps)]
    return {"real": write_y4m(clip, fps, folder / "real.y4m"),
            "still": write_y4m(still, fps, folder / "still.y4m"), "reference": reference}


@pytest.fixture(scope="module")
def server(
    media: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    url = migrated_sqlite(tmp_path_factory, "server")
    engine = build_engine(url)
    face_engine = FaceEngine(FaceEngineConfig())
    use_face_engine(face_engine)
    try:
        with Session(engine) as session:
            token = _enroll_demo_person(session, media["reference"].read_bytes())
            session.commit()
    finally:
        use_face_engine(None)
        engine.dispose()
    port = _free_port()
    env = {**os.environ, "LIFECERT_DATABASE_URL": url, "LIFECERT_ENV": "test",
           "LIFECERT_DATA_DIR": str(get_settings().data_dir),
           "LIFECERT_CERTIFICATION__FIXED_ACTIONS": json.dumps(ACTIONS),
           **real_face_env(face_engine.config.embedder)}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "lifecert.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process)
        yield {"base": base, "token": token, "db": url}
    finally:
        process.terminate()
        process.wait(timeout=30)


def _enroll_demo_person(session: Session, photo: bytes) -> str:
    community = make_community(session, city=make_city(session))
    number = build_id_number("430102", date(1948, 6, 1), 7)
    retiree = create_retiree(session, actor=admin_actor(), data=NewRetiree(
        id_number=number, name="演示老人", community_id=community.id, phone="13800001111"))
    enrollment.record_consent(session, actor=admin_actor(), retiree_id=retiree.id,
                              channel=ConsentChannel.COUNTER, given_by="演示老人")
    enrollment.enroll_photo(session, actor=admin_actor(), retiree_id=retiree.id,
                            image_bytes=photo, source=TemplateSource.STAFF_CAPTURE)
    return issue_invitation(session, actor=None, retiree_id=retiree.id)


def _run_check(server: dict[str, str], camera: Path) -> str:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_chromium(), headless=True,
            args=[*BROWSER_ARGS, *camera_args(camera)])
        try:
            page = browser.new_page(locale="zh-CN")
            page.goto(f"{server['base']}/m/i/{_fresh_link(server)}")
            page.get_by_text("开始刷脸认证").click()
            page.wait_for_url("**/m/check")
            wait_until(page, "document.getElementById('preview').videoWidth > 0", timeout_s=20)
            page.click("#go")
            page.wait_for_url("**/m/result/**", timeout=120000)
            return page.url + "\n" + page.inner_text("main")
        finally:
            browser.close()


def _fresh_link(server: dict[str, str]) -> str:
    """An invitation serves one check: each browser run gets its own."""
    from sqlalchemy import select

    from lifecert.retirees.models import Retiree

    engine = build_engine(server["db"])
    with Session(engine) as session:
        retiree_id = session.scalars(select(Retiree.id)).one()
        token = issue_invitation(session, actor=None, retiree_id=retiree_id)
        session.commit()
    engine.dispose()
    return token


def _last_evidence(server: dict[str, str]) -> str:
    from sqlalchemy import text as sql

    engine = build_engine(server["db"])
    with engine.connect() as conn:
        row = conn.execute(sql("SELECT outcome, reason, evidence, frame_keys FROM certification "
                               "ORDER BY id DESC LIMIT 1")).one()
    engine.dispose()
    return f"{row[0]} {row[1]} {row[2]}"


def test_real_video_certifies_in_the_browser(server: dict[str, str],
                                             media: dict[str, Path]) -> None:
    text = _run_check(server, media["real"])
    assert "已认证" in text and "有效期至" in text, text + _last_evidence(server)[:300]
    # Passive PAD ran on the uploaded frames and found them live (issue 10).
    evidence = _last_evidence(server)
    pad = json.loads(evidence[evidence.index("{"):])["pad"]
    assert pad["decision"] == "live" and pad["model_id"] == "pad-lbpcolour-v3", pad


def test_a_still_image_as_camera_is_refused(server: dict[str, str],
                                            media: dict[str, Path]) -> None:
    text = _run_check(server, media["still"])
    assert "再试一次" in text and "已认证" not in text, text
