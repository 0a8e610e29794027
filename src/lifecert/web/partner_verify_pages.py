"""Certification as a service on the phone: a partner app's signed request opens a one-check
session for the person it names; after the usual face check the person goes back to the
partner with a signed result (partners/verify.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from lifecert.core.errors import AuthenticationRequired
from lifecert.identity.deps import SessionDep
from lifecert.partners import service as partners
from lifecert.partners import verify
from lifecert.web.mobile_pages import start_session

router = APIRouter(include_in_schema=False, prefix="/m/verify")


@router.get("")
def open_request(
    request: Request, session: SessionDep, token: Annotated[str, Query(alias="request",
                                                                       max_length=4000)] = "",
) -> Response:
    verification = verify.open_request(session, token)
    partner = partners.get_partner(session, partner_id=verification.partner_id)
    start_session(request, retiree_id=verification.retiree_id,
                  partner_verification_id=verification.id)
    request.session["partner_name"] = partner.name
    return RedirectResponse("/m/home", status_code=303)


@router.get("/return")
def back_to_partner(request: Request, session: SessionDep) -> Response:
    verification_id = request.session.get("partner_verification_id")
    if not verification_id:
        raise AuthenticationRequired("Please log in again.")
    url = verify.answer(session, verification_id=int(verification_id))
    request.session.clear()  # the partner's session ends here: one check, one answer
    return RedirectResponse(url, status_code=303)
