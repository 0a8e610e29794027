"""The audit trail: rows appended without any shared lock, then chained in order by a single
sealer with a keyed HMAC-SHA256 (``audit.chain``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lifecert.core.db import Base, BigIntPK, IdMixin, UTCDateTime, utcnow

GENESIS_HASH = "0" * 64


class AuditEntry(IdMixin, Base):
    """One staff action. Never updated or deleted: ``lifecert audit verify`` proves it."""

    __tablename__ = "audit_entry"

    # Gap-free chain position, given by the sealer (NULL until sealed; then never changed).
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(BigIntPK)  # no FK: the trail outlives accounts
    actor_username: Mapped[str] = mapped_column(String(64), default="")
    actor_role: Mapped[str] = mapped_column(String(32), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32), default="")
    target_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The data key whose audit key sealed the row (NULL: an unkeyed SHA-256 row from before).
    key_id: Mapped[str | None] = mapped_column(String(16), nullable=True)


class AuditHead(Base):
    """A single row: the last sealed sequence number and hash, with their MAC. Only the sealer
    locks it (appends never do); it reveals rows deleted from the end of the chain."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
    mac: Mapped[str] = mapped_column(String(64), default="")
