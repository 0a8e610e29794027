"""A caregiver proves visits on the phone page in headless Chromium, real faces as the fake camera
(two people from ../shared/data/video), GPS faked by the browser context. Chromium plays one
file per launch: the first launch films the caregiver (``grid_lwbsza``, the older woman of the
GRID clips) who checks their own face for each visit; the second films the elder
(``app_blink_left_smile``, app_man: blink then turn left) for the check-in with liveness and the
check-out. Four visits: a clean one becomes billable; the elder's face mismatched (the elder on
file is another person), GPS 2 km away, and the elder registered dead each raise an alert in the
fraud triage and are not billable.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import cv2
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.core.db import build_engine, utcnow
from lifecert.core.faces import use_face_engine
from lifecert.core.settings import get_settings
from lifecert.enrollment import service as enrollment
from lifecert.enrollment.models import ConsentChannel, TemplateSource
from lifecert.face_engine import FaceEngine, FaceEngineConfig
from lifecert.face_engine.shared_data import default_data_dir
from lifecert.fraud.models import Alert, AlertKind
from lifecert.homecare import orders, providers, visits
from lifecert.homecare.models import Anomaly, ProviderStatus, Visit
from lifecert.retirees.idnumber import build_id_number
from lifecert.retirees.models import Retiree, RetireeStatus
from lifecert.retirees.service import NewRetiree, create_retiree
from tests.builders import PASSWORD, admin_actor, make_city, make_community
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
ELDER_VIDEO = VIDEOS / "app_blink_left_smile.mp4"
CARER_VIDEO = VIDEOS / "grid_lwbsza.mpg"  # grid_older_woman
OTHER_PERSON = VIDEOS / "grid_bbaf2n.mpg"  # grid_a
ACTIONS = ["blink", "turn_left"]
HOME = {"latitude": 28.2282, "longitude": 112.9388, "accuracy": 12}
FAR = {"latitude": 28.2282 + 0.018, "longitude": 112.9388, "accuracy": 12}  # ~2 km north

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not ELDER_VIDEO.exists(), reason=f"face videos not found at {VIDEOS}"),
]


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("homecare-media")
    elder, fps = read_frames(ELDER_VIDEO)
    carer, carer_fps = read_frames(CARER_VIDEO)
    other, _ = read_frames(OTHER_PERSON)
    out = {"elder_ref": folder / "elder.jpg", "carer_ref": folder / "carer.jpg",
           "other_ref": folder / "other.jpg"}
    cv2.imwrite(str(out["elder_ref"]), elder[len(elder) // 4])
    cv2.imwrite(str(out["carer_ref"]), carer[len(carer) // 2])
    cv2.imwrite(str(out["other_ref"]), other[3 * len(other) // 4])  # facing the camera
    # The 4 s around the blink and the left turn loop (see tests/web/test_browser_flow.py).
    out["elder_cam"] = write_y4m(elder[int(3.8 * fps): int(7.8 * fps)], fps, folder / "e.y4m")
    out["carer_cam"] = write_y4m(carer, carer_fps, folder / "c.y4m")
    return out


def _elder(session: Session, community: object, name: str, photo: bytes, n: int) -> Retiree:
    retiree = create_retiree(session, actor=admin_actor(), data=NewRetiree(
        id_number=build_id_number("430102", date(1940, 1, n), n), name=name,
        community_id=community.id, phone="13800002222"))  # type: ignore[attr-defined]
    enrollment.record_consent(session, actor=admin_actor(), retiree_id=retiree.id,
                              channel=ConsentChannel.COUNTER, given_by=name)
    enrollment.enroll_photo(session, actor=admin_actor(), retiree_id=retiree.id,
                            image_bytes=photo, source=TemplateSource.STAFF_CAPTURE)
    visits.set_home_location(session, actor=admin_actor(), retiree_id=retiree.id,
                             latitude=HOME["latitude"], longitude=HOME["longitude"])
    return retiree


def _seed(session: Session, media: dict[str, Path]) -> dict[str, int]:
    admin = admin_actor()
    community = make_community(session, city=make_city(session))
    provider = providers.create_provider(session, actor=admin, name="颐康居家", licence_no="L1",
                                         region_ids=[community.id])
    providers.decide_provider(session, actor=admin, provider_id=provider.id,
                              status=ProviderStatus.APPROVED)
    # No minimum: a browser visit lasts seconds (the short-visit rule has its own test).
    item = providers.set_service_item(session, actor=admin, code="chat", name="陪伴",
                                      unit_price_cents=4000, min_minutes=0)
    carer = providers.add_caregiver(session, actor=admin, provider_id=provider.id,
                                    username="carer1", password=PASSWORD, full_name="李护理")
    providers.enroll_caregiver_face(session, actor=admin, caregiver_id=carer.id, consent=True,
                                    image_bytes=media["carer_ref"].read_bytes())
    elder = _elder(session, community, "王奶奶", media["elder_ref"].read_bytes(), 1)
    stranger = _elder(session, community, "赵奶奶", media["other_ref"].read_bytes(), 2)
    ids = {}
    start = utcnow().replace(microsecond=0)
    for i, (key, who) in enumerate((("clean", elder), ("mismatch", stranger), ("far", elder),
                                    ("dead", elder))):
        plan = orders.set_plan(session, actor=admin, retiree_id=who.id, provider_id=provider.id,
                               service_id=item.id, visits_per_month=8,
                               valid_from=date(2020, 1, 1), valid_until=date(2030, 1, 1))
        order = orders.create_order(session, actor=admin, plan_id=plan.id,
                                    start=start + timedelta(hours=i),
                                    end=start + timedelta(hours=i, minutes=50),
                                    caregiver_id=carer.id)
        visit = orders.visit_of(session, order)
        assert visit is not None
        ids[key] = visit.id
    ids["elder"] = elder.id
    return ids


@pytest.fixture(scope="module")
def server(media: dict[str, Path],
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    url = migrated_sqlite(tmp_path_factory, "homecare")
    engine = build_engine(url)
    face_engine = FaceEngine(FaceEngineConfig())
    use_face_engine(face_engine)
    try:
        with Session(engine) as session:
            ids = _seed(session, media)
            session.commit()
    finally:
        use_face_engine(None)
    env = {"LIFECERT_DATABASE_URL": url, "LIFECERT_ENV": "test",
           "LIFECERT_DATA_DIR": str(get_settings().data_dir), "LIFECERT_QUEUE__INLINE": "true",
           "LIFECERT_CERTIFICATION__FIXED_ACTIONS": json.dumps(ACTIONS),
           **real_face_env(face_engine.config.embedder)}
    try:
        with running_server(env) as base:
            yield {"base": base, "ids": ids, "engine": engine}
    finally:
        engine.dispose()


def _browser(playwright: object, camera: Path) -> object:
    return playwright.chromium.launch(  # type: ignore[attr-defined]
        executable_path=chromium(), headless=True, args=[*BROWSER_ARGS, *camera_args(camera)])


def _login(context: object, base: str) -> object:
    page = context.new_page()  # type: ignore[attr-defined]
    page.goto(f"{base}/login")
    page.fill("#username", "carer1")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/home")
    return page


def _settle(page: object, expression: str, timeout_s: float) -> None:
    """``wait_until`` across the page's own reload (the phone page reloads after each step)."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            wait_until(page, expression, timeout_s=max(0.5, deadline - time.monotonic()))
            return
        except Error:
            if time.monotonic() > deadline:
                raise TimeoutError(expression) from None
            time.sleep(0.3)


def _step(page: object, base: str, visit_id: int, button: str, until: str) -> None:
    page.goto(f"{base}/homecare/m/visits/{visit_id}")  # type: ignore[attr-defined]
    wait_until(page, "document.getElementById('preview') === null || "
                     "document.getElementById('preview').videoWidth > 0", timeout_s=20)
    page.click(f"#{button}")  # type: ignore[attr-defined]
    try:
        _settle(page, f"document.getElementById('visit') && {until}", 180)
    except TimeoutError as exc:
        said = page.evaluate(  # type: ignore[attr-defined]
            "(document.getElementById('instruction') || {}).textContent || ''")
        raise AssertionError(f"visit {visit_id} {button}: {said}") from exc


def _mark_dead(server: dict[str, object]) -> None:
    with Session(server["engine"]) as session:  # type: ignore[arg-type]
        elder = session.get_one(Retiree, server["ids"]["elder"])  # type: ignore[index]
        elder.status = RetireeStatus.DECEASED
        session.commit()


def test_caregiver_proves_visits_in_the_browser(server: dict[str, object],
                                                media: dict[str, Path]) -> None:
    from playwright.sync_api import sync_playwright

    base, ids = str(server["base"]), server["ids"]
    order = ["clean", "mismatch", "far", "dead"]
    with sync_playwright() as playwright:
        browser = _browser(playwright, media["carer_cam"])
        try:
            context = browser.new_context(locale="zh-CN")  # type: ignore[attr-defined]
            page = _login(context, base)
            for key in order:  # the caregiver's own face, once per visit
                _step(page, base, ids[key], "worker",  # type: ignore[index]
                      "document.getElementById('visit').dataset.worker === 'match'")
        finally:
            browser.close()  # type: ignore[attr-defined]
        browser = _browser(playwright, media["elder_cam"])
        try:
            context = browser.new_context(locale="zh-CN", geolocation=HOME,  # type: ignore[attr-defined]
                                          permissions=["geolocation"])
            page = _login(context, base)
            for key in order:
                context.set_geolocation(FAR if key == "far" else HOME)
                if key == "dead":
                    _mark_dead(server)
                _step(page, base, ids[key], "elder",  # type: ignore[index]
                      "document.getElementById('visit').dataset.status === 'checked_in'")
                _step(page, base, ids[key], "checkout",  # type: ignore[index]
                      "document.getElementById('visit').dataset.status === 'completed'")
        finally:
            browser.close()  # type: ignore[attr-defined]
    _check_outcomes(server)


def _check_outcomes(server: dict[str, object]) -> None:
    ids = server["ids"]
    with Session(server["engine"]) as session:  # type: ignore[arg-type]
        got = {}
        for key in ("clean", "mismatch", "far", "dead"):
            visit = session.get_one(Visit, ids[key])  # type: ignore[index]
            rules = set(session.scalars(select(Anomaly.rule).where(Anomaly.visit_id == visit.id)))
            alerts = {session.get_one(Alert, a).kind for a in session.scalars(
                select(Anomaly.alert_id).where(Anomaly.visit_id == visit.id))}
            got[key] = (visit.billable, visit.elder_verdict, rules, alerts)
        summary = json.dumps({k: [v[0], v[1], sorted(v[2])] for k, v in got.items()})
        assert got["clean"][:3] == (True, "match", set()), summary
        assert got["mismatch"][0] is False and "elder_face" in got["mismatch"][2], summary
        assert got["far"][0] is False and got["far"][2] == {"far_checkin"}, summary
        assert got["dead"][0] is False and got["dead"][2] == {"elder_unavailable"}, summary
        for key in ("mismatch", "far", "dead"):
            assert got[key][3] == {AlertKind.HOMECARE_VISIT}, summary
