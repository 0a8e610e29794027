"""Passive PAD as one signal of the certification decision (fake engine, PAD outcome chosen).

A confident attack is refused certification and goes to a person with the evidence; an
uncertain score goes to a person; neither stops the pension (REVIEW leaves it untouched).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.certification.models import Outcome, ReviewCase
from lifecert.core.faces import use_face_engine
from lifecert.core.roles import Role
from lifecert.face_engine import FaceEngine, FaceEngineConfig
from lifecert.face_engine.interfaces import TimedFrame
from lifecert.face_engine.pad.check import PadDecision, PadResult
from lifecert.face_engine.registry import register
from lifecert.retirees.models import CertState
from tests.builders import login, make_staff
from tests.certification.helpers import certify, enrolled_retiree

THRESHOLDS = (("review", 0.7), ("attack", 0.9))


class FixedPad:
    """A PAD backend that finds what the test says, with plausible evidence."""

    def __init__(self, decision: PadDecision, score: float, reasons: tuple[str, ...]) -> None:
        self.name, self.decision, self.score, self.reasons = "fixed", decision, score, reasons

    def check(self, frames: Sequence[TimedFrame]) -> PadResult:
        return PadResult(
            decision=self.decision,
            model_id="test-pad-v1",
            reasons=self.reasons,
            texture_score=self.score,
            frame_scores=((0, self.score / 2), (len(frames) - 1, self.score)),
            frames_checked=len(frames),
            multi_face_fraction=0.0,
            rigid_agreement=None,
            rigid_pairs=0,
            moving_pairs=0,
            thresholds=THRESHOLDS,
        )


def _use_pad(decision: PadDecision, score: float, reasons: tuple[str, ...]) -> None:
    name = f"fixed_{decision}"
    register("pad", name, lambda _c: FixedPad(decision, score, reasons), replace=True)
    use_face_engine(FaceEngine(replace(FaceEngineConfig.fake(), pad=name)))


@pytest.fixture(autouse=True)
def _restore_engine() -> Iterator[None]:
    yield
    use_face_engine(None)


def test_confident_attack_is_refused_and_sent_to_review_with_evidence(session: Session) -> None:
    retiree = enrolled_retiree(session, face_seed=1)
    _use_pad("attack", 0.97, ("texture_attack",))
    result = certify(session, retiree, face_seed=1, today=date(2026, 11, 26))
    # The face matches and liveness passes, yet PAD's confident attack blocks certification.
    assert result.evidence["matching"]["deciding_template"]["decision"] == "accept"
    assert (result.outcome, result.reason) == (Outcome.REVIEW, "presentation_attack")
    assert result.valid_until is None
    pad = result.evidence["pad"]
    assert pad["decision"] == "attack" and pad["model_id"] == "test-pad-v1"
    assert pad["texture_score"] == 0.97 and pad["thresholds"] == dict(THRESHOLDS)
    assert pad["reasons"] == ["texture_attack"]
    case = session.scalars(select(ReviewCase).where(ReviewCase.certification_id == result.id)).one()
    assert case.summary.startswith("presentation_attack alert #")  # the fraud case it opened
    # The person goes to review, never suspended by PAD alone.
    assert retiree.cert_state == CertState.UNDER_REVIEW


def test_uncertain_pad_sends_an_otherwise_accepted_check_to_review(session: Session) -> None:
    retiree = enrolled_retiree(session, face_seed=1)
    _use_pad("uncertain", 0.8, ("texture_uncertain",))
    result = certify(session, retiree, face_seed=1)
    assert (result.outcome, result.reason) == (Outcome.REVIEW, "pad_uncertain")
    assert result.evidence["pad"]["decision"] == "uncertain"
    assert session.scalars(select(ReviewCase.summary)).all() == ["pad_uncertain"]
    assert retiree.cert_state == CertState.UNDER_REVIEW


def test_uncertain_pad_does_not_hide_a_face_mismatch(session: Session) -> None:
    retiree = enrolled_retiree(session, face_seed=1)
    _use_pad("uncertain", 0.8, ("texture_uncertain",))
    result = certify(session, retiree, face_seed=99)
    assert (result.outcome, result.reason) == (Outcome.RETRY, "face_mismatch")


def test_live_pad_lets_a_matching_face_certify(session: Session) -> None:
    retiree = enrolled_retiree(session, face_seed=1)
    _use_pad("live", 0.05, ())
    result = certify(session, retiree, face_seed=1)
    assert (result.outcome, result.reason) == (Outcome.CERTIFIED, "match")
    assert result.evidence["pad"]["decision"] == "live"


def test_the_most_attack_like_frame_is_kept_for_the_reviewer(session: Session) -> None:
    retiree = enrolled_retiree(session, face_seed=1)
    _use_pad("attack", 0.95, ("rigid_motion",))
    result = certify(session, retiree, face_seed=1)
    # The best-quality frame and PAD's highest-scoring one (the last) are both stored.
    assert len(result.frame_keys) == 2


def test_reviewer_page_shows_pad_scores_model_and_thresholds(
    client: TestClient, session: Session
) -> None:
    retiree = enrolled_retiree(session, face_seed=1)
    _use_pad("attack", 0.97, ("texture_attack",))
    result = certify(session, retiree, face_seed=1)
    session.flush()
    make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    login(client, "boss")
    page = client.get(f"/certifications/{result.id}").text
    assert "疑似照片或屏幕攻击" in page and "test-pad-v1" in page  # reason, in Chinese
    assert "0.97" in page and "呈现照片或屏幕的纹理" in page  # the signal texture_attack
    assert "≥0.7 转人工审核，≥0.9 判为攻击" in page  # thresholds, in the reviewer's language
