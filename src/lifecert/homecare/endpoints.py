"""Home-care API: providers, orders, the visit proof from the caregiver's phone, KPIs and the
monthly settlement. Every read and write is scoped by ``homecare.access``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from lifecert.core.errors import InvalidInput, PayloadTooLarge
from lifecert.core.settings import get_settings
from lifecert.core.uploads import check_image_header
from lifecert.core.workpool import reserve_face_work
from lifecert.homecare import access, kpis, orders, providers, service, settlement, visits
from lifecert.homecare.models import ProviderStatus
from lifecert.identity.deps import CurrentActor, SessionDep

router = APIRouter(prefix="/api/v1/homecare", tags=["homecare"])


class ProviderCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    licence_no: str = Field(min_length=1, max_length=64)
    region_ids: list[int] = Field(min_length=1, max_length=200)
    phone: str = Field(default="", max_length=30)


class ProviderDecision(BaseModel):
    status: ProviderStatus
    rating: float | None = Field(default=None, ge=1, le=5)


class OrderCreate(BaseModel):
    plan_id: int
    start: datetime
    end: datetime
    caregiver_id: int | None = None


@router.get("/providers")
def list_providers(session: SessionDep, actor: CurrentActor) -> list[dict[str, Any]]:
    return [service.provider_dict(p) for p in service.visible_providers(session, actor=actor)]


@router.post("/providers", status_code=201)
def create_provider(body: ProviderCreate, session: SessionDep,
                    actor: CurrentActor) -> dict[str, Any]:
    provider = providers.create_provider(session, actor=actor, **body.model_dump())
    return service.provider_dict(provider)


@router.post("/providers/{provider_id}/decision")
def decide_provider(provider_id: int, body: ProviderDecision, session: SessionDep,
                    actor: CurrentActor) -> dict[str, Any]:
    return service.provider_dict(providers.decide_provider(
        session, actor=actor, provider_id=provider_id, status=body.status, rating=body.rating))


@router.get("/orders")
def list_orders(session: SessionDep, actor: CurrentActor) -> list[dict[str, Any]]:
    return [service.order_dict(o) for o in orders.list_orders(session, actor=actor)]


@router.post("/orders", status_code=201)
def create_order(body: OrderCreate, session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    return service.order_dict(orders.create_order(session, actor=actor, **body.model_dump()))


@router.get("/orders/{order_id}")
def get_order(order_id: int, session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    return service.order_dict(access.get_order(session, actor=actor, order_id=order_id))


@router.get("/elders")
def list_elders(session: SessionDep, actor: CurrentActor) -> list[dict[str, Any]]:
    return service.visible_elders(session, actor=actor)


@router.get("/visits/{visit_id}")
def get_visit(visit_id: int, session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    return service.visit_dict(access.get_visit(session, actor=actor, visit_id=visit_id))


@router.post("/visits/{visit_id}/challenge")
def challenge(visit_id: int, session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    visit = visits.issue_visit_challenge(session, actor=actor, visit_id=visit_id)
    return {"nonce": visit.challenge_nonce, "actions": visit.challenge_actions}


def _frames(frames: list[UploadFile], times: str) -> list[visits.Frame]:
    limits, face = get_settings().certification, get_settings().face
    if len(frames) > limits.max_frames:
        raise PayloadTooLarge("Too many pictures were sent at once.")
    try:
        seconds = [float(t) / 1000.0 for t in json.loads(times)]
    except (ValueError, TypeError) as exc:
        raise InvalidInput("The pictures arrived without their times. Please try again.") from exc
    if len(seconds) != len(frames):
        raise InvalidInput("The pictures arrived without their times. Please try again.")
    data = []
    for upload in frames:
        raw = upload.file.read(limits.max_frame_bytes + 1)
        if len(raw) > limits.max_frame_bytes:
            raise PayloadTooLarge("A picture is too large. Please try again.")
        check_image_header(raw, max_pixels=face.max_image_pixels, max_side=face.max_image_side)
        data.append(raw)
    return [visits.Frame(d, s) for d, s in zip(data, seconds, strict=True)]


@router.post("/visits/{visit_id}/worker-face")
def worker_face(visit_id: int, session: SessionDep, actor: CurrentActor,
                frames: list[UploadFile], times: Annotated[str, Form(max_length=20000)]
                ) -> dict[str, Any]:
    visits.own_visit(session, actor, visit_id)  # someone else's visit: 404 before anything
    with reserve_face_work():
        visit = visits.verify_worker_face(session, actor=actor, visit_id=visit_id,
                                          frames=_frames(frames, times))
    return service.visit_dict(visit)


@router.post("/visits/{visit_id}/check-in")
def check_in(visit_id: int, session: SessionDep, actor: CurrentActor,
             latitude: Annotated[float, Form(ge=-90, le=90)],
             longitude: Annotated[float, Form(ge=-180, le=180)],
             accuracy: Annotated[float, Form(ge=0, le=100000)] = 0.0,
             frames: list[UploadFile] | None = None,
             times: Annotated[str, Form(max_length=20000)] = "[]",
             nonce: Annotated[str, Form(max_length=64)] = "",
             route: Annotated[str, Form(pattern="^(face|non_face)$")] = "face") -> dict[str, Any]:
    visits.own_visit(session, actor, visit_id)
    with reserve_face_work():
        visit = visits.check_in_visit(
            session, actor=actor, visit_id=visit_id,
            position=visits.Position(latitude, longitude, accuracy),
            elder_frames=_frames(frames or [], times), nonce=nonce, elder_route=route)
    return service.visit_dict(visit)


@router.post("/visits/{visit_id}/check-out")
def check_out(visit_id: int, session: SessionDep, actor: CurrentActor,
              latitude: Annotated[float, Form(ge=-90, le=90)],
              longitude: Annotated[float, Form(ge=-180, le=180)],
              accuracy: Annotated[float, Form(ge=0, le=100000)] = 0.0,
              photos: list[UploadFile] | None = None) -> dict[str, Any]:
    visits.own_visit(session, actor, visit_id)
    data = [p.file.read(visits.MAX_PHOTO_BYTES + 1) for p in (photos or [])[:6]]
    visit = visits.check_out_visit(session, actor=actor, visit_id=visit_id,
                                   position=visits.Position(latitude, longitude, accuracy),
                                   photos=data)
    return service.visit_dict(visit)


@router.post("/visits/{visit_id}/confirm")
def confirm(visit_id: int, session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    visit = access.get_visit(session, actor=actor, visit_id=visit_id)
    if access.is_provider(actor):  # never the provider itself
        from lifecert.core.errors import NotFound

        raise NotFound("No such visit.")
    return service.visit_dict(visits.confirm_visit(session, actor=actor, visit=visit))


@router.get("/kpis")
def provider_kpis(session: SessionDep, actor: CurrentActor,
                  month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$")],
                  region: str = "") -> list[dict[str, Any]]:
    return kpis.provider_kpis(session, actor=actor, month=month, region_path=region)


@router.post("/settlements", status_code=201)
def prepare(session: SessionDep, actor: CurrentActor,
            month: Annotated[str, Form(pattern=r"^\d{4}-\d{2}$")]) -> dict[str, Any]:
    return service.settlement_dict(settlement.prepare_settlement(session, actor=actor,
                                                                 month=month))


@router.post("/settlements/{settlement_id}/sign")
def sign(settlement_id: int, session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    return service.settlement_dict(settlement.sign_settlement(session, actor=actor,
                                                              settlement_id=settlement_id))


@router.get("/settlements/{settlement_id}.csv")
def export(settlement_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    data = settlement.settlement_csv(session, actor=actor, settlement_id=settlement_id)
    return Response(data, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="settlement.csv"'})

