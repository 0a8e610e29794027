"""The face check's decisions, recorded with their evidence (fake engine)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.certification import decide
from lifecert.certification.challenges import issue_challenge
from lifecert.certification.decide import Context, Frame
from lifecert.certification.models import (
    CertMode,
    ChallengeSession,
    Outcome,
    ReviewCase,
)
from lifecert.certification.service import certify_with_face
from lifecert.core.errors import InvalidInput, PayloadTooLarge, ReplayDetected, TooManyRequests
from lifecert.core.faces import get_face_engine
from lifecert.enrollment.models import FaceTemplate, TemplateSource
from lifecert.retirees.models import CertState
from tests.certification.helpers import (
    BINDING,
    certify,
    consenting_retiree,
    enrolled_retiree,
    frames_of,
)


def test_same_face_is_certified_with_full_evidence(session: Session) -> None:
    retiree = enrolled_retiree(session, face_seed=1)
    result = certify(session, retiree, face_seed=1, today=date(2026, 11, 26))
    assert result.outcome == Outcome.CERTIFIED
    assert result.valid_until == date(2027, 11, 26)
    assert retiree.cert_state == CertState.CERTIFIED and retiree.valid_until == result.valid_until
    matching = result.evidence["matching"]
    assert matching["deciding_template"]["decision"] == "accept"
    assert matching["model_id"] and matching["templates"][0]["thresholds"]["accept"] >= 0
    assert result.evidence["liveness"]["passed"] is True
    assert result.frame_keys and result.frames_purge_after is not None
    sources = session.scalars(
        select(FaceTemplate.source).where(FaceTemplate.retiree_id == retiree.id)
    ).all()
    assert TemplateSource.CERTIFICATION in sources  # a fresh template from the live face


def test_other_face_is_asked_to_retry_then_a_person_follows_up(session: Session) -> None:
    retiree = enrolled_retiree(session, face_seed=1)
    for _ in range(5):
        assert certify(session, retiree, face_seed=99).outcome == Outcome.RETRY
    assert session.scalar(select(func.count()).select_from(ReviewCase)) == 1
    with pytest.raises(TooManyRequests, match="home visit"):
        certify(session, retiree, face_seed=99)


def test_no_reference_goes_to_review_and_pension_is_untouched(session: Session) -> None:
    retiree = consenting_retiree(session)
    result = certify(session, retiree, face_seed=3)
    assert (result.outcome, result.reason) == (Outcome.REVIEW, "no_reference")
    assert retiree.cert_state == CertState.UNDER_REVIEW


def test_same_face_as_another_person_is_sent_to_review(session: Session) -> None:
    first = enrolled_retiree(session, face_seed=5, name="甲")
    second = enrolled_retiree(session, face_seed=6, name="乙", community=first.community)
    result = certify(session, second, face_seed=5)
    assert (result.outcome, result.reason) == (Outcome.REVIEW, "possible_duplicate")
    assert result.evidence["duplicate"]["retiree_id"] == first.id


def test_nonce_is_single_use_and_bound_to_the_browser(session: Session) -> None:
    retiree = enrolled_retiree(session)
    challenge = issue_challenge(
        session, retiree_id=retiree.id, mode=CertMode.SELF, client_binding=BINDING
    )
    with pytest.raises(ReplayDetected):
        certify_with_face(
            session,
            nonce=challenge.nonce,
            client_binding="other-browser",
            frames=frames_of(1),
            context=Context(),
        )
    certify_with_face(
        session,
        nonce=challenge.nonce,
        client_binding=BINDING,
        frames=frames_of(1),
        context=Context(),
    )
    with pytest.raises(ReplayDetected, match="already sent"):
        certify_with_face(
            session,
            nonce=challenge.nonce,
            client_binding=BINDING,
            frames=frames_of(1),
            context=Context(),
        )


def test_expired_challenge_is_refused_clearly(session: Session) -> None:
    retiree = enrolled_retiree(session)
    challenge = issue_challenge(
        session, retiree_id=retiree.id, mode=CertMode.SELF, client_binding=BINDING
    )
    challenge.expires_at = challenge.issued_at - timedelta(seconds=1)
    session.flush()
    with pytest.raises(InvalidInput, match="Time ran out"):
        certify_with_face(
            session,
            nonce=challenge.nonce,
            client_binding=BINDING,
            frames=frames_of(1),
            context=Context(),
        )


@pytest.mark.parametrize(
    ("frames", "error"),
    [
        ([Frame(b"x", 0.0)] * 2, InvalidInput),
        ([Frame(b"x" * 400_000, 0.0)] * 5, PayloadTooLarge),
        ([Frame(b"x", 1.0), Frame(b"x", 0.5), Frame(b"x", 2.0)], InvalidInput),
        ([Frame(b"x", 0.0)] * 200, PayloadTooLarge),
    ],
)
def test_bad_uploads_are_refused_before_decoding(
    session: Session, frames: list[Frame], error: type[Exception]
) -> None:
    retiree = enrolled_retiree(session)
    challenge = issue_challenge(
        session, retiree_id=retiree.id, mode=CertMode.SELF, client_binding=BINDING
    )
    with pytest.raises(error):
        certify_with_face(
            session, nonce=challenge.nonce, client_binding=BINDING, frames=frames, context=Context()
        )
    assert session.get_one(ChallengeSession, challenge.id).status.value == "open"


def test_undecodable_frames_are_a_4xx_and_record_nothing(session: Session) -> None:
    retiree = enrolled_retiree(session)
    challenge = issue_challenge(
        session, retiree_id=retiree.id, mode=CertMode.SELF, client_binding=BINDING
    )
    with pytest.raises(InvalidInput):
        certify_with_face(
            session,
            nonce=challenge.nonce,
            client_binding=BINDING,
            frames=[Frame(b"not a jpeg", i * 0.1) for i in range(5)],
            context=Context(),
        )


def test_system_faults_never_count_against_the_retiree(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    retiree = enrolled_retiree(session)
    engine = get_face_engine()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("model crashed")

    monkeypatch.setattr(engine, "check_liveness", broken)
    for _ in range(7):  # more than the daily limit: faults are not tries
        result = certify(session, retiree, face_seed=1)
        assert result.outcome == Outcome.SYSTEM_FAULT and not result.counts_as_attempt
    assert decide.tries_today(session, retiree.id) == 0


def test_one_helper_is_limited_per_day(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from lifecert.certification.challenges import Helper
    from lifecert.core.roles import Role
    from lifecert.core.settings import get_settings
    from tests.builders import make_staff

    monkeypatch.setattr(get_settings().certification, "max_helper_attempts_per_day", 2)
    worker = make_staff(session, role=Role.PLATFORM_ADMIN)
    first = enrolled_retiree(session, face_seed=11, name="甲")
    people = [
        first,
        *(
            enrolled_retiree(session, face_seed=12 + i, name=n, community=first.community)
            for i, n in enumerate("乙丙")
        ),
    ]
    for person, seed in zip(people[:2], (11, 12), strict=True):
        certify(
            session,
            person,
            face_seed=seed,
            mode=CertMode.HOME_VISIT,
            helper=Helper(staff_id=worker.id),
        )
    with pytest.raises(TooManyRequests, match="Too many checks"):
        certify(
            session,
            people[2],
            face_seed=13,
            mode=CertMode.HOME_VISIT,
            helper=Helper(staff_id=worker.id),
        )


def test_certification_after_death_is_held_and_raises_a_high_alert(session: Session) -> None:
    from lifecert.fraud.models import Alert, AlertKind, DeathRecord

    retiree = enrolled_retiree(session, face_seed=21)
    session.add(DeathRecord(retiree_id=retiree.id, date_of_death=date(2026, 1, 5),
                            source="殡仪馆"))
    session.flush()
    result = certify(session, retiree, face_seed=21)
    assert (result.outcome, result.reason) == (Outcome.REVIEW, "after_death")
    alert = session.scalar(select(Alert).where(Alert.kind == AlertKind.CERTIFIED_AFTER_DEATH))
    assert alert is not None and alert.severity.value == "high"


def test_live_face_of_another_identity_raises_a_duplicate_alert(session: Session) -> None:
    from lifecert.fraud.models import Alert, AlertKind

    first = enrolled_retiree(session, face_seed=31, name="甲")
    second = enrolled_retiree(session, face_seed=32, name="乙", community=first.community)
    result = certify(session, second, face_seed=31)
    assert result.outcome == Outcome.REVIEW
    alert = session.scalar(select(Alert).where(Alert.kind == AlertKind.DUPLICATE_FACE))
    assert alert is not None and result.evidence["duplicate"]["alert_id"] == alert.id
