"""How people reach the phone flow: resident ID number + SMS code, or an invitation link;
and family helpers who certify for their elders."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.certification.models import FamilyHelper, FamilyLink, Invitation, LoginCode
from lifecert.core.crypto import get_keyring
from lifecert.core.db import session_scope, utcnow
from lifecert.core.errors import (
    AuthenticationRequired,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooManyRequests,
)
from lifecert.core.i18n import gettext
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor
from lifecert.core.settings import get_settings
from lifecert.core.sms import get_sms_gateway
from lifecert.retirees.idnumber import parse_id_number
from lifecert.retirees.models import Retiree
from lifecert.retirees.service import get_retiree

CODE_TTL = timedelta(minutes=5)
MAX_INVITE_HOURS = 24 * 14  # the signature's own limit, above any configured validity


def _code_hash(phone: str, code: str) -> str:
    key = get_keyring().current.lookup_key
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def masked_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def _send_code(session: Session, *, phone: str, retiree_id: int | None) -> None:
    recent = (
        session.scalar(
            select(func.count())
            .select_from(LoginCode)
            .where(LoginCode.phone == phone, LoginCode.created_at >= utcnow() - timedelta(hours=1))
        )
        or 0
    )
    last = session.scalar(select(func.max(LoginCode.created_at)).where(LoginCode.phone == phone))
    if recent >= 5 or (last is not None and last > utcnow() - timedelta(seconds=60)):
        raise TooManyRequests("A code was sent a moment ago. Please wait a minute and try again.")
    code = f"{secrets.randbelow(10**6):06d}"
    session.add(
        LoginCode(
            phone=phone,
            retiree_id=retiree_id,
            code_hash=_code_hash(phone, code),
            expires_at=utcnow() + CODE_TTL,
        )
    )
    # The warning is part of every message: scams cluster around certification deadlines.
    text = gettext(
        "[{sender}] Your code is {code}, valid for 5 minutes. Certification is free; "
        "staff never ask for your code or bank PIN.",
        sender=get_settings().sms.sender_name,
        code=code,
    )
    get_sms_gateway().send(phone, text)


def request_retiree_code(session: Session, *, id_number: str) -> str:
    """Send a code to the phone on file; returns the masked number to show."""
    lookup = get_keyring().lookup_hash(parse_id_number(id_number).number)
    retiree = session.scalar(select(Retiree).where(Retiree.id_number_hash == lookup))
    if retiree is None:
        raise NotFound("We could not find this ID number. Check it, or ask your community.")
    if not retiree.phone:
        raise Conflict("No phone number is on file. Please ask your community to add it.")
    _send_code(session, phone=retiree.phone, retiree_id=retiree.id)
    return masked_phone(retiree.phone)


def _count_code_attempt(*conditions: ColumnElement[bool]) -> tuple[int, int] | None:
    """Count one attempt on the newest unused code matching ``conditions``, atomically and in
    its own committed transaction (a refusal, which rolls the request back, still counts;
    parallel guesses cannot share one count). Returns (code id, attempts) or None."""
    newest = (
        select(LoginCode.id)
        .where(LoginCode.used_at.is_(None), *conditions)
        .order_by(LoginCode.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    with session_scope() as own:
        row = own.execute(
            update(LoginCode)
            .where(LoginCode.id == newest)
            .values(attempts=LoginCode.attempts + 1)
            .returning(LoginCode.id, LoginCode.attempts)
        ).one_or_none()
    return (row.id, row.attempts) if row is not None else None


def verify_code(
    session: Session, *, counted: tuple[int, int] | None, phone: str, code: str
) -> None:
    """Check a code whose attempt was counted first (``_count_code_attempt``, before this
    request's session read anything). Past the limit even the right code is refused."""
    if counted is None:
        raise AuthenticationRequired("The code has expired. Ask for a new one.")
    code_id, attempts = counted
    row = session.get_one(LoginCode, code_id)
    if row.expires_at < utcnow():
        raise AuthenticationRequired("The code has expired. Ask for a new one.")
    if attempts > get_settings().work.code_max_attempts:
        raise TooManyRequests("Too many wrong codes. Ask for a new one.")
    if not hmac.compare_digest(row.code_hash, _code_hash(phone, code.strip())):
        raise AuthenticationRequired("The code is not right. Check the text message.")
    used = session.execute(
        update(LoginCode)
        .where(LoginCode.id == row.id, LoginCode.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount  # type: ignore[attr-defined]
    if used != 1:
        raise AuthenticationRequired("The code has expired. Ask for a new one.")


def login_retiree(session: Session, *, id_number: str, code: str) -> Retiree:
    lookup = get_keyring().lookup_hash(parse_id_number(id_number).number)
    owner = select(Retiree.id).where(Retiree.id_number_hash == lookup).scalar_subquery()
    counted = _count_code_attempt(LoginCode.retiree_id == owner)
    retiree = session.scalar(select(Retiree).where(Retiree.id_number_hash == lookup))
    if retiree is None:
        raise AuthenticationRequired("The code is not right. Check the text message.")
    verify_code(session, counted=counted, phone=retiree.phone, code=code)
    return retiree


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key.get_secret_value(), salt="invite")


def issue_invitation(
    session: Session, *, actor: Actor | None, retiree_id: int, hours: int | None = None
) -> str:
    """The token of a new invitation (see :func:`new_invitation`)."""
    return new_invitation(session, actor=actor, retiree_id=retiree_id, hours=hours)[1]


def new_invitation(
    session: Session, *, actor: Actor | None, retiree_id: int, hours: int | None = None
) -> tuple[Invitation, str]:
    """A token for the link or QR code on a notice: one certification, valid for a few days,
    revocable, logged. It holds no personal data and only lets someone *try* a face check for
    this person: the live face is what proves it."""
    if actor is not None:
        get_retiree(
            session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES
        )
    hours = hours or get_settings().certification.invitation_ttl_hours
    invitation = Invitation(
        retiree_id=retiree_id,
        issued_by=(actor.staff_id or None) if actor else None,
        expires_at=utcnow() + timedelta(hours=hours),
    )
    session.add(invitation)
    session.flush()
    record(session, actor=actor, action="invitation.issued", target_type="retiree",
           target_id=retiree_id, details={"invitation_id": invitation.id, "hours": hours})
    return invitation, _serializer().dumps({"v": invitation.id})


def _usable(session: Session, invitation_id: int) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.revoked_at is not None:
        raise AuthenticationRequired("This link is not valid. Log in with your ID number.")
    if invitation.used_at is not None:
        raise AuthenticationRequired(
            "This link was already used for a check. Log in with your ID number."
        )
    if invitation.expires_at < utcnow():
        raise AuthenticationRequired("This link has expired. Log in with your ID number.")
    return invitation


def open_invitation(session: Session, token: str) -> tuple[Retiree, int]:
    """The retiree and the invitation id behind a link (refused once used, revoked, expired)."""
    try:
        data = _serializer().loads(token, max_age=MAX_INVITE_HOURS * 3600)
        invitation_id = int(data["v"])
    except SignatureExpired as exc:
        raise AuthenticationRequired("This link has expired. Log in with your ID number.") from exc
    except (BadSignature, KeyError, TypeError, ValueError) as exc:
        raise AuthenticationRequired("This link is not valid. Log in with your ID number.") from exc
    invitation = _usable(session, invitation_id)
    record(session, actor=None, action="invitation.opened", target_type="retiree",
           target_id=invitation.retiree_id, details={"invitation_id": invitation.id})
    return session.get_one(Retiree, invitation.retiree_id), invitation.id


def ensure_invitation_usable(session: Session, *, invitation_id: int) -> None:
    _usable(session, invitation_id)


def spend_invitation(session: Session, *, invitation_id: int, certification_id: int) -> None:
    """Atomically spend the link on this check (a second check, even in parallel, is refused)."""
    _usable(session, invitation_id)
    spent = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id, Invitation.used_at.is_(None))
        .values(used_at=utcnow(), certification_id=certification_id)
    ).rowcount  # type: ignore[attr-defined]
    if spent != 1:
        raise AuthenticationRequired(
            "This link was already used for a check. Log in with your ID number."
        )


def revoke_invitation(session: Session, *, actor: Actor, invitation_id: int) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound("No such invitation.")
    get_retiree(
        session, actor=actor, retiree_id=invitation.retiree_id,
        permission=Permission.WRITE_RETIREES,
    )
    if invitation.revoked_at is None:
        invitation.revoked_at, invitation.revoked_by = utcnow(), actor.staff_id or None
        record(session, actor=actor, action="invitation.revoked", target_type="retiree",
               target_id=invitation.retiree_id, details={"invitation_id": invitation.id})
    return invitation


# -- family helpers -------------------------------------------------------------------------


def request_helper_code(session: Session, *, phone: str) -> None:
    if not (phone.isdigit() and len(phone) == 11):
        raise InvalidInput("Enter an 11-digit mobile number.")
    _send_code(session, phone=phone, retiree_id=None)


def login_helper(
    session: Session, *, phone: str, code: str, name: str = "", id_number: str = ""
) -> FamilyHelper:
    counted = _count_code_attempt(LoginCode.phone == phone, LoginCode.retiree_id.is_(None))
    verify_code(session, counted=counted, phone=phone, code=code)
    helper = session.scalar(select(FamilyHelper).where(FamilyHelper.phone == phone))
    if helper is None:
        if not name.strip() or not id_number:
            raise InvalidInput("First time: give your name and ID number.")
        number = parse_id_number(id_number).number
        helper = FamilyHelper(
            name=name.strip()[:50], phone=phone, id_number_hash=get_keyring().lookup_hash(number)
        )
        session.add(helper)
        session.flush()
    return helper


def link_elder(
    session: Session, *, helper: FamilyHelper, id_number: str, relation: str
) -> FamilyLink:
    lookup = get_keyring().lookup_hash(parse_id_number(id_number).number)
    retiree = session.scalar(select(Retiree).where(Retiree.id_number_hash == lookup))
    if retiree is None:
        raise NotFound("We could not find this ID number. Check it, or ask your community.")
    count = (
        session.scalar(
            select(func.count()).select_from(FamilyLink).where(FamilyLink.helper_id == helper.id)
        )
        or 0
    )
    if count >= get_settings().certification.max_elders_per_helper:
        raise Conflict("You already help the most elders one account may help.")
    existing = session.scalar(
        select(FamilyLink).where(
            FamilyLink.helper_id == helper.id, FamilyLink.retiree_id == retiree.id
        )
    )
    if existing is not None:
        return existing
    # A request only: it gives no proxy access until the retiree or their community confirms.
    link = FamilyLink(helper_id=helper.id, retiree_id=retiree.id, relation=relation.strip()[:20])
    session.add(link)
    session.flush()
    record(session, actor=None, action="helper.link_requested", target_type="retiree",
           target_id=retiree.id, details={"helper_id": helper.id, "link_id": link.id})
    return link


def ensure_helper_may_certify(session: Session, *, helper: FamilyHelper, retiree_id: int) -> None:
    if helper.verified_at is None:
        raise PermissionDenied(
            "Your helper account is not verified yet. Your community or the "
            "bureau verifies it once, in person or by video call."
        )
    link = session.scalar(
        select(FamilyLink).where(
            FamilyLink.helper_id == helper.id, FamilyLink.retiree_id == retiree_id
        )
    )
    if link is None:
        raise PermissionDenied("Add this elder to your account first.")
    if link.confirmed_at is None:
        raise PermissionDenied(
            "The elder has not confirmed you yet. They confirm on their own phone, or their "
            "community does after checking your ID card."
        )
