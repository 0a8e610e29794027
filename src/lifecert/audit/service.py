"""Recording and verifying the audit trail.

``record`` appends one entry inside the caller's transaction (an action rolled back leaves no
entry). Appends are serialised by updating the single ``audit_head`` row first: PostgreSQL holds
that row lock until commit, SQLite has one writer anyway. Each entry's hash covers a canonical
serialisation of its fields plus the previous entry's hash, so editing or deleting any row breaks
the chain at a point ``verify_chain`` names.

Details never hold biometrics or full ID numbers: ``clean_details`` drops vector-like values and
masks 18-character ID numbers before anything is stored.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lifecert.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from lifecert.core.db import utcnow
from lifecert.core.scoping import Actor

HEAD_ID = 1
_ID_NUMBER = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")
_FORBIDDEN_KEYS = ("vector", "embedding", "template_data", "photo_data", "image", "frames")
_MAX_TEXT = 500


def clean_details(value: Any) -> Any:
    """A JSON-safe copy with biometrics removed and ID numbers masked."""
    if isinstance(value, dict):
        return {
            str(k): "[removed]"
            if any(w in str(k).lower() for w in _FORBIDDEN_KEYS)
            else clean_details(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        if len(value) >= 16 and all(isinstance(v, float) for v in value):
            return "[removed]"  # looks like an embedding
        return [clean_details(v) for v in value]
    if isinstance(value, bytes | bytearray | memoryview):
        return "[removed]"
    if isinstance(value, str):
        return _ID_NUMBER.sub(lambda m: f"{m.group(1)}{'*' * 8}{m.group(2)}", value)[:_MAX_TEXT]
    if value is None or isinstance(value, bool | int | float):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return clean_details(str(value))


def canonical(entry: AuditEntry) -> bytes:
    at = entry.at.astimezone(UTC).isoformat(timespec="microseconds")
    body = {
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
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def _lock_head(session: Session) -> AuditHead:
    # UPDATE first: it takes the row lock (PostgreSQL) or the write lock (SQLite) before we read.
    result = session.execute(
        update(AuditHead).where(AuditHead.id == HEAD_ID).values(last_seq=AuditHead.last_seq + 1)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        head = AuditHead(id=HEAD_ID, last_seq=1, last_hash=GENESIS_HASH)
        session.add(head)
        session.flush()
        return head
    head = session.scalars(
        select(AuditHead).where(AuditHead.id == HEAD_ID).execution_options(populate_existing=True)
    ).one()
    return head


def record(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    target_type: str = "",
    target_id: object = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry (in the caller's transaction). ``actor`` None: the system or a stranger."""
    head = _lock_head(session)
    entry = AuditEntry(
        seq=head.last_seq,
        at=utcnow(),
        actor_id=(actor.staff_id or None) if actor else None,
        actor_username=(actor.username if actor else "")[:64],
        actor_role=(actor.role.value if actor else "")[:32],
        action=action[:64],
        target_type=target_type[:32],
        target_id=str(target_id if target_id is not None else "")[:64],
        details=json.loads(json.dumps(clean_details(details or {}), ensure_ascii=False)),
        prev_hash=head.last_hash,
    )
    entry.hash = entry_hash(entry)
    head.last_hash = entry.hash
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # "edited", "missing", "broken_link", "truncated"
    detail: str

    def __str__(self) -> str:
        return f"seq {self.seq}: {self.kind} ({self.detail})"


def verify_chain(session: Session, *, batch: int = 5000) -> list[ChainProblem]:
    """Walk the whole chain; every edited or deleted row is reported by its sequence number."""
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
            gap = row.seq != expected_seq
            if gap:
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
            expected_seq, prev_hash, last_seq = row.seq + 1, row.hash, row.seq
        after = rows[-1].seq
    head = session.get(AuditHead, HEAD_ID)
    if head is not None and head.last_seq > last_seq:
        problems.append(
            ChainProblem(
                last_seq + 1,
                "truncated",
                f"rows {last_seq + 1}..{head.last_seq} deleted from the end",
            )
        )
    elif head is not None and last_seq and head.last_hash != prev_hash:
        problems.append(ChainProblem(last_seq, "edited", "last row differs from the recorded head"))
    return problems


def list_entries(
    session: Session, *, action_prefix: str = "", limit: int = 100
) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if action_prefix:
        stmt = stmt.where(AuditEntry.action.startswith(action_prefix, autoescape=True))
    return list(session.scalars(stmt))
