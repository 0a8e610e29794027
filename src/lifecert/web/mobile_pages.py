"""The retiree's phone pages (and the family helper's): one action per screen, large type."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select

from lifecert.certification import access, family, service, trust
from lifecert.certification.endpoints import client_binding
from lifecert.certification.models import Certification, FamilyHelper, FamilyLink, Outcome
from lifecert.certification.standing import retiree_standing
from lifecert.core.errors import AuthenticationRequired, LifeCertError, NotFound, PermissionDenied
from lifecert.core.i18n import get_locale, gettext
from lifecert.core.security import new_csrf_token
from lifecert.enrollment import service as enrollment
from lifecert.face_engine import message
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.notifications import service as notifications
from lifecert.retirees.models import CertRoute, Retiree
from lifecert.system.clock import scheduler_today
from lifecert.web.templating import render
from lifecert.web.throttle import throttle_address

router = APIRouter(include_in_schema=False, prefix="/m")
MAX_ID = 2**63 - 1  # ids beyond a BIGINT exist nowhere: answer 404, never a database error


def _retiree(request: Request, session: SessionDep) -> Retiree:
    retiree_id = request.session.get("retiree_id")
    retiree = session.get(Retiree, int(retiree_id)) if retiree_id else None
    if retiree is None:
        raise AuthenticationRequired("Please log in again.")
    return retiree


def start_session(request: Request, **values: int) -> None:
    request.session.clear()
    request.session.update({**values, "csrf": new_csrf_token()})
    client_binding(request)


def masked_name(name: str) -> str:
    return name[0] + "*" * (len(name) - 2) + name[-1] if len(name) > 2 else name[0] + "*"


@router.get("", response_class=HTMLResponse)
def start(request: Request) -> HTMLResponse:
    return render(request, "m/start.html")


@router.post("/code", response_class=HTMLResponse)
def send_code(
    request: Request,
    session: SessionDep,
    id_number: Annotated[str, Form(max_length=20)],
    csrf: Annotated[str, Form()] = "",
) -> HTMLResponse:
    verify_form_csrf(request, csrf)
    throttle_address(request)
    try:
        phone = access.request_retiree_code(session, id_number=id_number)
    except LifeCertError as exc:
        session.commit()
        return render(
            request,
            "m/start.html",
            status_code=exc.status_code,
            error=exc.translated(),
            id_number=id_number,
        )
    return render(request, "m/code.html", id_number=id_number, phone=phone)


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    id_number: Annotated[str, Form(max_length=20)],
    code: Annotated[str, Form(max_length=8)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    throttle_address(request)
    try:
        retiree = access.login_retiree(session, id_number=id_number, code=code)
    except LifeCertError as exc:
        session.commit()  # keep the attempt counter
        return render(
            request,
            "m/code.html",
            status_code=exc.status_code,
            id_number=id_number,
            error=exc.translated(),
        )
    start_session(request, retiree_id=retiree.id, own_phone=1)
    return RedirectResponse("/m/home", status_code=303)


@router.get("/i/{token}")
def invitation(request: Request, session: SessionDep, token: str) -> Response:
    retiree, invitation_id = access.open_invitation(session, token)
    # The session may run one check (the invitation's); helper requests need the SMS login.
    start_session(request, retiree_id=retiree.id, invitation_id=invitation_id)
    return RedirectResponse("/m/home", status_code=303)


@router.get("/home", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> HTMLResponse:
    retiree = _retiree(request, session)
    consent = enrollment.active_consent(session, retiree_id=retiree.id)
    return render(
        request,
        "m/home.html",
        retiree=retiree,
        standing=retiree_standing(session, retiree=retiree, today=scheduler_today(session)),
        display_name=masked_name(retiree.name),
        consent=consent,
        non_face=retiree.route == CertRoute.NON_FACE,
        consent_version=enrollment.CONSENT_TEXT_VERSION,
        unread=notifications.inbox_badge(session, retiree_id=retiree.id, locale=get_locale()),
        helper_requests=(
            family.pending_links_for(session, retiree=retiree)
            if request.session.get("own_phone")
            else []
        ),
    )


@router.post("/helpers/{link_id}")
def answer_helper_request(
    request: Request,
    session: SessionDep,
    link_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    accept: Annotated[int, Form(ge=0, le=1)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Only in the retiree's own session (the code went to their phone), never by a link."""
    verify_form_csrf(request, csrf)
    retiree = _retiree(request, session)
    if not request.session.get("own_phone"):
        raise PermissionDenied("Log in with your ID number and the code sent to your phone.")
    family.answer_link_as_retiree(session, retiree=retiree, link_id=link_id, accept=bool(accept))
    return RedirectResponse("/m/home", status_code=303)


@router.post("/consent")
def consent(request: Request, session: SessionDep, csrf: Annotated[str, Form()] = "") -> Response:
    verify_form_csrf(request, csrf)
    enrollment.record_own_consent(session, retiree=_retiree(request, session))
    return RedirectResponse("/m/home", status_code=303)


@router.get("/check", response_class=HTMLResponse)
def check(request: Request, session: SessionDep, retiree_id: int | None = None) -> HTMLResponse:
    if request.session.get("helper_id") and retiree_id is not None:
        return render(request, "m/check.html", retiree_id=retiree_id, result_base="/m/result")
    # No consent, or the in-person route: the page says so and names the human route.
    trust.ensure_face_check_allowed(session, retiree=_retiree(request, session))
    return render(request, "m/check.html", retiree_id=None, result_base="/m/result")


def _own_certification(
    request: Request, session: SessionDep, certification_id: int
) -> Certification:
    """Who asks comes first: a stranger never reaches the lookup (nor learns what exists)."""
    allowed = {request.session.get("retiree_id")} - {None}
    helper_id = request.session.get("helper_id")
    if helper_id:
        allowed |= set(
            session.scalars(
                select(FamilyLink.retiree_id).where(
                    FamilyLink.helper_id == int(helper_id), FamilyLink.confirmed_at.is_not(None)
                )
            )
        )
    if not allowed:
        raise AuthenticationRequired("Please log in again.")
    certification = (
        session.get(Certification, certification_id) if 0 < certification_id <= MAX_ID else None
    )
    if certification is None or certification.retiree_id not in allowed:
        raise NotFound("No such certification.")
    return certification


@router.get("/result/{certification_id}", response_class=HTMLResponse)
def result(request: Request, session: SessionDep, certification_id: int) -> HTMLResponse:
    certification = _own_certification(request, session, certification_id)
    retiree = session.get_one(Retiree, certification.retiree_id)
    return render(
        request,
        "m/result.html",
        c=certification,
        retiree=retiree,
        Outcome=Outcome,
        reason=_reason_text(certification),
        standing=retiree_standing(session, retiree=retiree, today=scheduler_today(session)),
        failures=_failures_today(session, certification),
        helper=bool(request.session.get("helper_id")),
        partner_name=request.session.get("partner_name", ""),
    )


def _failures_today(session: SessionDep, certification: Certification) -> int:
    """Refused checks of this person in the 24 hours before this one (itself included): from
    the second, asking a person comes before trying again."""
    return (
        session.scalar(
            select(func.count()).where(
                Certification.retiree_id == certification.retiree_id,
                Certification.outcome.in_((Outcome.RETRY, Outcome.REJECTED)),
                Certification.counts_as_attempt.is_(True),
                Certification.created_at > certification.created_at - timedelta(days=1),
                Certification.created_at <= certification.created_at,
            )
        )
        or 0
    )


def _reason_text(certification: Certification) -> str:
    """The refusal in plain words, from the engine's reason codes."""
    locale = "zh-CN" if get_locale() == "zh_CN" else "en"
    liveness = certification.evidence.get("liveness", {})
    codes = [a["reason"] for a in liveness.get("actions", []) if not a.get("passed")]
    codes += certification.evidence.get("quality", {}).get("reasons", [])
    if certification.reason == "face_mismatch":
        return gettext(
            "We could not confirm it is you. Try again facing the light, or ask "
            "your community for a home visit."
        )
    return "；".join(dict.fromkeys(message(c, locale) for c in codes if c)) or ""


@router.post("/appeal/{certification_id}")
def appeal(
    request: Request,
    session: SessionDep,
    certification_id: int,
    statement: Annotated[str, Form(max_length=2000)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    certification = _own_certification(request, session, certification_id)
    service.appeal(session, certification=certification, statement=statement)
    return RedirectResponse(f"/m/result/{certification_id}?appealed=1", status_code=303)


@router.get("/helper", response_class=HTMLResponse)
def helper_home(request: Request, session: SessionDep) -> HTMLResponse:
    helper_id = request.session.get("helper_id")
    helper = session.get(FamilyHelper, int(helper_id)) if helper_id else None
    if helper is None:
        return render(request, "m/helper_login.html")
    elders = session.execute(
        select(FamilyLink, Retiree)
        .join(Retiree, FamilyLink.retiree_id == Retiree.id)
        .where(FamilyLink.helper_id == helper.id)
    ).all()
    return render(
        request,
        "m/helper.html",
        helper=helper,
        elders=[(link, r, masked_name(r.name)) for link, r in elders],
    )


@router.post("/helper/code", response_class=HTMLResponse)
def helper_code(
    request: Request,
    session: SessionDep,
    phone: Annotated[str, Form(max_length=20)],
    csrf: Annotated[str, Form()] = "",
) -> HTMLResponse:
    verify_form_csrf(request, csrf)
    try:
        throttle_address(request)
        access.request_helper_code(session, phone=phone)
    except LifeCertError as exc:
        session.commit()
        return render(
            request, "m/helper_login.html", status_code=exc.status_code, error=exc.translated()
        )
    return render(request, "m/helper_login.html", phone=phone, code_sent=True)


@router.post("/helper/login")
def helper_login(
    request: Request,
    session: SessionDep,
    phone: Annotated[str, Form(max_length=20)],
    code: Annotated[str, Form(max_length=8)],
    name: Annotated[str, Form(max_length=50)] = "",
    id_number: Annotated[str, Form(max_length=20)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    try:
        throttle_address(request)
        helper = access.login_helper(
            session, phone=phone, code=code, name=name, id_number=id_number
        )
    except LifeCertError as exc:  # a wrong code: stay in the helper's flow, say what to do
        session.commit()  # (the attempt counters are already committed on their own)
        return render(
            request,
            "m/helper_login.html",
            status_code=exc.status_code,
            error=exc.translated(),
            phone=phone,
            code_sent=True,
            helper_name=name,
        )
    start_session(request, helper_id=helper.id)
    return RedirectResponse("/m/helper", status_code=303)


@router.post("/helper/elders")
def add_elder(
    request: Request,
    session: SessionDep,
    id_number: Annotated[str, Form(max_length=20)],
    relation: Annotated[str, Form(max_length=20)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    helper_id = request.session.get("helper_id")
    if not helper_id:
        raise AuthenticationRequired("Please log in again.")
    helper = session.get_one(FamilyHelper, int(helper_id))
    access.link_elder(session, helper=helper, id_number=id_number, relation=relation)
    return RedirectResponse("/m/helper", status_code=303)


@router.get("/sms", response_class=HTMLResponse)
def dev_sms(request: Request) -> HTMLResponse:
    """Dev only: the text messages the dev gateway would have sent."""
    from lifecert.core.settings import get_settings
    from lifecert.core.sms import DevGateway, get_sms_gateway

    gateway = get_sms_gateway()
    if not get_settings().is_dev or not isinstance(gateway, DevGateway):
        raise NotFound("No such page.")
    return render(request, "m/dev_sms.html", messages=list(gateway.sent))


service_worker_router = APIRouter(include_in_schema=False)


@service_worker_router.get("/sw.js")
def service_worker() -> Response:
    """Served from the root so it may control the phone pages (scope "/")."""
    from fastapi.responses import FileResponse

    from lifecert.web.templating import STATIC_DIR

    return FileResponse(
        STATIC_DIR / "sw.js", media_type="text/javascript", headers={"Cache-Control": "no-cache"}
    )
