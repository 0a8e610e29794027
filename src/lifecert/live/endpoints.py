"""The engine's callbacks (nginx-rtmp ``on_publish``, ``on_publish_done``, ``on_record_done``).

Not part of the public API: nginx posts a form here, with the callback token the app wrote into
its config. 2xx lets a publisher go on; 403 makes nginx drop the connection at once. The
request boundary commits (a refusal's audit entry too); after on_record_done's commit the
conversion job runs (inline in the embedded mode, before nginx gets its answer, which it does
not wait for)."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Query, Response

from lifecert.core.settings import get_settings
from lifecert.identity.deps import SessionDep
from lifecert.live import service, signing

router = APIRouter(prefix="/internal/live", include_in_schema=False)

Field = Annotated[str, Form(max_length=500)]


def _engine_only(token: str) -> bool:
    return hmac.compare_digest(token, signing.callback_token(get_settings()))


@router.post("/on_publish")
def on_publish(
    session: SessionDep, token: Annotated[str, Query(max_length=64)] = "",
    name: Field = "", key: Field = "",
) -> Response:
    if not _engine_only(token):
        return Response(status_code=403)
    allowed = service.authorise_publish(session, name=name, key=key)
    return Response(status_code=200 if allowed else 403)


@router.post("/on_publish_done")
def on_publish_done(
    session: SessionDep, token: Annotated[str, Query(max_length=64)] = "", name: Field = ""
) -> Response:
    if not _engine_only(token):
        return Response(status_code=403)
    service.publish_done(session, name=name)
    return Response(status_code=200)


@router.post("/on_record_done")
def on_record_done(
    session: SessionDep, token: Annotated[str, Query(max_length=64)] = "",
    name: Field = "", path: Field = "",
) -> Response:
    if not _engine_only(token):
        return Response(status_code=403)
    service.record_done(session, name=name, path=path)
    return Response(status_code=200)
