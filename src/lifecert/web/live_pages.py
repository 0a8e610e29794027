"""Live pages: the host's (OBS instructions, stream key, viewer count, the recording to approve)
and the resident's phone page (one huge play button, the player renews its signed URL and
reconnects by itself). HLS comes from the engine's origin, so these pages widen the CSP's
connect-src/media-src to that origin only."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from lifecert.core.errors import InvalidInput
from lifecert.core.i18n import N_
from lifecert.core.web_security import CSP
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.live import questions, service
from lifecert.live.labels import recording_label, status_label
from lifecert.live.models import AudienceKind
from lifecert.organisation import service as organisation
from lifecert.organisation.models import RegionLevel
from lifecert.system.clock import local_zone
from lifecert.web.mobile_pages import _retiree as current_retiree
from lifecert.web.pages import page_actor
from lifecert.web.templating import render

router = APIRouter(include_in_schema=False)


def _with_hls_csp(response: HTMLResponse) -> HTMLResponse:
    parts = urlsplit(service.public_hls_url())
    origin = f"{parts.scheme}://{parts.netloc}"
    policy = CSP.replace("connect-src 'self'", f"connect-src 'self' {origin}")
    response.headers["Content-Security-Policy"] = policy.replace(
        "media-src 'self' blob:", f"media-src 'self' blob: {origin}")
    return response


def _host_page(request: Request, session: SessionDep, live_id: int, **extra: Any) -> HTMLResponse:
    actor = page_actor(request, session)
    live = service.get_for_staff(session, actor=actor, live_id=live_id)
    watching, total = service.viewer_count(session, live)
    return _with_hls_csp(render(
        request, "live_host.html", live=live, watching=watching, total=total,
        questions=questions.for_host(session, actor=actor, live_id=live.id),
        attendance=service.attendance_for_host(session, actor=actor, live_id=live.id),
        rtmp_url=service.public_rtmp_url(), status=status_label(live.status),
        recording=recording_label(live.recording_status), **extra))


@router.get("/live", response_class=HTMLResponse)
def host_list(request: Request, session: SessionDep, error: str = "") -> HTMLResponse:
    actor = page_actor(request, session)
    rows = service.sessions_for_staff(session, actor=actor)
    communities = organisation.list_regions(session, actor=actor, level=RegionLevel.COMMUNITY)
    return render(request, "live_list.html", rows=rows, status_label=status_label,
                  communities=communities, error=error)


@router.post("/live")
def schedule(
    request: Request, session: SessionDep, csrf: Annotated[str, Form()] = "",
    title: Annotated[str, Form(max_length=200)] = "",
    community_id: Annotated[int, Form()] = 0,
    starts_at: Annotated[str, Form(max_length=20)] = "",
    minutes: Annotated[int, Form(ge=10, le=600)] = 60,
) -> Response:
    """The caller hosts a live event for the residents of one of their communities."""
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    try:
        start = datetime.fromisoformat(starts_at).replace(tzinfo=local_zone())
    except ValueError as exc:
        raise InvalidInput(N_("Give the start as a date and time."),
                           fields={"starts_at": "format"}) from exc
    live, key = service.schedule_session(session, actor=actor, data=service.NewLiveSession(
        title=title, host_id=actor.staff_id, starts_at=start,
        ends_at=start + timedelta(minutes=minutes), audience_kind=AudienceKind.COMMUNITY,
        community_id=community_id or None))
    return _host_page(request, session, live.id, stream_key=key)


@router.get("/live/{live_id}", response_class=HTMLResponse)
def host_page(request: Request, session: SessionDep, live_id: int) -> HTMLResponse:
    return _host_page(request, session, live_id)


@router.post("/live/{live_id}/key", response_class=HTMLResponse)
def new_key(
    request: Request, session: SessionDep, live_id: int, csrf: Annotated[str, Form()] = ""
) -> HTMLResponse:
    verify_form_csrf(request, csrf)
    key = service.reset_stream_key(session, actor=page_actor(request, session), live_id=live_id)
    return _host_page(request, session, live_id, stream_key=key)


@router.post("/live/{live_id}/publish-recording")
def publish_recording(
    request: Request, session: SessionDep, live_id: int, csrf: Annotated[str, Form()] = ""
) -> Response:
    verify_form_csrf(request, csrf)
    service.approve_recording(session, actor=page_actor(request, session), live_id=live_id)
    return RedirectResponse(f"/live/{live_id}", status_code=303)


@router.get("/live/{live_id}/stats")
def host_stats(request: Request, session: SessionDep, live_id: int) -> JSONResponse:
    """Polled by the host page: viewers now and in total, the stream's state."""
    live = service.get_for_staff(session, actor=page_actor(request, session), live_id=live_id)
    watching, total = service.viewer_count(session, live)
    return JSONResponse({"watching": watching, "total": total, "status": live.status.value})


@router.get("/live/{live_id}/preview")
def host_preview(request: Request, session: SessionDep, live_id: int) -> JSONResponse:
    url = service.host_preview_url(session, actor=page_actor(request, session), live_id=live_id)
    return JSONResponse({"url": url.url, "expires": url.expires, "on_demand": url.on_demand})


@router.get("/m/live", response_class=HTMLResponse)
def viewer_list(request: Request, session: SessionDep) -> HTMLResponse:
    retiree = current_retiree(request, session)
    rows = service.sessions_for_retiree(session, retiree=retiree)
    return render(request, "m/live_list.html", rows=rows, status_label=status_label)


@router.get("/m/live/{live_id}", response_class=HTMLResponse)
def viewer_page(request: Request, session: SessionDep, live_id: int) -> HTMLResponse:
    retiree = current_retiree(request, session)
    live = service.get_for_retiree(session, retiree=retiree, live_id=live_id)
    page = render(request, "m/live.html", live=live, status=status_label(live.status))
    return _with_hls_csp(page)


@router.get("/m/live/{live_id}/play")
def viewer_play(request: Request, session: SessionDep, live_id: int) -> JSONResponse:
    """A fresh signed play URL for this resident (the player calls it again before expiry)."""
    retiree = current_retiree(request, session)
    url = service.play_url(session, retiree=retiree, live_id=live_id)
    return JSONResponse({"url": url.url, "expires": url.expires, "on_demand": url.on_demand})
