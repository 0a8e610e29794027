"""Audit archive after ``retention.audit_log_days``: entries older than the policy are exported
to a signed archive file (JSON lines, HMAC-SHA256 with a key derived from the data key) and a
checkpoint entry records the range, the last hash and the signature.

The rows themselves are kept: the chain is verified from its first row, so deleting rows would
read as tampering. Once verification can start from a signed checkpoint, rows up to the
checkpoint's ``last_seq`` may be deleted with the archive as their proof.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.chain import seal_pending
from lifecert.audit.models import AuditEntry
from lifecert.audit.service import record
from lifecert.core.crypto import DataKey, get_keyring
from lifecert.core.db import utcnow
from lifecert.core.settings import get_settings
from lifecert.core.storage import get_blob_store

ACTION = "audit.archived"


@dataclass(frozen=True)
class Archive:
    first_seq: int
    last_seq: int
    count: int
    blob_key: str
    signature: str


def _signing_key(key: DataKey) -> bytes:
    return key.purpose_key(b"audit-archive")


def sign(body: bytes, key: DataKey) -> str:
    return hmac.new(_signing_key(key), body, hashlib.sha256).hexdigest()


def _row(entry: AuditEntry) -> dict[str, Any]:
    values = {c.name: getattr(entry, c.key) for c in AuditEntry.__table__.columns}
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


def _last_archived_seq(session: Session) -> int:
    last = session.scalars(
        select(AuditEntry).where(AuditEntry.action == ACTION).order_by(AuditEntry.seq.desc())
    ).first()
    return int(last.details.get("last_seq", 0)) if last is not None else 0


def archive_old_entries(
    session: Session, *, now: datetime | None = None, batch: int = 5000
) -> Archive | None:
    """Export entries older than the policy and not archived yet; None when there are none."""
    seal_pending(session)  # only sealed rows carry the seq and hash an archive names
    cutoff = (now or utcnow()) - timedelta(days=get_settings().retention.audit_log_days)
    after, first, last_hash = _last_archived_seq(session), 0, ""
    lines: list[str] = []
    while rows := session.scalars(
        select(AuditEntry)
        .where(AuditEntry.seq > after, AuditEntry.at < cutoff)
        .order_by(AuditEntry.seq)
        .limit(batch)
    ).all():
        # Only sealed rows (seq set) are selected: the sealer numbers and chains them.
        first = first or int(rows[0].seq or 0)
        lines.extend(json.dumps(_row(r), ensure_ascii=False, sort_keys=True) for r in rows)
        after, last_hash = int(rows[-1].seq or 0), str(rows[-1].hash or "")
    if not lines:
        return None
    body = ("\n".join(lines) + "\n").encode()
    key = get_keyring().current
    archive = Archive(first, after, len(lines), get_blob_store().put(body, prefix="audit"),
                      sign(body, key))
    record(session, actor=None, action=ACTION, target_type="audit", target_id=archive.last_seq,
           details={"first_seq": archive.first_seq, "last_seq": archive.last_seq,
                    "count": archive.count, "last_hash": last_hash, "archive": archive.blob_key,
                    "signature": archive.signature, "key_id": key.key_id,
                    "cutoff": cutoff.isoformat()})
    return archive


def verify_archive(session: Session, *, checkpoint: AuditEntry) -> bool:
    """The archive named by a checkpoint entry is intact and signed by one of our keys."""
    details = checkpoint.details
    body = get_blob_store().get(str(details["archive"]))
    key = get_keyring().by_id(str(details["key_id"]))
    if key is None or not hmac.compare_digest(sign(body, key), str(details["signature"])):
        return False
    rows = [json.loads(line) for line in body.decode().splitlines()]
    return bool(rows) and rows[-1]["hash"] == details["last_hash"]
