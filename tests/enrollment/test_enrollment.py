"""Consent, reference photos, duplicates, retention, export and key rotation (fake engine)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.core import crypto
from lifecert.core.crypto import Keyring
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, InvalidInput
from lifecert.core.roles import Role
from lifecert.core.storage import BlobStore
from lifecert.enrollment import privacy, service
from lifecert.enrollment.models import (
    ConsentChannel,
    EnrollmentReview,
    FaceTemplate,
    StoredPhoto,
    TemplateSource,
    TemplateStatus,
)
from lifecert.retirees.models import CertRoute
from lifecert.retirees.service import find_retiree_by_id_number
from tests.builders import (
    admin_actor,
    login,
    make_city,
    make_community,
    make_retiree,
    make_staff,
    noise_photo,
)


def _consented(session: Session, name: str = "张三", community=None):  # type: ignore[no-untyped-def]
    community = community or make_community(session, city=make_city(session))
    retiree = make_retiree(session, community=community, name=name)
    service.record_consent(session, actor=admin_actor(), retiree_id=retiree.id,
                           channel=ConsentChannel.COUNTER, given_by="本人")
    return retiree


def _enroll(session: Session, retiree_id: int, photo: bytes,
            source: TemplateSource = TemplateSource.STAFF_CAPTURE) -> service.Enrolled:
    return service.enroll_photo(session, actor=admin_actor(), retiree_id=retiree_id,
                                image_bytes=photo, source=source, device="test-phone")


def test_no_enrollment_without_consent(session: Session) -> None:
    community = make_community(session, city=make_city(session))
    retiree = make_retiree(session, community=community)
    with pytest.raises(Conflict, match="consent"):
        _enroll(session, retiree.id, noise_photo())
    assert session.scalar(select(func.count()).select_from(FaceTemplate)) == 0


def test_template_is_encrypted_and_carries_provenance(session: Session) -> None:
    retiree = _consented(session)
    enrolled = _enroll(session, retiree.id, noise_photo(1))
    template = enrolled.template
    assert template.status == TemplateStatus.ACTIVE and template.model_id.startswith("fake-v1")
    assert template.device == "test-phone" and template.photo_id is not None
    vector = service.decrypt_template(template).vector
    raw = np.asarray(vector, dtype="<f4").tobytes()
    assert raw not in template.embedding_enc and len(vector) == 128
    photo = session.get_one(StoredPhoto, template.photo_id)
    assert photo.purge_after > utcnow() + timedelta(days=29)


@pytest.mark.parametrize(
    ("payload", "message"),
    [(b"GIF89a" + b"\0" * 100, "JPEG"), (b"\xff\xd8\xff\xe0broken", "damaged"),
     (b"just some text", "JPEG")],
)
def test_bad_files_are_refused_clearly_and_leave_nothing(
    session: Session, payload: bytes, message: str
) -> None:
    retiree = _consented(session)
    with pytest.raises(InvalidInput) as info:
        _enroll(session, retiree.id, payload)
    assert info.value.message
    assert session.scalar(select(func.count()).select_from(StoredPhoto)) == 0


def test_non_face_photo_is_refused_with_the_reason(session: Session) -> None:
    import io

    from PIL import Image

    retiree = _consented(session)
    flat = io.BytesIO()
    Image.new("RGB", (200, 200), (128, 128, 128)).save(flat, format="PNG")
    with pytest.raises(InvalidInput, match="cannot be used as a reference") as info:
        _enroll(session, retiree.id, flat.getvalue())
    assert "no_face" in info.value.fields["photo"]
    assert session.scalar(select(func.count()).select_from(FaceTemplate)) == 0


def test_same_face_under_another_identity_goes_to_review(session: Session) -> None:
    first = _consented(session, "甲")
    second = _consented(session, "乙", community=first.community)
    photo = noise_photo(7)
    assert _enroll(session, first.id, photo).duplicate_of is None
    clash = _enroll(session, second.id, photo)
    assert clash.duplicate_of == first.id
    assert clash.template.status == TemplateStatus.PENDING_REVIEW
    review = session.scalar(select(EnrollmentReview))
    assert review is not None and review.other_retiree_id == first.id
    service.decide_review(session, actor=admin_actor(), review_id=review.id, approve=False)
    assert clash.template.status == TemplateStatus.REJECTED


def test_several_templates_and_first_certification_review(session: Session) -> None:
    retiree = _consented(session)
    first = _enroll(session, retiree.id, noise_photo(1), TemplateSource.CERTIFICATION)
    assert first.template.status == TemplateStatus.PENDING_REVIEW  # no reference yet
    _enroll(session, retiree.id, noise_photo(2), TemplateSource.ID_PHOTO_IMPORT)
    later = _enroll(session, retiree.id, noise_photo(3), TemplateSource.CERTIFICATION)
    assert later.template.status == TemplateStatus.ACTIVE
    templates = service.list_templates(session, actor=admin_actor(), retiree_id=retiree.id)
    assert [t.source for t in templates] == [TemplateSource.CERTIFICATION,
                                             TemplateSource.ID_PHOTO_IMPORT,
                                             TemplateSource.CERTIFICATION]


def test_withdrawing_consent_deletes_biometrics_and_switches_route(session: Session) -> None:
    retiree = _consented(session)
    photo_key = session.get_one(StoredPhoto, _enroll(session, retiree.id,
                                                     noise_photo(1)).template.photo_id).blob_key
    assert service.withdraw_consent(session, actor=admin_actor(), retiree_id=retiree.id) == 1
    assert session.scalar(select(func.count()).select_from(FaceTemplate)) == 0
    assert session.scalar(select(func.count()).select_from(StoredPhoto)) == 0
    assert not privacy.get_blob_store().exists(photo_key)
    assert retiree.route == CertRoute.NON_FACE


def test_retention_purge_deletes_raw_photos_only(session: Session) -> None:
    retiree = _consented(session)
    template = _enroll(session, retiree.id, noise_photo(1)).template
    photo = session.get_one(StoredPhoto, template.photo_id)
    key = photo.blob_key
    assert privacy.purge_expired_photos(session) == 0
    photo.purge_after = utcnow() - timedelta(seconds=1)
    assert privacy.purge_expired_photos(session) == 1
    assert photo.purged_at is not None and not privacy.get_blob_store().exists(key)
    assert session.get(FaceTemplate, template.id) is not None
    assert privacy.purge_expired_photos(session) == 0


def test_access_request_export_has_everything(session: Session) -> None:
    retiree = _consented(session)
    _enroll(session, retiree.id, noise_photo(1))
    data = privacy.export_retiree_data(session, actor=admin_actor(), retiree_id=retiree.id)
    assert len(data["person"]["id_number"]) == 18
    assert data["consents"][0]["channel"] == "counter"
    assert len(data["templates"][0]["vector"]) == 128
    assert data["photos"][0]["data_base64"]


def test_key_rotation_reencrypts_and_keeps_lookup(
    session: Session, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    old_ring = crypto.get_keyring()
    store = BlobStore(privacy.get_blob_store().root, old_ring)
    monkeypatch.setattr("lifecert.core.storage.get_blob_store", lambda: store)
    for module in ("lifecert.enrollment.service", "lifecert.enrollment.privacy"):
        monkeypatch.setattr(f"{module}.get_blob_store", lambda: store)
    retiree = _consented(session)
    template = _enroll(session, retiree.id, noise_photo(1)).template
    number = privacy.reveal_id_number(session, actor=admin_actor(), retiree_id=retiree.id)
    new_ring = Keyring(Keyring.from_secrets("a-brand-new-data-key-0123456789").current,
                       (old_ring.current,))
    store.keyring = new_ring
    for module in ("lifecert.core.crypto", "lifecert.enrollment.service",
                   "lifecert.enrollment.privacy", "lifecert.retirees.service"):
        monkeypatch.setattr(f"{module}.get_keyring", lambda: new_ring)
    counts = privacy.rotate_keys(session)
    assert counts["retirees"] >= 1 and counts["templates"] == 1 and counts["files"] >= 1
    assert retiree.key_id == template.key_id == new_ring.current.key_id
    only_new = Keyring(new_ring.current)
    assert only_new.decrypt_text(retiree.id_number_enc, context="retiree.id_number") == number
    monkeypatch.setattr("lifecert.retirees.service.get_keyring", lambda: only_new)
    found = find_retiree_by_id_number(session, actor=admin_actor(), id_number=number)
    assert found.id == retiree.id
    assert privacy.rotate_keys(session)["retirees"] == 0


def test_enrollment_api_upload_and_limits(client: TestClient, session: Session) -> None:
    city = make_city(session)
    community = make_community(session, city=city)
    make_staff(session, role=Role.COMMUNITY_WORKER, regions=[community], username="w")
    retiree = make_retiree(session, community=community)
    csrf = login(client, "w")
    headers = {"X-CSRF-Token": csrf}
    no_consent = client.post(f"/api/v1/retirees/{retiree.id}/templates", headers=headers,
                             files={"photo": ("a.png", noise_photo(3), "image/png")})
    assert no_consent.status_code == 409 and "同意书" in no_consent.json()["detail"]
    assert client.post(f"/api/v1/retirees/{retiree.id}/consent", headers=headers,
                       json={"channel": "counter", "given_by": "本人"}).status_code == 201
    ok = client.post(f"/api/v1/retirees/{retiree.id}/templates", headers=headers,
                     data={"device": "counter-cam"},
                     files={"photo": ("a.png", noise_photo(3), "image/png")})
    assert ok.status_code == 201 and ok.json()["template"]["device"] == "counter-cam"
    assert "embedding" not in ok.text
    huge = client.post(f"/api/v1/retirees/{retiree.id}/templates", headers=headers,
                       files={"photo": ("a.jpg", b"\xff" * (9 * 1024 * 1024), "image/jpeg")})
    assert huge.status_code == 413
