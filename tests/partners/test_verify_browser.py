"""The whole certification-as-a-service loop in a real browser: the example partner app and
LifeCert run as real uvicorn servers; headless Chromium, with a recorded face video as its
camera, goes from the partner app to LifeCert's face check and back; the partner app verifies
the signed result, and refuses it tampered or replayed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import cv2
import httpx
import pytest
from sqlalchemy.orm import Session

from lifecert.core.db import build_engine
from lifecert.core.faces import use_face_engine
from lifecert.core.settings import get_settings
from lifecert.enrollment import service as enrollment
from lifecert.enrollment.models import ConsentChannel, TemplateSource
from lifecert.face_engine import FaceEngine, FaceEngineConfig
from lifecert.face_engine.shared_data import default_data_dir
from lifecert.partners import keys, service
from lifecert.partners.models import PartnerScope
from lifecert.retirees.idnumber import build_id_number
from lifecert.retirees.service import NewRetiree, create_retiree
from tests.builders import admin_actor, make_city, make_community
from tests.partners.helpers import district_of
from tests.web.browser import (
    BROWSER_ARGS,
    chromium,
    free_port,
    migrated_sqlite,
    real_face_env,
    wait_healthy,
)
from tests.web.browser import wait_until as _wait_until
from tests.web.camera import camera_args, read_frames, write_y4m

VIDEO = default_data_dir() / "video" / "app_blink_left_smile.mp4"
ACTIONS = ["blink", "turn_left"]  # what this recording does, in order (its labels.csv)
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not VIDEO.exists(), reason=f"face videos not found at {VIDEO.parent}"),
]


@pytest.fixture(scope="module")
def camera(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("partner-media")
    frames, fps = read_frames(VIDEO)
    reference = folder / "reference.jpg"
    cv2.imwrite(str(reference), frames[len(frames) // 4])
    # The 4 s around the blink and the left turn loop within one check (see test_browser_flow).
    clip = frames[int(3.8 * fps): int(7.8 * fps)]
    return {"real": write_y4m(clip, fps, folder / "real.y4m"), "reference": reference}


def _seed(url: str, photo: bytes, return_url: str) -> dict[str, str]:
    engine = build_engine(url)
    use_face_engine(FaceEngine(FaceEngineConfig()))
    try:
        with Session(engine) as session:
            community = make_community(session, city=make_city(session))
            retiree = create_retiree(session, actor=admin_actor(), data=NewRetiree(
                id_number=build_id_number("430102", date(1948, 6, 1), 7), name="演示老人",
                community_id=community.id, phone="13800001111"))
            enrollment.record_consent(session, actor=admin_actor(), retiree_id=retiree.id,
                                      channel=ConsentChannel.COUNTER, given_by="演示老人")
            enrollment.enroll_photo(session, actor=admin_actor(), retiree_id=retiree.id,
                                    image_bytes=photo, source=TemplateSource.STAFF_CAPTURE)
            partner, secret = service.create_partner(session, actor=admin_actor(),
                                                     code="demo-bank", name="示例银行",
                                                     return_urls=return_url)
            keys.issue_key(session, actor=admin_actor(), partner=partner,
                           scopes=[PartnerScope.START_CERTIFICATION],
                           region_ids=[district_of(session, community).id])
            session.commit()
            return {"retiree_id": str(retiree.id), "secret": secret}
    finally:
        use_face_engine(None)
        engine.dispose()


def _start(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, env={**os.environ, **env}, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stdout.read().decode() if process.stdout else "exited")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


@pytest.fixture(scope="module")
def servers(camera: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[dict[str, str]]:
    url = migrated_sqlite(tmp_path_factory, "partner-verify")
    lifecert_port, partner_port = free_port(), free_port()
    lifecert, partner = f"http://127.0.0.1:{lifecert_port}", f"http://127.0.0.1:{partner_port}"
    seeded = _seed(url, camera["reference"].read_bytes(), f"{partner}/lifecert/return")
    face = FaceEngineConfig()
    lifecert_env = {
        "LIFECERT_DATABASE_URL": url, "LIFECERT_ENV": "test",
        "LIFECERT_DATA_DIR": str(get_settings().data_dir), "LIFECERT_QUEUE__INLINE": "true",
        "LIFECERT_CERTIFICATION__FIXED_ACTIONS": json.dumps(ACTIONS),
        **real_face_env(face.embedder)}
    partner_env = {"LIFECERT_URL": lifecert, "PARTNER_CODE": "demo-bank",
                   "SIGNING_SECRET": seeded["secret"], "PUBLIC_URL": partner}
    processes = [
        _start([sys.executable, "-m", "uvicorn", "lifecert.app:create_app", "--factory",
                "--host", "127.0.0.1", "--port", str(lifecert_port)], lifecert_env),
        _start([sys.executable, "-m", "uvicorn", "examples.partner_app.app:app",
                "--host", "127.0.0.1", "--port", str(partner_port)], partner_env),
    ]
    try:
        wait_healthy(lifecert, processes[0])
        _wait(f"{partner}/health", processes[1])
        yield {"lifecert": lifecert, "partner": partner, **seeded}
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def test_partner_app_round_trip_with_a_real_face(servers: dict[str, str],
                                                 camera: dict[str, Path]) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), headless=True,
                                             args=[*BROWSER_ARGS, *camera_args(camera["real"])])
        try:
            page = browser.new_page(locale="zh-CN")
            page.goto(f"{servers['partner']}/start?retiree_id={servers['retiree_id']}")
            page.wait_for_url(f"{servers['lifecert']}/m/home")
            page.get_by_text("开始刷脸认证").click()
            page.wait_for_url("**/m/check")
            _wait_until(page, "document.getElementById('preview').videoWidth > 0", timeout_s=20)
            page.click("#go")
            page.wait_for_url("**/m/result/**", timeout=120000)
            assert "已认证" in page.inner_text("main"), page.inner_text("main")
            page.get_by_text("已完成").click()
            page.wait_for_url(f"{servers['partner']}/lifecert/return?result=*")
            returned = page.url
            outcome = page.inner_text("#outcome")
        finally:
            browser.close()
    assert outcome == "certified"
    accepted = httpx.get(f"{servers['partner']}/accepted").json()
    assert [(a["outcome"], str(a["retiree_id"])) for a in accepted] == [
        ("certified", servers["retiree_id"])]
    result = parse_qs(urlsplit(returned).query)["result"][0]
    # The same result again: replayed, refused. Tampered: refused.
    again = httpx.get(f"{servers['partner']}/lifecert/return", params={"result": result})
    assert again.status_code == 400 and "replayed" in again.text
    head, _, mac = result.partition(".")
    forged_head = head[:-2] + ("AA" if head[-2:] != "AA" else "BB")
    tampered = httpx.get(f"{servers['partner']}/lifecert/return",
                         params={"result": f"{forged_head}.{mac}"})
    assert tampered.status_code == 400 and ("bad signature" in tampered.text
                                            or "malformed" in tampered.text)
