"""API shapes for life signals."""

from __future__ import annotations

from pydantic import BaseModel, Field

from lifecert.life_signals.models import SourceKind


class SourceCreate(BaseModel):
    code: str = Field(min_length=2, max_length=32, pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=2, max_length=100)
    kind: SourceKind
    trust_level: int = Field(ge=1, le=3)


class SourceCreated(BaseModel):
    id: int
    code: str
    partner_key: str  # shown once


class PolicyUpdate(BaseModel):
    enabled: bool
    sources: list[str] = Field(default_factory=list)
    min_trust: int = Field(default=2, ge=1, le=3)
    max_age_days: int = Field(default=90, ge=1, le=730)
    min_signals: int = Field(default=2, ge=1, le=50)
    min_sources: int = Field(default=1, ge=1, le=5)
    face_every_years: int = Field(default=3, ge=1, le=10)


class SignalEvent(BaseModel):
    id_number: str = Field(max_length=32)
    date: str = Field(max_length=16)


class SignalBatch(BaseModel):
    events: list[SignalEvent] = Field(max_length=10_000)


class BatchResult(BaseModel):
    received: int
    created: int
    refused: list[int]


class Reversal(BaseModel):
    reason: str = Field(min_length=2, max_length=500)


class ReversalRead(BaseModel):
    certification_id: int
    retiree_id: int
    cert_state: str


class SilentRunRead(BaseModel):
    certified: int
    by_source: dict[str, int]


class RegionShareRead(BaseModel):
    region_id: int
    name: str
    certified: int
    silent: int
    share: float


class SourceQualityRead(BaseModel):
    code: str
    name: str
    silent: int
    dead: int
    flagged: bool


class SilentReport(BaseModel):
    regions: list[RegionShareRead]
    by_source: dict[str, int]
    sources: list[SourceQualityRead]
