"""Certification API: challenge, submit frames, payments changes for the paying agency."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from lifecert.certification import payments, service
from lifecert.certification.access import (
    ensure_helper_may_certify,
    ensure_invitation_usable,
    revoke_invitation,
    spend_invitation,
)
from lifecert.certification.budget import capture_plan
from lifecert.certification.challenges import Helper, claim_challenge_now, issue_challenge
from lifecert.certification.cycle import Policy, set_policy
from lifecert.certification.decide import Context, Frame
from lifecert.certification.models import CertMode, FamilyHelper, Outcome
from lifecert.core.client import client_address
from lifecert.core.errors import (
    AuthenticationRequired,
    InvalidInput,
    PayloadTooLarge,
    PermissionDenied,
)
from lifecert.core.faces import get_face_engine
from lifecert.core.i18n import get_locale
from lifecert.core.limits import hit_limit
from lifecert.core.roles import Permission
from lifecert.core.security import csrf_matches
from lifecert.core.settings import get_settings
from lifecert.core.uploads import check_image_header
from lifecert.core.workpool import reserve_face_work, run_face_work
from lifecert.face_engine import FaceEngineError, message
from lifecert.identity.deps import CurrentActor, SessionDep, resolve_actor
from lifecert.organisation.service import get_region
from lifecert.retirees.service import get_retiree
from lifecert.system.clock import local_now

router = APIRouter(prefix="/api/v1", tags=["certification"])


def client_binding(request: Request) -> str:
    binding = request.session.get("binding")
    if not binding:
        import secrets

        binding = secrets.token_urlsafe(24)
        request.session["binding"] = binding
    return str(binding)


def _check_csrf(request: Request) -> None:
    if not csrf_matches(request.session.get("csrf"), request.headers.get("x-csrf-token")):
        raise PermissionDenied("The page has expired. Reload it and try again.")


def _who(request: Request, session: Any, retiree_id: int | None) -> tuple[int, CertMode, Helper]:
    """The retiree themself, a verified family helper, or a staff member at a home visit."""
    if request.session.get("staff_id"):
        actor = resolve_actor(request, session, csrf_header_required=True)
        if retiree_id is None:
            raise InvalidInput("Choose the retiree.")
        get_retiree(
            session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES
        )
        return retiree_id, CertMode.HOME_VISIT, Helper(staff_id=actor.staff_id)
    _check_csrf(request)
    helper_id = request.session.get("helper_id")
    if helper_id and retiree_id is not None:
        helper = session.get_one(FamilyHelper, int(helper_id))
        ensure_helper_may_certify(session, helper=helper, retiree_id=retiree_id)
        return retiree_id, CertMode.PROXY, Helper(family_id=helper.id)
    own = request.session.get("retiree_id")
    if own is None:
        raise AuthenticationRequired("Please log in again.")
    invitation_id = request.session.get("invitation_id")
    if invitation_id:  # a link on a notice: one check only
        ensure_invitation_usable(session, invitation_id=int(invitation_id))
    return int(own), CertMode.SELF, Helper()


@router.post("/certify/challenge")
def new_challenge(
    request: Request, session: SessionDep, retiree_id: Annotated[int | None, Form()] = None
) -> dict[str, Any]:
    who, mode, helper = _who(request, session, retiree_id)
    session.commit()  # end the read: SQLite cannot write after another commit otherwise
    per_day = get_settings().work.challenges_per_day
    hit_limit(f"challenge:{who}:{local_now().date().isoformat()}", limit=per_day, window_s=86400)
    challenge = issue_challenge(
        session, retiree_id=who, mode=mode, client_binding=client_binding(request), helper=helper
    )
    return {
        "nonce": challenge.nonce,
        "actions": challenge.actions,
        "expires_at": challenge.expires_at.isoformat(),
        "ttl_seconds": get_settings().certification.challenge_ttl_s,
        "capture": capture_plan(challenge.actions),  # the phone page obeys; more is refused
    }


@router.post("/certify/hint")
def quality_hint(
    request: Request,
    session: SessionDep,
    frame: UploadFile,
    retiree_id: Annotated[int | None, Form()] = None,
) -> dict[str, Any]:
    """Live advice while the person gets ready ("move closer", "too dark"). Decides nothing."""
    _who(request, session, retiree_id)
    data = _read_frame(frame)
    engine = get_face_engine()
    try:
        quality = run_face_work(lambda: engine.quality(engine.decode(data)))
    except FaceEngineError as exc:
        raise InvalidInput("The picture could not be read.") from exc
    locale = "zh-CN" if get_locale() == "zh_CN" else "en"
    return {
        "ok": quality.ok,
        "reasons": list(quality.reasons),
        "messages": [message(code, locale) for code in quality.reasons],
    }


def _read_frame(upload: UploadFile) -> bytes:
    """One picture's bytes, refused when the file or its declared size is not phone-sized."""
    limit = get_settings().certification.max_frame_bytes
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge("A picture is too large. Please try again.")
    face = get_settings().face
    check_image_header(data, max_pixels=face.max_image_pixels, max_side=face.max_image_side)
    return data


@router.post("/certify/submit")
def submit(
    request: Request,
    session: SessionDep,
    frames: list[UploadFile],
    nonce: Annotated[str, Form(max_length=64)],
    times: Annotated[str, Form(max_length=20000)],
    latitude: Annotated[float | None, Form(ge=-90, le=90)] = None,
    longitude: Annotated[float | None, Form(ge=-180, le=180)] = None,
) -> dict[str, Any]:
    if not request.session.get("staff_id"):
        _check_csrf(request)
    binding = client_binding(request)
    # A place on the face-work pool first (busy: 503, the nonce is kept for the retry); then
    # the nonce is spent in its own committed transaction: whatever happens next, it is used.
    with reserve_face_work():
        challenge_id = claim_challenge_now(nonce=nonce, client_binding=binding)
        ip = client_address(request)
        limits = get_settings().certification
        if len(frames) > limits.max_frames:
            raise PayloadTooLarge("Too many pictures were sent at once.")
        try:
            seconds = [float(t) / 1000.0 for t in json.loads(times)]
        except (ValueError, TypeError) as exc:
            raise InvalidInput(
                "The pictures arrived without their times. Please try again."
            ) from exc
        if len(seconds) != len(frames):
            raise InvalidInput("The pictures arrived without their times. Please try again.")
        data = [_read_frame(upload) for upload in frames]
        context = Context(
            device=request.headers.get("user-agent", ""),
            ip=ip,
            latitude=latitude,
            longitude=longitude,
        )
        certification = service.certify_claimed(
            session,
            challenge_id=challenge_id,
            frames=[Frame(d, s) for d, s in zip(data, seconds, strict=True)],
            context=context,
        )
    invitation_id = request.session.get("invitation_id")
    if invitation_id and certification.outcome != Outcome.SYSTEM_FAULT:
        # One check per link (our own failure does not spend it); a second one is refused
        # and nothing of it is kept.
        spend_invitation(
            session, invitation_id=int(invitation_id), certification_id=certification.id
        )
    return {
        "id": certification.id,
        "outcome": certification.outcome.value,
        "reason": certification.reason,
        "valid_until": certification.valid_until.isoformat() if certification.valid_until else None,
    }


@router.get("/payments/changes")
def payment_changes(
    session: SessionDep,
    actor: CurrentActor,
    since: Annotated[int, Query(ge=0, description="Return changes with an id above this")] = 0,
    limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
) -> dict[str, Any]:
    rows = payments.changes_since(session, actor=actor, since_id=since, limit=limit)
    return {
        "changes": [payments.as_dict(row) for row in rows],
        "next_since": rows[-1][0].id if rows else since,
    }


@router.get("/payments/changes.csv")
def payment_changes_csv(
    session: SessionDep,
    actor: CurrentActor,
    since: Annotated[int, Query(ge=0)] = 0,
    day: date | None = None,
) -> Response:
    text = payments.changes_csv(session, actor=actor, since_id=since, day=day)
    return Response(
        text.encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="payment-changes.csv"'},
    )


class PolicyBody(BaseModel):
    cycle_days: int = Field(ge=30, le=1100)
    due_soon_days: int = Field(ge=1, le=180)
    grace_days: int = Field(ge=0, le=365)


@router.put("/regions/{region_id}/cycle-policy")
def put_cycle_policy(
    region_id: int, body: PolicyBody, session: SessionDep, actor: CurrentActor
) -> dict[str, int]:
    """A region's certification cycle (e.g. 6 months); applies to certifications from now on."""
    region = get_region(session, actor=actor, region_id=region_id)
    actor.require(Permission.READ_FULL_ID_NUMBER)  # bureau officers and admins
    set_policy(session, region_id=region.id, policy=Policy(**body.model_dump()), actor=actor)
    return {"region_id": region.id, **body.model_dump()}


@router.post("/invitations/{invitation_id}/revoke")
def revoke(
    invitation_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    session: SessionDep,
    actor: CurrentActor,
) -> dict[str, Any]:
    """A notice was lost or sent to the wrong person: its link stops working (logged)."""
    invitation = revoke_invitation(session, actor=actor, invitation_id=invitation_id)
    return {"id": invitation.id, "revoked_at": invitation.revoked_at}
