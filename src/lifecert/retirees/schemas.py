"""API shapes for retirees. Separate from the table so encrypted columns can never leak out."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from lifecert.retirees.models import CertState, Gender, ImportKind, ImportStatus, RetireeStatus


class RetireeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    id_number_masked: str
    name: str
    gender: Gender
    birth_date: date
    phone: str
    address: str
    community_id: int
    status: RetireeStatus
    cert_state: CertState
    valid_until: date | None
    notes: str


class RetireeList(BaseModel):
    items: list[RetireeRead]
    total: int
    offset: int
    limit: int


class RetireeCreate(BaseModel):
    id_number: str = Field(min_length=15, max_length=20)
    name: str = Field(min_length=1, max_length=50)
    community_id: int
    phone: str = Field(default="", max_length=20)
    address: str = Field(default="", max_length=255)
    pension_account: str = Field(default="", max_length=32)
    paying_agency: str = Field(default="", max_length=100)


class RetireeUpdate(BaseModel):
    notes: str = Field(max_length=5000)


class IdNumberRead(BaseModel):
    id_number: str


class TransferCreate(BaseModel):
    to_community_id: int
    reason: str = Field(min_length=1, max_length=255)


class TransferRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    from_community_id: int
    to_community_id: int
    moved_at: datetime
    reason: str


class ImportJobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: ImportKind
    status: ImportStatus
    filename: str
    total: int
    processed: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    error: str
    finished_at: datetime | None
