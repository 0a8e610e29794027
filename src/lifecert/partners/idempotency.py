"""Idempotency keys: a partner retrying a POST (lost answer, timeout) gets the first answer
back instead of doing the work twice; the same key with a different body is a mistake (409).

The answer is stored in the transaction that did the work: both commit or neither does. Two
parallel requests with one key both work, but only the first to commit keeps its row; the
other hits the unique constraint and is rolled back whole (409, retry to read the answer).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, InvalidInput
from lifecert.partners.models import IdempotentAnswer

TTL = timedelta(hours=24)
MAX_KEY = 128


def request_hash(path: str, body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{path}\n{canonical}".encode()).hexdigest()


def run_once(
    session: Session, *, key_id: str, idempotency_key: str, path: str, body: Any,
    produce: Callable[[], tuple[int, dict[str, Any]]],
) -> tuple[int, dict[str, Any], bool]:
    """(status, answer, replayed): the stored answer for a repeat, else ``produce()``'s."""
    key = idempotency_key.strip()
    if not key or len(key) > MAX_KEY:
        raise InvalidInput("Send an Idempotency-Key header (1-128 characters) with every POST.",
                           fields={"Idempotency-Key": "1-128 characters"})
    digest, now = request_hash(path, body), utcnow()
    mine = (IdempotentAnswer.key_id == key_id) & (IdempotentAnswer.idempotency_key == key)
    session.execute(delete(IdempotentAnswer).where(mine, IdempotentAnswer.expires_at <= now))
    stored = session.scalar(select(IdempotentAnswer).where(mine))
    if stored is not None:
        if stored.request_hash != digest:
            raise Conflict("This Idempotency-Key was used with a different request.")
        return stored.status_code, stored.body, True
    status, answer = produce()
    session.add(IdempotentAnswer(key_id=key_id, idempotency_key=key, request_hash=digest,
                                 status_code=status, body=answer, expires_at=now + TTL))
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("A request with this Idempotency-Key is still in progress.") from exc
    return status, answer, False


def purge_expired(session: Session) -> int:
    expired = IdempotentAnswer.expires_at <= utcnow()
    result = session.execute(delete(IdempotentAnswer).where(expired))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
