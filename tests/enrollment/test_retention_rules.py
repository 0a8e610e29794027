"""Retention: withdrawing consent deletes the check frames too; key rotation rewrites every
encrypted blob, check frames included."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.models import AuditEntry
from lifecert.core import crypto
from lifecert.core.crypto import Keyring
from lifecert.core.roles import Role
from lifecert.core.storage import BlobStore
from lifecert.enrollment import privacy
from tests.builders import login, make_staff
from tests.certification.helpers import certify, enrolled_retiree


def test_withdrawing_consent_deletes_check_frames(client: TestClient, session: Session) -> None:
    retiree = enrolled_retiree(session)
    certification = certify(session, retiree, face_seed=1)
    keys = list(certification.frame_keys)
    store = privacy.get_blob_store()
    assert keys and all(store.exists(k) for k in keys)
    make_staff(session, role=Role.COMMUNITY_WORKER, regions=[retiree.community], username="cw")
    csrf = login(client, "cw")
    response = client.post(f"/retirees/{retiree.id}/consent/withdraw", data={"csrf": csrf},
                           follow_redirects=False)
    assert response.status_code == 303
    session.refresh(certification)
    assert certification.frame_keys == [] and not any(store.exists(k) for k in keys)
    assert certification.outcome is not None  # the decision and its scores stay
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "consent.withdrawn")
    ).one()
    assert entry.details["check_pictures_deleted"] == len(keys)


def test_key_rotation_rewrites_check_frames_and_every_other_blob(
    session: Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    old_ring = crypto.get_keyring()
    store = BlobStore(tmp_path / "blobs", old_ring)  # only this test's files
    for module in ("lifecert.core.storage", "lifecert.enrollment.service",
                   "lifecert.enrollment.privacy", "lifecert.certification.decide"):
        monkeypatch.setattr(f"{module}.get_blob_store", lambda: store)
    retiree = enrolled_retiree(session)
    frame_keys = list(certify(session, retiree, face_seed=1).frame_keys)
    orphan = store.put(b"an export nobody points at", prefix="exports")
    assert frame_keys
    new_ring = Keyring(Keyring.from_secrets("another-brand-new-data-key-0123456789").current,
                       (old_ring.current,))
    store.keyring = new_ring
    for module in ("lifecert.core.crypto", "lifecert.enrollment.service",
                   "lifecert.enrollment.privacy", "lifecert.retirees.service"):
        monkeypatch.setattr(f"{module}.get_keyring", lambda: new_ring)
    counts = privacy.rotate_keys(session)
    assert counts["frames"] == len(frame_keys)
    only_new = BlobStore(store.root, Keyring(new_ring.current))
    for key in [*frame_keys, orphan]:
        assert only_new.get(key)  # readable without the old key
    assert privacy.rotate_keys(session)["files"] == 0  # nothing left on the old key
    rotated = session.scalars(select(AuditEntry).where(AuditEntry.action == "keys.rotated")).one()
    assert rotated.details["check_pictures"] == len(frame_keys)
