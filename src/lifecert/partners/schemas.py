"""Partner API bodies and answers (with examples: the OpenAPI shows them)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from lifecert.partners.models import DeliveryStatus, EventType, PartnerScope

_ID = Field(ge=1, le=2**63 - 1)


class Problem(BaseModel):
    """Every error of the API (RFC 9457 problem details)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "type": "https://lifecert.invalid/problems/permission_denied",
        "title": "permission_denied", "status": 403,
        "detail": "This API key does not cover this person's region.",
        "request_id": "6f1c0d8e2b7a4c1f"}]})

    type: str
    title: str
    status: int
    detail: str
    request_id: str = ""
    fields: dict[str, str] | None = None


def problems(*codes: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI ``responses`` naming the problem answers a route gives."""
    words = {400: "Bad request", 401: "Missing, unknown, expired or revoked key",
             403: "Outside the key's scope or regions", 404: "Not found",
             409: "Idempotency-Key reused with another body", 422: "Invalid input",
             429: "Rate limit: see Retry-After"}
    return {code: {"model": Problem, "description": words.get(code, "Error"),
                   "content": {"application/problem+json": {
                       "schema": {"$ref": "#/components/schemas/Problem"}}}} for code in codes}


class RetireeStatusRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "id": 42, "community_id": 9, "status": "active", "cert_state": "certified",
        "valid_until": "2027-12-01", "last_certified_at": "2026-12-01T08:30:00Z",
        "updated_at": "2026-12-01T08:30:00Z"}]})

    id: int
    community_id: int
    status: str
    cert_state: str
    valid_until: date | None
    last_certified_at: datetime | None
    updated_at: datetime


class RetireePage(BaseModel):
    items: list[RetireeStatusRead]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next page; null on the last page.")


class SignalItem(BaseModel):
    id_number: str = Field(max_length=32, examples=["430102194806010075"])
    date: str = Field(max_length=16, examples=["2026-12-01"])


class SignalPush(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "events": [{"id_number": "430102194806010075", "date": "2026-12-01"}]}]})

    events: list[SignalItem] = Field(min_length=1, max_length=1000)


class PushResult(BaseModel):
    received: int
    accepted: int
    refused: list[int] = Field(description="Positions (from 0) not accepted: unknown person, "
                               "outside the key's regions, or invalid.")
    job_id: int | None = None


class DeathItem(BaseModel):
    id_number: str = Field(max_length=32, examples=["430102194806010075"])
    name: str = Field(default="", max_length=50, examples=["张桂兰"])
    date_of_death: date = Field(examples=["2026-11-28"])
    certificate_no: str = Field(default="", max_length=64, examples=["D2026-000123"])


class DeathPush(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"deaths": [{
        "id_number": "430102194806010075", "name": "张桂兰", "date_of_death": "2026-11-28",
        "certificate_no": "D2026-000123"}]}]})

    deaths: list[DeathItem] = Field(min_length=1, max_length=1000)


class PaymentChangeRead(BaseModel):
    id: int
    retiree_id: int
    action: str
    effective_on: date | None = None
    details: dict[str, object] = {}


class PaymentChangePage(BaseModel):
    items: list[dict[str, object]]
    next_since_id: int


class VerificationCreate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "retiree_id": 42, "return_url": "https://bank.example/lifecert/return"}]})

    retiree_id: int = _ID
    return_url: str = Field(max_length=500)


class VerificationStarted(BaseModel):
    url: str = Field(description="Send the retiree's browser here (/m/verify?request=…).")
    request: str


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "url": "https://bank.example/hooks/lifecert", "event_types": ["certified", "suspended"]}]})

    url: str = Field(max_length=500)
    event_types: list[EventType] = Field(min_length=1, max_length=10)


class SubscriptionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    event_types: list[str]
    region_ids: list[int]
    created_at: datetime


class DeliveryRead(BaseModel):
    id: int
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None
    next_attempt_at: datetime


class KeyInfo(BaseModel):
    partner: str
    key_id: str
    scopes: list[str]
    region_paths: list[str]


class PartnerCreate(BaseModel):
    code: str = Field(min_length=1, max_length=32, examples=["hn-bank"])
    name: str = Field(max_length=100, examples=["湖南省农村信用社"])
    return_urls: list[str] = Field(default=[], max_length=20)
    signal_source_code: str = Field(default="", max_length=32)


class PartnerCreated(BaseModel):
    id: int
    code: str
    signing_key_id: str
    signing_secret: str = Field(description="Shown once: signs webhooks and verifications.")


class PartnerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    signing_key_id: str
    active: bool


class KeyCreate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "scopes": ["read_status", "start_certification"], "region_ids": [3], "days": 365}]})

    scopes: list[PartnerScope] = Field(min_length=1, max_length=5)
    region_ids: list[int] = Field(min_length=1, max_length=100)
    days: int = Field(default=365, ge=1, le=3650)
    label: str = Field(default="", max_length=100)
    rate_per_minute: int = Field(default=600, ge=1, le=100_000)


class KeyCreated(BaseModel):
    key_id: str
    token: str = Field(description="Shown once: send as Authorization: Bearer <token>.")
    expires_at: datetime | None


class DeadLetterRead(BaseModel):
    id: int
    subscription_id: int
    partner_id: int
    url: str
    event_id: str
    event_type: str
    attempts: int
    last_status: int | None
    last_error: str
