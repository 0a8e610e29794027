"""API shapes for life signals."""

from __future__ import annotations

from pydantic import BaseModel, Field


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
