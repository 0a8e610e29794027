"""Recording the audit trail.

``record`` appends one entry inside the caller's transaction (an action rolled back leaves no
entry). Appends take no shared lock: no hot row serialises every audited action. The single
sealer in ``audit.chain`` then links them in order with a keyed hash, so editing or deleting
any sealed row breaks the chain at a point ``verify_chain`` names.

Details never hold biometrics or full ID numbers: ``clean_details`` drops vector-like values and
masks 18-character ID numbers before anything is stored.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.chain import ChainProblem, seal_pending, verify_chain
from lifecert.audit.models import AuditEntry
from lifecert.core.db import utcnow
from lifecert.core.scoping import Actor

__all__ = [
    "ChainProblem",
    "clean_details",
    "list_entries",
    "record",
    "seal_pending",
    "verify_chain",
]

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
    entry = AuditEntry(
        seq=None,
        at=utcnow(),
        actor_id=(actor.staff_id or None) if actor else None,
        actor_username=(actor.username if actor else "")[:64],
        actor_role=(actor.role.value if actor else "")[:32],
        action=action[:64],
        target_type=target_type[:32],
        target_id=str(target_id if target_id is not None else "")[:64],
        details=json.loads(json.dumps(clean_details(details or {}), ensure_ascii=False)),
    )
    session.add(entry)
    session.flush()
    return entry


def list_entries(
    session: Session, *, action_prefix: str = "", limit: int = 100
) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action_prefix:
        stmt = stmt.where(AuditEntry.action.startswith(action_prefix, autoescape=True))
    return list(session.scalars(stmt))
