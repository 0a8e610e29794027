"""One face under two identities: caught at enrollment, at certification and by the sweep."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.core.crypto import get_keyring
from lifecert.core.faces import get_face_engine
from lifecert.enrollment import service as enrollment
from lifecert.enrollment.models import (
    ConsentChannel,
    EnrollmentReview,
    FaceTemplate,
    TemplateSource,
    TemplateStatus,
)
from lifecert.fraud.models import Alert, AlertKind, AlertStatus, Severity
from lifecert.fraud.service import check_live_face, sweep_duplicates
from lifecert.retirees.models import Retiree
from tests.builders import admin_actor, make_city, make_community, make_retiree, noise_photo


def _consented(session: Session, community, name: str) -> Retiree:  # type: ignore[no-untyped-def]
    retiree = make_retiree(session, community=community, name=name)
    enrollment.record_consent(
        session,
        actor=admin_actor(),
        retiree_id=retiree.id,
        channel=ConsentChannel.COUNTER,
        given_by="本人",
    )
    return retiree


def _enroll(session: Session, retiree: Retiree, seed: int) -> enrollment.Enrolled:
    return enrollment.enroll_photo(
        session,
        actor=admin_actor(),
        retiree_id=retiree.id,
        image_bytes=noise_photo(seed),
        source=TemplateSource.ID_PHOTO_IMPORT,
    )


def test_planted_duplicate_identity_raises_an_alert_and_holds_the_template(
    session: Session,
) -> None:
    community = make_community(session, city=make_city(session))
    real, fake = _consented(session, community, "真"), _consented(session, community, "冒")
    _enroll(session, real, 11)
    for seed in range(30, 36):  # other people in the gallery
        _enroll(session, _consented(session, community, f"他{seed}"), seed)
    clash = _enroll(session, fake, 11)
    assert clash.duplicate_of == real.id
    assert clash.template.status == TemplateStatus.PENDING_REVIEW
    review = session.scalar(
        select(EnrollmentReview).where(EnrollmentReview.template_id == clash.template.id)
    )
    assert review is not None and review.other_retiree_id == real.id
    alert = session.scalar(select(Alert).where(Alert.kind == AlertKind.DUPLICATE_FACE))
    assert alert is not None and alert.severity == Severity.HIGH
    assert alert.status == AlertStatus.OPEN
    assert {link.retiree_id for link in alert.links} == {real.id, fake.id}
    assert alert.evidence["context"] == "enrollment" and alert.evidence["distance"] <= 0.01
    assert "vector" not in str(alert.evidence)


def test_live_face_of_another_identity_at_certification(session: Session) -> None:
    community = make_community(session, city=make_city(session))
    owner, claimant = _consented(session, community, "甲"), _consented(session, community, "乙")
    template = _enroll(session, owner, 12).template
    live = enrollment.decrypt_template(template)
    assert check_live_face(session, embedding=live, retiree_id=owner.id) is None
    alert = check_live_face(
        session, embedding=live, retiree_id=claimant.id, extra={"certification_id": 7}
    )
    assert alert is not None and alert.evidence["certification_id"] == 7
    again = check_live_face(session, embedding=live, retiree_id=claimant.id)
    assert again is not None and again.id == alert.id  # one alert per pair


def test_nightly_sweep_finds_duplicates_the_live_search_missed(session: Session) -> None:
    community = make_community(session, city=make_city(session))
    a, b = _consented(session, community, "一"), _consented(session, community, "二")
    first = _enroll(session, a, 13).template
    # Planted straight into the table (e.g. two enrollments racing on two servers).
    session.add(
        FaceTemplate(
            retiree_id=b.id,
            model_id=first.model_id,
            embedding_enc=enrollment.encrypt_embedding(enrollment.decrypt_template(first)),
            key_id=get_keyring().current.key_id,
            source=TemplateSource.STAFF_CAPTURE,
        )
    )
    session.flush()
    assert session.scalar(select(Alert)) is None
    counts = sweep_duplicates(session)
    assert counts["templates"] == 2 and counts["alerts"] == 1
    alert = session.scalar(select(Alert))
    assert alert is not None and alert.evidence["context"] == "sweep"
    assert sweep_duplicates(session)["alerts"] == 1  # rerun: same alert, not a new one
    assert len(session.scalars(select(Alert)).all()) == 1
    assert get_face_engine().thresholds[first.model_id].accept > 0
