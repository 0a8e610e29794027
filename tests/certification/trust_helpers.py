"""HTTP helpers for the trust-rule tests: log in on the phone, run a face check, fix PAD."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from lifecert.core.faces import use_face_engine
from lifecert.core.sms import DevGateway, get_sms_gateway
from lifecert.face_engine import FaceEngine, FaceEngineConfig
from lifecert.face_engine.interfaces import TimedFrame
from lifecert.face_engine.pad.check import PadDecision, PadResult
from lifecert.face_engine.registry import register
from lifecert.retirees.models import Retiree
from lifecert.retirees.service import reveal_id_number
from tests.builders import admin_actor, csrf_of
from tests.certification.helpers import jpeg


def last_code() -> str:
    gateway = get_sms_gateway()
    assert isinstance(gateway, DevGateway)
    found = re.search(r"(\d{6})", gateway.sent[0].text)  # newest first
    assert found
    return found.group(1)


def id_number_of(session: Session, retiree: Retiree) -> str:
    return reveal_id_number(session, actor=admin_actor(), retiree_id=retiree.id)


def second_client(client: TestClient) -> TestClient:
    """Another browser on the same app (e.g. the officer's, beside the retiree's phone)."""
    return TestClient(client.app, raise_server_exceptions=False)


def phone_login(client: TestClient, session: Session, retiree: Retiree) -> str:
    """The retiree's own phone session (ID number + SMS code); returns the CSRF token."""
    number = id_number_of(session, retiree)
    start = client.get("/m")
    sent = client.post("/m/code", data={"id_number": number, "csrf": csrf_of(start.text)})
    assert sent.status_code == 200, sent.text
    home = client.post(
        "/m/login", data={"id_number": number, "code": last_code(), "csrf": csrf_of(sent.text)}
    )
    assert home.status_code == 200, home.text
    check = client.get("/m/check")  # refused without consent: the home page has the form
    return csrf_of(check.text if check.status_code == 200 else home.text)


def face_check(
    client: TestClient, csrf: str, *, face_seed: int, retiree_id: int | None = None
) -> Response:
    """Challenge then submit; returns the submit response (or the refused challenge)."""
    form = {"retiree_id": str(retiree_id)} if retiree_id else {}
    challenge = client.post("/api/v1/certify/challenge", data=form, headers={"X-CSRF-Token": csrf})
    if challenge.status_code != 200:
        return challenge
    frame = jpeg(face_seed)
    files = [("frames", (f"f{i}.jpg", frame, "image/jpeg")) for i in range(8)]
    return client.post(
        "/api/v1/certify/submit",
        headers={"X-CSRF-Token": csrf},
        files=files,
        data={
            "nonce": challenge.json()["nonce"],
            "times": json.dumps([i * 200 for i in range(8)]),
        },
    )


class FixedPad:
    def __init__(self, decision: PadDecision, score: float) -> None:
        self.name, self.decision, self.score = "fixed", decision, score

    def check(self, frames: Sequence[TimedFrame]) -> PadResult:
        return PadResult(
            decision=self.decision,
            model_id="test-pad-v1",
            reasons=("texture_attack",) if self.decision == "attack" else (),
            texture_score=self.score,
            frame_scores=((0, self.score),),
            frames_checked=len(frames),
            multi_face_fraction=0.0,
            rigid_agreement=None,
            rigid_pairs=0,
            moving_pairs=0,
            thresholds=(("review", 0.7), ("attack", 0.9)),
        )


def use_pad(decision: PadDecision, score: float) -> None:
    name = f"trust_{decision}"
    register("pad", name, lambda _c: FixedPad(decision, score), replace=True)
    use_face_engine(FaceEngine(replace(FaceEngineConfig.fake(), pad=name)))
