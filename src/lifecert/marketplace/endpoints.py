"""Marketplace API: the bureau's categories and merchant decisions, a merchant's own offers
(with photo) and orders, complaints for the community and bureau, call reports and proposed
spending limits. Every route is scoped: a merchant reaches only its own rows."""

from __future__ import annotations

from fastapi import APIRouter, UploadFile

from lifecert.core.roles import Permission
from lifecert.core.uploads import read_upload
from lifecert.identity.deps import CurrentActor, SessionDep
from lifecert.marketplace import (
    catalogue,
    complaints,
    limits,
    merchants,
    orders,
    service,
    visits,
)
from lifecert.marketplace.policy import MAX_PHOTO_BYTES
from lifecert.marketplace.schemas import (
    CallReportCreate,
    CategoryRead,
    CategoryUpdate,
    ComplaintAnswer,
    ComplaintRead,
    LimitCreate,
    LimitRead,
    MerchantApply,
    MerchantDecision,
    MerchantRead,
    OfferCreate,
    OfferRead,
    OrderRead,
    WorkerAssign,
)
from lifecert.organisation.service import get_region
from lifecert.retirees.service import get_retiree

router = APIRouter(prefix="/api/v1/marketplace", tags=["marketplace"])


@router.get("/categories", response_model=list[CategoryRead])
def list_categories(session: SessionDep, actor: CurrentActor) -> list[CategoryRead]:
    return [CategoryRead.model_validate(c) for c in merchants.categories(session)]


@router.put("/categories/{code}", response_model=CategoryRead)
def save_category(
    code: str, body: CategoryUpdate, session: SessionDep, actor: CurrentActor
) -> CategoryRead:
    row = merchants.save_category(session, actor=actor, code=code, **body.model_dump())
    return CategoryRead.model_validate(row)


@router.post("/merchants", response_model=MerchantRead, status_code=201)
def apply_merchant(body: MerchantApply, session: SessionDep, actor: CurrentActor) -> MerchantRead:
    region = get_region(session, actor=actor, region_id=body.region_id)
    row = merchants.apply_merchant(session, name=body.name, licence_no=body.licence_no,
                                   phone=body.phone, region=region,
                                   category_codes=body.categories,
                                   homecare_provider_id=body.homecare_provider_id)
    return MerchantRead.model_validate(row)


@router.get("/merchants", response_model=list[MerchantRead])
def list_merchants(session: SessionDep, actor: CurrentActor) -> list[MerchantRead]:
    return [MerchantRead.model_validate(m) for m in merchants.list_merchants(session, actor=actor)]


@router.post("/merchants/{merchant_id}/decision", response_model=MerchantRead)
def decide_merchant(
    merchant_id: int, body: MerchantDecision, session: SessionDep, actor: CurrentActor
) -> MerchantRead:
    row = merchants.decide_merchant(session, actor=actor, merchant_id=merchant_id,
                                    status=body.status, reason=body.reason)
    return MerchantRead.model_validate(row)


@router.get("/offers", response_model=list[OfferRead])
def my_offers(session: SessionDep, actor: CurrentActor) -> list[OfferRead]:
    return [OfferRead.model_validate(o) for o in catalogue.merchant_offers(session, actor=actor)]


@router.post("/offers", response_model=OfferRead, status_code=201)
def create_offer(body: OfferCreate, session: SessionDep, actor: CurrentActor) -> OfferRead:
    row = catalogue.create_offer(session, actor=actor, **body.model_dump())
    return OfferRead.model_validate(row)


@router.post("/offers/{offer_id}/photo", response_model=OfferRead)
def upload_photo(
    offer_id: int, photo: UploadFile, session: SessionDep, actor: CurrentActor
) -> OfferRead:
    data = read_upload(photo, max_bytes=MAX_PHOTO_BYTES)
    row = catalogue.set_offer_photo(session, actor=actor, offer_id=offer_id, data=data)
    return OfferRead.model_validate(row)


@router.delete("/offers/{offer_id}", response_model=OfferRead)
def withdraw_offer(offer_id: int, session: SessionDep, actor: CurrentActor) -> OfferRead:
    return OfferRead.model_validate(catalogue.withdraw_offer(session, actor=actor,
                                                             offer_id=offer_id))


@router.get("/orders", response_model=list[OrderRead])
def my_orders(session: SessionDep, actor: CurrentActor) -> list[OrderRead]:
    merchant = merchants.merchant_of(session, actor=actor)
    rows = orders.merchant_orders(session, merchant_id=merchant.id)
    return [OrderRead.model_validate(o) for o in rows]


@router.post("/orders/{order_id}/visit", status_code=201)
def assign_worker(
    order_id: int, body: WorkerAssign, session: SessionDep, actor: CurrentActor
) -> dict[str, int]:
    """Send a caregiver; the visit is then proven on the caregiver's phone (home care)."""
    return {"visit_id": visits.assign_worker(session, actor=actor, order_id=order_id,
                                             staff_id=body.staff_id)}


@router.get("/complaints", response_model=list[ComplaintRead])
def complaint_queue(session: SessionDep, actor: CurrentActor) -> list[ComplaintRead]:
    rows = complaints.complaints_in_scope(session, actor=actor)
    return [ComplaintRead.model_validate(c) for c in rows]


@router.post("/complaints/{complaint_id}/answer", response_model=ComplaintRead)
def answer_complaint(
    complaint_id: int, body: ComplaintAnswer, session: SessionDep, actor: CurrentActor
) -> ComplaintRead:
    row = complaints.answer_complaint(session, actor=actor, complaint_id=complaint_id,
                                      answer=body.answer)
    return ComplaintRead.model_validate(row)


@router.post("/call-reports", status_code=201)
def report_call(body: CallReportCreate, session: SessionDep, actor: CurrentActor) -> dict[str, int]:
    row = service.report_call(session, actor=actor, retiree_id=body.retiree_id,
                              merchant_id=body.merchant_id, called_at=body.called_at)
    return {"id": row.id}


@router.post("/spending-limits", response_model=LimitRead, status_code=201)
def propose_limit(body: LimitCreate, session: SessionDep, actor: CurrentActor) -> LimitRead:
    """Proposed by a worker; in force only after the elder agrees on their phone."""
    get_retiree(session, actor=actor, retiree_id=body.retiree_id,
                permission=Permission.WRITE_RETIREES)
    row = limits.propose_limit(session, retiree_id=body.retiree_id,
                               monthly_limit=body.monthly_limit, staff_id=actor.staff_id or None)
    return LimitRead.model_validate(row)
