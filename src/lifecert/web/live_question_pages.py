"""Questions during a live session. Viewers ask (or raise a hand) over a websocket and receive
the questions the host puts on screen; the host moderates on their page (show, hide, block).

The websocket handler is ``async`` (websockets cannot be otherwise) but keeps the rule of
docs/concurrency.md: every database touch runs in a worker thread with its own session. Shown
questions are read from the database every few seconds, so several app workers need no
shared hub."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Form, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse, RedirectResponse, Response

from lifecert.core.db import session_scope
from lifecert.core.errors import LifeCertError
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.live import questions
from lifecert.retirees.models import Retiree
from lifecert.web.pages import page_actor

router = APIRouter(include_in_schema=False)
FEED_EVERY_S = 3.0


def _ask(retiree_id: int, live_id: int, text: str) -> dict[str, Any]:
    try:
        with session_scope() as session:
            retiree = session.get(Retiree, retiree_id)
            if retiree is None:
                return {"type": "error", "message": "", "code": "not_found"}
            question = questions.ask(session, retiree=retiree, live_id=live_id, text=text)
            return {"type": "asked", "id": question.id, "hand": not question.text}
    except LifeCertError as exc:
        return {"type": "error", "code": exc.code, "message": exc.translated()}


def _shown(live_id: int) -> list[dict[str, Any]]:
    with session_scope() as session:
        return [{"id": q.id, "text": q.text} for q in questions.shown(session, live_id=live_id)]


def _same_origin(websocket: WebSocket) -> bool:
    """Browsers send Origin on websockets; another site's page must not ask in our name."""
    origin = websocket.headers.get("origin", "")
    host = websocket.headers.get("host", "")
    return bool(host) and origin.split("://", 1)[-1] == host


@router.websocket("/m/live/{live_id}/ws")
async def viewer_socket(websocket: WebSocket, live_id: int) -> None:
    retiree_id = websocket.session.get("retiree_id") if "session" in websocket.scope else None
    if not retiree_id or not _same_origin(websocket):
        await websocket.close(code=1008)
        return
    await websocket.accept()
    sent: set[int] = set()
    try:
        while True:
            try:
                message = await asyncio.wait_for(websocket.receive_json(), FEED_EVERY_S)
            except TimeoutError:
                message = None
            if isinstance(message, dict):
                text = str(message.get("text", ""))[:1000] if message.get("type") == "ask" else ""
                answer = await anyio.to_thread.run_sync(_ask, int(retiree_id), live_id, text)
                await websocket.send_json(answer)
            for item in await anyio.to_thread.run_sync(_shown, live_id):
                if item["id"] not in sent:
                    sent.add(item["id"])
                    await websocket.send_json({"type": "shown", **item})
    except WebSocketDisconnect:
        return


@router.get("/live/{live_id}/questions")
def host_questions(request: Request, session: SessionDep, live_id: int) -> JSONResponse:
    rows = questions.for_host(session, actor=page_actor(request, session), live_id=live_id)
    return JSONResponse([
        {"id": q.id, "name": name, "text": q.text, "status": q.status.value,
         "retiree_id": q.retiree_id} for q, name in rows])


@router.post("/live/{live_id}/questions/{question_id}")
def moderate_question(
    request: Request, session: SessionDep, live_id: int, question_id: int,
    csrf: Annotated[str, Form()] = "", show: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    questions.moderate(session, actor=page_actor(request, session), live_id=live_id,
                       question_id=question_id, show=show == "1")
    return RedirectResponse(f"/live/{live_id}#questions", status_code=303)


@router.post("/live/{live_id}/block/{retiree_id}")
def block_viewer(
    request: Request, session: SessionDep, live_id: int, retiree_id: int,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    questions.block(session, actor=page_actor(request, session), live_id=live_id,
                    retiree_id=retiree_id)
    return RedirectResponse(f"/live/{live_id}#questions", status_code=303)
