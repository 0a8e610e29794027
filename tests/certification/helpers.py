"""Builders for certification tests (fake face engine: same image → same face)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lifecert.certification.challenges import Helper, issue_challenge
from lifecert.certification.decide import Context, Frame
from lifecert.certification.models import Certification, CertMode
from lifecert.certification.service import certify_with_face
from lifecert.enrollment import service as enrollment
from lifecert.enrollment.models import ConsentChannel, TemplateSource
from lifecert.retirees.models import Retiree
from tests.builders import admin_actor, make_city, make_community, make_retiree, noise_photo

BINDING = "browser-1"


def jpeg(seed: int) -> bytes:
    return noise_photo(seed, size=200, fmt="JPEG")


def consenting_retiree(
    session: Session, *, name: str = "王秀英", community=None
) -> Retiree:  # type: ignore[no-untyped-def]
    """Consent recorded, no reference face yet (a first certification)."""
    community = community or make_community(session, city=make_city(session))
    retiree = make_retiree(session, community=community, name=name)
    enrollment.record_consent(
        session,
        actor=admin_actor(),
        retiree_id=retiree.id,
        channel=ConsentChannel.COUNTER,
        given_by=name,
    )
    return retiree


def enrolled_retiree(
    session: Session,
    *,
    face_seed: int = 1,
    name: str = "王秀英",
    community=None,  # type: ignore[no-untyped-def]
    photo: bytes | None = None,
    source: TemplateSource = TemplateSource.STAFF_CAPTURE,
) -> Retiree:
    """Consent and one reference face: ``photo`` (real) or a noise picture of ``face_seed``."""
    retiree = consenting_retiree(session, name=name, community=community)
    enrollment.enroll_photo(
        session,
        actor=admin_actor(),
        retiree_id=retiree.id,
        image_bytes=photo if photo is not None else jpeg(face_seed),
        source=source,
    )
    return retiree


def frames_of(seed: int, n: int = 8) -> list[Frame]:
    data = jpeg(seed)
    return [Frame(data, i * 0.2) for i in range(n)]


def certify(
    session: Session,
    retiree: Retiree,
    *,
    face_seed: int,
    mode: CertMode = CertMode.SELF,
    helper: Helper = Helper(),
    today=None,  # type: ignore[no-untyped-def]
) -> Certification:
    challenge = issue_challenge(
        session, retiree_id=retiree.id, mode=mode, client_binding=BINDING, helper=helper
    )
    return certify_with_face(
        session,
        nonce=challenge.nonce,
        client_binding=BINDING,
        frames=frames_of(face_seed),
        context=Context(device="test"),
        today=today,
    )
