"""API shapes of the marketplace (tables stay separate: nothing leaks by inheritance)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from lifecert.marketplace.models import (
    ComplaintStatus,
    LimitStatus,
    MerchantStatus,
    OrderStatus,
)


class CategoryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    price_cap: int
    forbidden: bool
    needs_registration: bool
    home_service: bool
    rule_text: str


class CategoryUpdate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    price_cap: int = Field(ge=1, le=1_000_000)
    forbidden: bool = False
    needs_registration: bool = False
    home_service: bool = False
    rule_text: str = Field(default="", max_length=2000)


class MerchantApply(BaseModel):
    name: str = Field(min_length=2, max_length=100)
    licence_no: str = Field(min_length=18, max_length=18)
    phone: str = Field(default="", max_length=20)
    region_id: int
    categories: list[str] = Field(min_length=1, max_length=20)
    homecare_provider_id: int | None = Field(
        default=None, description="Required for home services: the licensed home-care provider.")


class MerchantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    licence_no: str
    region_id: int
    categories: list[str]
    homecare_provider_id: int | None
    status: MerchantStatus
    status_reason: str


class MerchantDecision(BaseModel):
    status: MerchantStatus
    reason: str = Field(default="", max_length=1000)


class OfferCreate(BaseModel):
    category_code: str = Field(max_length=32)
    region_id: int
    title: str = Field(min_length=1, max_length=100)
    description: str = Field(min_length=10, max_length=4000)
    price: int = Field(ge=1, le=1_000_000, description="Total price in yuan, all included.")
    registration_no: str = Field(default="", max_length=60)


class OfferRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    merchant_id: int
    category_code: str
    region_id: int
    title: str
    description: str
    price: int
    registration_no: str
    active: bool


class OrderRead(BaseModel):
    """What a merchant sees of an order: no ID number, no phone."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    offer_id: int
    title: str
    price: int
    status: OrderStatus
    placed_on: date
    cooling_off_until: date
    fulfilled_at: datetime | None
    paid_out_at: datetime | None
    rating: int | None


class ComplaintRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    order_id: int
    merchant_id: int
    retiree_id: int
    reason: str
    text: str
    status: ComplaintStatus
    community_due: date
    bureau_due: date
    answer: str


class ComplaintAnswer(BaseModel):
    answer: str = Field(min_length=5, max_length=2000)


class CallReportCreate(BaseModel):
    retiree_id: int
    merchant_id: int
    called_at: datetime


class LimitCreate(BaseModel):
    retiree_id: int
    monthly_limit: int = Field(ge=1, le=100_000)


class LimitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    retiree_id: int
    monthly_limit: int
    status: LimitStatus


class WorkerAssign(BaseModel):
    staff_id: int = Field(description="A caregiver of the merchant's home-care provider.")
