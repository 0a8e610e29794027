"""The partner API (``/api/v1/partner``, a partner's key) and its administration
(``/api/v1/partners``, platform staff).

Every partner POST takes an ``Idempotency-Key`` header; reads answer with an ``ETag`` and
honour ``If-None-Match``. Errors are problem details (RFC 9457) like the rest of the API.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.orm import Session

from lifecert.core.errors import AuthenticationRequired, InvalidInput
from lifecert.identity.deps import SessionDep
from lifecert.partners import api, idempotency, keys, service, verify, webhooks
from lifecert.partners.keys import PartnerCaller
from lifecert.partners.models import PartnerScope
from lifecert.partners.schemas import (
    DeathPush,
    DeliveryRead,
    KeyInfo,
    PaymentChangePage,
    PushResult,
    RetireePage,
    RetireeStatusRead,
    SignalPush,
    SubscriptionCreate,
    SubscriptionRead,
    VerificationCreate,
    VerificationStarted,
    problems,
)

router = APIRouter(prefix="/api/v1/partner", tags=["partner"],
                   responses=problems(401, 403, 404, 409, 422, 429))
ID = Path(ge=1, le=2**63 - 1)
_bearer = HTTPBearer(auto_error=False, description="A partner key: lcp_<key id>_<secret>.")


def get_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> PartnerCaller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationRequired("Send a partner key as Authorization: Bearer <key>.")
    return keys.authenticate(credentials.credentials, method=request.method,
                             path=request.url.path)


Caller = Annotated[PartnerCaller, Depends(get_caller)]
IdemKey = Annotated[str, Header(alias="Idempotency-Key", max_length=128,
                                description="Unique per logical request; a retry repeats it.")]


def _etagged(request: Request, body: Any) -> Response:
    data = jsonable_encoder(body)
    raw = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    etag = f'W/"{hashlib.sha256(raw).hexdigest()[:32]}"'
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers={"ETag": etag})
    return JSONResponse(data, headers={"ETag": etag, "Cache-Control": "private, no-cache"})


def _once(session: Session, caller: PartnerCaller, request: Request, key: str, body: BaseModel,
          produce: Callable[[], tuple[int, dict[str, Any]]]) -> JSONResponse:
    status, answer, replayed = idempotency.run_once(
        session, key_id=caller.key_id, idempotency_key=key, path=request.url.path,
        body=body.model_dump(mode="json"), produce=produce)
    return JSONResponse(answer, status_code=status,
                        headers={"Idempotent-Replayed": "true" if replayed else "false"})


@router.get("/me", response_model=KeyInfo)
def me(caller: Caller) -> KeyInfo:
    return KeyInfo(partner=caller.partner_code, key_id=caller.key_id,
                   scopes=sorted(caller.scopes), region_paths=list(caller.actor.region_paths))


@router.get("/retirees", response_model=RetireePage,
            responses={304: {"description": "Not modified (If-None-Match)."}})
def list_retirees(
    request: Request, session: SessionDep, caller: Caller,
    cursor: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=api.MAX_PAGE)] = 100,
    changed_since: datetime | None = None,
    region_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> Response:
    caller.require(PartnerScope.READ_STATUS)
    items, next_cursor = api.retiree_page(session, caller=caller, cursor=cursor, limit=limit,
                                          changed_since=changed_since, region_id=region_id)
    return _etagged(request, RetireePage(items=items, next_cursor=next_cursor))


@router.get("/retirees/{retiree_id}", response_model=RetireeStatusRead,
            responses={304: {"description": "Not modified (If-None-Match)."}})
def get_retiree(request: Request, session: SessionDep, caller: Caller,
                retiree_id: Annotated[int, ID]) -> Response:
    caller.require(PartnerScope.READ_STATUS)
    retiree = api.retiree_status(session, caller=caller, retiree_id=retiree_id)
    return _etagged(request, RetireeStatusRead.model_validate(retiree))


@router.post("/life-signals", response_model=PushResult)
def push_signals(request: Request, body: SignalPush, session: SessionDep, caller: Caller,
                 idempotency_key: IdemKey) -> JSONResponse:
    caller.require(PartnerScope.PUSH_SIGNALS)
    return _once(session, caller, request, idempotency_key, body, lambda: (
        200, api.push_signals(session, caller=caller, events=body.events)))


@router.post("/deaths", response_model=PushResult, status_code=202)
def push_deaths(request: Request, body: DeathPush, session: SessionDep, caller: Caller,
                idempotency_key: IdemKey) -> JSONResponse:
    caller.require(PartnerScope.PUSH_DEATHS)
    return _once(session, caller, request, idempotency_key, body, lambda: (
        202, api.push_deaths(session, caller=caller, deaths=body.deaths)))


@router.get("/payment-changes", response_model=PaymentChangePage)
def payment_changes(
    request: Request, session: SessionDep, caller: Caller,
    since_id: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> Response:
    caller.require(PartnerScope.EXPORT_PAYMENTS)
    items, last = api.payment_page(session, caller=caller, since_id=since_id, limit=limit)
    return _etagged(request, PaymentChangePage(items=items, next_since_id=last))


@router.post("/verifications", response_model=VerificationStarted, status_code=201)
def start_verification(request: Request, body: VerificationCreate, session: SessionDep,
                       caller: Caller, idempotency_key: IdemKey) -> JSONResponse:
    caller.require(PartnerScope.START_CERTIFICATION)
    api.retiree_status(session, caller=caller, retiree_id=body.retiree_id)
    partner = service.get_partner(session, partner_id=caller.partner_id)
    if body.return_url not in partner.return_urls.splitlines():
        raise InvalidInput("The return address is not registered for this partner.",
                           fields={"return_url": "one of the registered return URLs"})

    def produce() -> tuple[int, dict[str, Any]]:
        token = verify.sign_request(partner, retiree_id=body.retiree_id,
                                    return_url=body.return_url)
        url = f"{str(request.base_url).rstrip('/')}/m/verify?{urlencode({'request': token})}"
        return 201, {"url": url, "request": token}

    return _once(session, caller, request, idempotency_key, body, produce)


@router.get("/webhooks", response_model=list[SubscriptionRead])
def list_webhooks(session: SessionDep, caller: Caller) -> list[SubscriptionRead]:
    rows = service.subscriptions_of(session, partner_id=caller.partner_id)
    return [SubscriptionRead.model_validate(s) for s in rows]


@router.post("/webhooks", response_model=SubscriptionRead, status_code=201)
def add_webhook(request: Request, body: SubscriptionCreate, session: SessionDep, caller: Caller,
                idempotency_key: IdemKey) -> JSONResponse:
    caller.require(PartnerScope.READ_STATUS)
    region_ids = keys.region_ids_of(session, key_id=caller.key_id)

    def produce() -> tuple[int, dict[str, Any]]:
        subscription = service.add_subscription(
            session, partner_id=caller.partner_id, url=body.url, event_types=body.event_types,
            region_ids=region_ids, actor=caller.actor)
        return 201, SubscriptionRead.model_validate(subscription).model_dump(mode="json")

    return _once(session, caller, request, idempotency_key, body, produce)


@router.delete("/webhooks/{subscription_id}", status_code=204)
def delete_webhook(session: SessionDep, caller: Caller,
                   subscription_id: Annotated[int, ID]) -> Response:
    subscription = service.own_subscription(session, partner_id=caller.partner_id,
                                            subscription_id=subscription_id)
    subscription.active = False
    return Response(status_code=204)


@router.get("/webhooks/{subscription_id}/deliveries", response_model=list[DeliveryRead])
def deliveries(session: SessionDep, caller: Caller,
               subscription_id: Annotated[int, ID]) -> list[DeliveryRead]:
    service.own_subscription(session, partner_id=caller.partner_id,
                             subscription_id=subscription_id)
    return [delivery_read(d, e.event_id, e.type.value)
            for d, e in webhooks.delivery_log(session, subscription_id=subscription_id)]


def delivery_read(d: Any, event_id: str, event_type: str) -> DeliveryRead:
    return DeliveryRead(id=d.id, event_id=event_id, event_type=event_type, status=d.status,
                        attempts=d.attempts, last_status=d.last_status, last_error=d.last_error,
                        created_at=d.created_at, delivered_at=d.delivered_at,
                        next_attempt_at=d.next_attempt_at)

