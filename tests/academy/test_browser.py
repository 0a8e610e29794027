"""The senior university in a real browser (headless Chromium, real faces, real FFmpeg).

The door tablet's camera is a recording from ``../shared/data/video``: the student enrolled
from that person's own frames is marked present; another person's recording (someone not on
the class roster) is matched to nobody. The match threshold is the engine's shipped one.

A teacher uploads a real clip through the class page; the job converts it to HLS (two
bitrates) and the lesson plays through the vendored hls.js (the media element reaches
``playing``), with the app's CSP on and no CDN.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import cv2
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.academy import attendance, enrolment
from lifecert.academy.models import Attendance, Enrolment, EnrolmentStatus, Lesson
from lifecert.core.db import build_engine, utcnow
from lifecert.core.faces import use_face_engine
from lifecert.core.settings import get_settings
from lifecert.enrollment import service as enrollment
from lifecert.enrollment.models import ConsentChannel, TemplateSource
from lifecert.face_engine import FaceEngine, FaceEngineConfig
from lifecert.face_engine.shared_data import default_data_dir
from tests.academy.helpers import make_world
from tests.builders import PASSWORD, admin_actor, make_city, make_community, make_retiree
from tests.system_packages import debian_binary
from tests.web.browser import (
    BROWSER_ARGS,
    chromium,
    migrated_sqlite,
    real_face_env,
    running_server,
    wait_until,
)
from tests.web.camera import camera_args, read_frames, write_y4m

VIDEOS = default_data_dir() / "video"
STUDENT = VIDEOS / "app_blink_left_smile.mp4"  # app_man: on the roster
CLASSMATES = [VIDEOS / "grid_lwbsza.mpg", VIDEOS / "grid_brbk7n.mpg"]  # on the roster too
STRANGER = VIDEOS / "grid_lbbc2a.mpg"  # grid_d, facing the camera: not on the roster
LESSON_CLIP = VIDEOS / "grid_lbax4n.mpg"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not STUDENT.exists(), reason=f"face videos not found at {VIDEOS}"),
]


def _frame(path: Path, at: float = 0.3) -> Any:
    frames, _fps = read_frames(path)
    return frames[int(len(frames) * at)]


@pytest.fixture(scope="module")
def cameras(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("door")
    out = {}
    for name, path in (("student", STUDENT), ("stranger", STRANGER)):
        frames, fps = read_frames(path)
        out[name] = write_y4m(frames, fps, folder / f"{name}.y4m")
    return out


def _enrol_face(session: Session, retiree_id: int, video: Path, folder: Path) -> None:
    picture = folder / f"{retiree_id}.jpg"
    cv2.imwrite(str(picture), _frame(video, 0.25))
    enrollment.record_consent(session, actor=admin_actor(), retiree_id=retiree_id,
                              channel=ConsentChannel.COUNTER, given_by="本人")
    enrollment.enroll_photo(session, actor=admin_actor(), retiree_id=retiree_id,
                            image_bytes=picture.read_bytes(), source=TemplateSource.STAFF_CAPTURE)


def _prepare(session: Session, folder: Path) -> dict[str, Any]:
    world = make_world(session, city=make_city(session), capacities=(10,))
    community = make_community(session, city=make_city(session, code="430900", name="益阳市"))
    people = [make_retiree(session, community=community, name=n)
              for n in ("甲学员", "乙学员", "丙学员")]
    for person in people:
        enrolment.apply(session, retiree=person, class_id=world.classes[0].id)
    enrolment.run_draw(session, actor=world.actor, term_id=world.term.id, seed="browser-seed")
    for row in session.scalars(select(Enrolment)):
        row.status = EnrolmentStatus.ACCEPTED
    for person, video in zip(people, [STUDENT, *CLASSMATES], strict=True):
        _enrol_face(session, person.id, video, folder)
    item = attendance.create_session(session, actor=world.teacher_actor,
                                     class_id=world.classes[0].id,
                                     starts_at=utcnow() - timedelta(minutes=5))
    return {"teacher": world.teacher.username, "session_id": item.id,
            "class_id": world.classes[0].id, "student_id": people[0].id}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    debian_binary("ffmpeg")
    url = migrated_sqlite(tmp_path_factory, "academy")
    engine = build_engine(url)
    face_engine = FaceEngine(FaceEngineConfig())
    use_face_engine(face_engine)
    try:
        with Session(engine) as session:
            data = _prepare(session, tmp_path_factory.mktemp("faces"))
            # The draw's notices would be delivered inline into the test process's own
            # database at commit; the server delivers its own, these are not needed here.
            session.info.pop("lifecert_pending_tasks", None)
            session.commit()
    finally:
        use_face_engine(None)
    env = {"LIFECERT_DATABASE_URL": url, "LIFECERT_ENV": "test",
           "LIFECERT_DATA_DIR": str(get_settings().data_dir), "LIFECERT_QUEUE__INLINE": "true",
           **real_face_env(face_engine.config.embedder)}
    try:
        with running_server(env) as base:
            yield {**data, "base": base, "engine": engine}
    finally:
        engine.dispose()


def _browser(playwright: Any, camera: Path | None = None) -> Any:
    args = [*BROWSER_ARGS, *(camera_args(camera) if camera else [])]
    return playwright.chromium.launch(executable_path=chromium(), headless=True, args=args)


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/academy")  # the senior university's landing page


def _door(server: dict[str, Any], camera: Path) -> str:
    """Tap "check in" until the server recognises someone or says nobody (a frame without a
    detectable face gets a "look at the screen" and another try)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = _browser(playwright, camera)
        try:
            page = browser.new_page(locale="zh-CN")
            _login(page, server["base"], server["teacher"])
            page.goto(f"{server['base']}/academy/sessions/{server['session_id']}/door")
            wait_until(page, "document.getElementById('door-camera').videoWidth > 0")
            for _ in range(6):
                page.click("#door-go")
                wait_until(page, "!document.getElementById('door-go').disabled", timeout_s=90)
                last = page.evaluate("document.getElementById('door').dataset.last")
                if last in ("matched", "unknown"):
                    return str(last) + " " + page.inner_text("#door-result")
                page.wait_for_timeout(700)
            return "no answer " + page.inner_text("#door-result")
        finally:
            browser.close()


def _marks(server: dict[str, Any]) -> list[tuple[int, str]]:
    with Session(server["engine"]) as session:
        return [(a.retiree_id, a.method.value) for a in session.scalars(select(Attendance))]


def test_stranger_at_the_door_is_matched_to_nobody(server: dict[str, Any],
                                                   cameras: dict[str, Path]) -> None:
    answer = _door(server, cameras["stranger"])
    assert answer.startswith("unknown"), answer
    assert _marks(server) == []


def test_student_at_the_door_is_marked_present(server: dict[str, Any],
                                               cameras: dict[str, Path]) -> None:
    answer = _door(server, cameras["student"])
    assert answer.startswith("matched") and "甲学员" in answer, answer
    assert _marks(server) == [(server["student_id"], "face")]


def test_uploaded_lesson_plays_as_hls(server: dict[str, Any]) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = _browser(playwright)
        try:
            page = browser.new_page(locale="zh-CN")
            _login(page, server["base"], server["teacher"])
            page.goto(f"{server['base']}/academy/classes/{server['class_id']}")
            page.fill("input[name=title]", "第一课")
            page.set_input_files("input[name=video]", str(LESSON_CLIP))
            page.click("form[enctype] button[type=submit]")
            page.wait_for_url("**/academy/lessons/*", timeout=180000)
            wait_until(page, "document.getElementById('lesson-player') !== null", timeout_s=10)
            master = page.evaluate("document.getElementById('lesson-player').dataset.src")
            page.evaluate("(() => { const v = document.getElementById('lesson-player');"
                          " v.muted = true; v.play(); })()")
            wait_until(page, "document.getElementById('lesson-player').dataset.state === "
                             "'playing'", timeout_s=60)
            playlist = page.request.get(server["base"] + master).text()
        finally:
            browser.close()
    assert playlist.count("#EXT-X-STREAM-INF") >= 2, playlist  # two bitrates
    with Session(server["engine"]) as session:
        lesson = session.scalars(select(Lesson)).one()
        assert lesson.status.value == "ready" and (lesson.duration_s or 0) > 1
    assert os.path.exists(get_settings().data_dir)
