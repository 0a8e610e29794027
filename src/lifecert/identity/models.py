"""Credentials for integrations: API tokens (only their hash is stored)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lifecert.core.db import Base, BigIntPK, IdMixin, TimestampMixin, UTCDateTime


class ApiToken(IdMixin, TimestampMixin, Base):
    __tablename__ = "api_token"

    staff_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("staff.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    # First characters shown in lists so an operator can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
