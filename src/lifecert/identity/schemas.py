from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    valid_days: int | None = Field(default=365, ge=1, le=3650)


class TokenCreated(BaseModel):
    id: int
    name: str
    token: str = Field(description="Shown once; store it safely.")
    expires_at: datetime | None
