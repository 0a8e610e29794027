"""Services API: the directory per community, editing at a region, the review queue and
decisions, and allowance payments for the paying agency."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from lifecert.identity.deps import CurrentActor, SessionDep
from lifecert.organisation.service import get_region
from lifecert.services import applications, payments, service
from lifecert.services.models import ApplicationStatus
from lifecert.services.schemas import (
    ApplicationDecision,
    ApplicationRead,
    ServiceRead,
    ServiceUpdate,
)

router = APIRouter(prefix="/api/v1/services", tags=["services"])


@router.get("", response_model=list[ServiceRead])
def directory(
    session: SessionDep, actor: CurrentActor, community_id: int, q: str = ""
) -> list[ServiceRead]:
    community = get_region(session, actor=actor, region_id=community_id)
    rows = service.search_services(session, community=community, query=q)
    return [ServiceRead.model_validate(r) for r in rows]


@router.put("/regions/{region_id}/{code}", response_model=ServiceRead)
def save(
    region_id: int, code: str, body: ServiceUpdate, session: SessionDep, actor: CurrentActor
) -> ServiceRead:
    row = service.save_service(session, actor=actor, region_id=region_id, code=code,
                               data=body.model_dump(exclude_unset=True))
    return ServiceRead.model_validate(row)


@router.get("/applications", response_model=list[ApplicationRead])
def queue(
    session: SessionDep, actor: CurrentActor, status: ApplicationStatus | None = None
) -> list[ApplicationRead]:
    rows = applications.review_queue(session, actor=actor, status=status)
    return [ApplicationRead.model_validate(a) for a, _s, _r in rows]


@router.post("/applications/{application_id}/decision", response_model=ApplicationRead)
def decide(
    application_id: int, body: ApplicationDecision, session: SessionDep, actor: CurrentActor
) -> ApplicationRead:
    app = applications.decide_application(session, actor=actor, application_id=application_id,
                                          decision=body.decision, note=body.note)
    return ApplicationRead.model_validate(app)


@router.get("/allowance-payments")
def allowance_payments(
    session: SessionDep,
    actor: CurrentActor,
    since: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
) -> dict[str, Any]:
    rows = payments.payments_since(session, actor=actor, since_id=since, limit=limit)
    return {"payments": [payments.as_dict(r) for r in rows],
            "next_since": rows[-1][0].id if rows else since}


@router.get("/allowance-payments.csv")
def allowance_payments_csv(
    session: SessionDep, actor: CurrentActor, since: Annotated[int, Query(ge=0)] = 0
) -> Response:
    text = payments.payments_csv(session, actor=actor, since_id=since)
    return Response(text.encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="allowances.csv"'})
