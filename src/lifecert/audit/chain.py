"""The audit hash chain: one sealer links appended rows; verification finds any edit or gap.

Writers append rows with no shared lock (``service.record``). A single sealer (the
``audit.seal`` job every minute, ``lifecert audit seal``, and before every verification)
locks the one ``audit_head`` row — only sealers ever touch it — takes the unsealed rows in id
order and gives each the next gap-free ``seq``, the previous row's hash and its own
HMAC-SHA256 under the audit key of the current data key (``key_id`` names it, so a rotated
key still verifies older rows while ``LIFECERT_PREVIOUS_DATA_KEYS`` holds it). The head keeps
a MAC of the last ``seq`` and hash: rows deleted from the end are found too, and exported
checkpoint files (``export_checkpoint``, signed the same way) prove the chain's length to
someone who does not trust the database. Rows sealed before keying (``key_id`` NULL) verify
with plain SHA-256: editing one still breaks the keyed link after it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from lifecert.core.crypto import DataKey, get_keyring
from lifecert.core.db import utcnow

HEAD_ID = 1


def canonical(entry: AuditEntry) -> bytes:
    at = entry.at.astimezone(UTC).isoformat(timespec="microseconds")
    body: dict[str, Any] = {
        "seq": entry.seq,
        "at": at,
        "actor_id": entry.actor_id,
        "actor_username": entry.actor_username,
        "actor_role": entry.actor_role,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
    }
    if entry.key_id is not None:
        body["key_id"] = entry.key_id
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _audit_key(key: DataKey) -> bytes:
    return key.purpose_key(b"lifecert-audit-chain-v1")


def _key(key_id: str) -> bytes | None:
    key = get_keyring().by_id(key_id)
    return _audit_key(key) if key is not None else None


def entry_hash(entry: AuditEntry) -> str:
    if entry.key_id is None:  # sealed before the chain was keyed
        return hashlib.sha256(canonical(entry)).hexdigest()
    key = _key(entry.key_id)
    if key is None:
        return "unknown-key"
    return hmac.new(key, canonical(entry), hashlib.sha256).hexdigest()


def _head_mac(key_id: str, last_seq: int, last_hash: str) -> str:
    key = _key(key_id)
    if key is None:
        return "unknown-key"
    message = f"{key_id}:{last_seq}:{last_hash}".encode()
    return key_id + ":" + hmac.new(key, message, hashlib.sha256).hexdigest()[:47]


def _locked_head(session: Session) -> AuditHead:
    head = session.get(AuditHead, HEAD_ID, with_for_update=True, populate_existing=True)
    if head is None:
        head = AuditHead(id=HEAD_ID, last_seq=0, last_hash=GENESIS_HASH, mac="")
        session.add(head)
        session.flush()
    return head


def seal_pending(session: Session, *, batch: int = 5000) -> int:
    """Chain every unsealed row (in id order); returns how many. Sealers queue on the head
    row's lock, so two never give out the same ``seq``. The caller commits."""
    head = _locked_head(session)
    key_id = get_keyring().current.key_id
    sealed = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq.is_(None)).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            break
        for row in rows:
            row.seq, row.prev_hash, row.key_id = head.last_seq + 1, head.last_hash, key_id
            row.hash = entry_hash(row)
            head.last_seq, head.last_hash = row.seq, row.hash
        sealed += len(rows)
        session.flush()
    if sealed or not head.mac:
        head.mac = _head_mac(key_id, head.last_seq, head.last_hash)
        session.flush()
    return sealed


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # "edited", "missing", "broken_link", "truncated", "checkpoint"
    detail: str

    def __str__(self) -> str:
        return f"seq {self.seq}: {self.kind} ({self.detail})"


def verify_chain(session: Session, *, batch: int = 5000) -> list[ChainProblem]:
    """Walk the sealed chain; every edited or deleted row is reported by its sequence number."""
    problems: list[ChainProblem] = []
    expected_seq, prev_hash, last_seq = 1, GENESIS_HASH, 0
    after = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            break
        for row in rows:
            assert row.seq is not None
            if row.seq != expected_seq:
                missing = f"{expected_seq}" + (
                    f"..{row.seq - 1}" if row.seq - 1 > expected_seq else ""
                )
                problems.append(ChainProblem(expected_seq, "missing", f"rows {missing} deleted"))
            elif row.prev_hash != prev_hash:
                problems.append(
                    ChainProblem(row.seq, "broken_link", "prev_hash differs from the row before")
                )
            if entry_hash(row) != row.hash:
                problems.append(ChainProblem(row.seq, "edited", "content does not match its hash"))
            expected_seq, prev_hash, last_seq = row.seq + 1, row.hash or "", row.seq
        after = last_seq
    problems.extend(_check_head(session, last_seq, prev_hash))
    return problems


def _check_head(session: Session, last_seq: int, last_hash: str) -> list[ChainProblem]:
    head = session.get(AuditHead, HEAD_ID, populate_existing=True)
    if head is None:
        return []
    if head.last_seq > last_seq:
        return [
            ChainProblem(
                last_seq + 1,
                "truncated",
                f"rows {last_seq + 1}..{head.last_seq} deleted from the end",
            )
        ]
    if last_seq and head.last_hash != last_hash:
        return [ChainProblem(last_seq, "edited", "last row differs from the recorded head")]
    if head.mac and head.mac != _head_mac(head.mac.split(":")[0], head.last_seq, head.last_hash):
        return [ChainProblem(head.last_seq, "edited", "the chain head's MAC does not match")]
    return []


def export_checkpoint(session: Session, directory: Path) -> Path:
    """Write the sealed head as a signed JSON file (kept outside the database: a later
    verification proves no row up to it was removed, even if the head row was rewritten)."""
    head = _locked_head(session)
    body = {
        "last_seq": head.last_seq,
        "last_hash": head.last_hash,
        "at": utcnow().isoformat(timespec="seconds"),
        "mac": head.mac,
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"audit-checkpoint-{head.last_seq:012d}.json"
    path.write_text(json.dumps(body, indent=1))
    return path


def verify_checkpoint(session: Session, path: Path) -> list[ChainProblem]:
    """The chain still holds the checkpoint's row, with the same hash, under a valid MAC."""
    data = json.loads(path.read_text())
    seq, last_hash, mac = int(data["last_seq"]), str(data["last_hash"]), str(data["mac"])
    if not seq:
        return []
    if mac != _head_mac(mac.split(":")[0], seq, last_hash):
        return [ChainProblem(seq, "checkpoint", f"{path.name} is not signed by a known key")]
    row = session.scalar(select(AuditEntry).where(AuditEntry.seq == seq))
    if row is None or row.hash != last_hash:
        return [ChainProblem(seq, "checkpoint", f"row {seq} of {path.name} is gone or changed")]
    return []
