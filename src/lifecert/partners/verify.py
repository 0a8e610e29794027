"""Certification as a service: a partner app sends a retiree to ``/m/verify?request=…`` and
gets them back with a signed, short-lived result.

The request is signed by the partner (its signing secret), names the retiree and a return URL
registered for the partner, and carries a nonce: LifeCert opens each nonce once. The result
names the outcome of the face check done in between — never a picture or a face vector — is
valid for five minutes and repeats the nonce, which the partner accepts once (see
examples/partner_app). A partner may only start checks for people in the regions of one of
its keys that has the ``start_certification`` scope.
"""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.certification.models import Certification
from lifecert.core.db import utcnow
from lifecert.core.errors import AuthenticationRequired, InvalidInput, PermissionDenied
from lifecert.organisation.models import Region
from lifecert.partners.models import Partner, PartnerKey, PartnerScope, PartnerVerification
from lifecert.partners.signing import secret_of, sign_token, unverified_claims, verify_token
from lifecert.retirees.models import Retiree

REQUEST_TYP = "lifecert.verify.request"
RESULT_TYP = "lifecert.verify.result"
MAX_REQUEST_S = 3600
RESULT_TTL_S = 300


def sign_request(partner: Partner, *, retiree_id: int, return_url: str, ttl_s: int = 900
                 ) -> str:
    """What a partner does on its side (also offered by the API for partners without code)."""
    claims = {"typ": REQUEST_TYP, "partner": partner.code, "retiree_id": retiree_id,
              "return_url": return_url, "nonce": secrets.token_urlsafe(16),
              "exp": int(time.time()) + min(ttl_s, MAX_REQUEST_S)}
    return sign_token(secret_of(partner), claims)


def _registered(partner: Partner, url: str) -> bool:
    return url in partner.return_urls.splitlines()


def _may_certify(session: Session, partner: Partner, retiree: Retiree) -> bool:
    now = utcnow()
    for key in session.scalars(select(PartnerKey).where(
        PartnerKey.partner_id == partner.id, PartnerKey.revoked_at.is_(None))
    ):
        if PartnerScope.START_CERTIFICATION.value not in key.scopes or (
            key.expires_at is not None and key.expires_at <= now
        ):
            continue
        paths = session.scalars(select(Region.path).where(Region.id.in_(key.region_ids or [-1])))
        if any(retiree.community.path.startswith(p) for p in paths):
            return True
    return False


def checked_claims(session: Session, token: str) -> tuple[Partner, dict[str, Any]]:
    claims = unverified_claims(token)
    partner = session.scalar(select(Partner).where(Partner.code == str(claims.get("partner"))))
    if partner is None or not partner.active:
        raise AuthenticationRequired("The signed request is not valid.")
    claims = verify_token(secret_of(partner), token)
    if claims.get("typ") != REQUEST_TYP:
        raise AuthenticationRequired("The signed request is not valid.")
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp < time.time() or exp > time.time() + MAX_REQUEST_S:
        raise AuthenticationRequired("This request has expired. Go back and start again.")
    if not _registered(partner, str(claims.get("return_url", ""))):
        raise PermissionDenied("The return address is not registered for this partner.")
    return partner, claims


def open_request(session: Session, token: str) -> PartnerVerification:
    """The verification a signed request starts; a nonce seen before is refused."""
    partner, claims = checked_claims(session, token)
    retiree_id, nonce = claims.get("retiree_id"), claims.get("nonce")
    if not isinstance(retiree_id, int) or not isinstance(nonce, str) or not 8 <= len(nonce) <= 64:
        raise InvalidInput("The signed request is not valid.")
    retiree = session.get(Retiree, retiree_id) if 0 < retiree_id < 2**63 else None
    if retiree is None or not _may_certify(session, partner, retiree):
        raise PermissionDenied("This partner may not start a check for this person.")
    verification = PartnerVerification(partner_id=partner.id, retiree_id=retiree_id, nonce=nonce,
                                       return_url=str(claims["return_url"]))
    try:
        with session.begin_nested():
            session.add(verification)
    except IntegrityError as exc:
        raise AuthenticationRequired("This request was already used. Go back and start again."
                                     ) from exc
    record(session, actor=None, action="partner.verification_opened", target_type="retiree",
           target_id=retiree_id, details={"partner": partner.code, "id": verification.id})
    return verification


def answer(session: Session, *, verification_id: int) -> str:
    """The return URL with the signed result of the person's latest check since the request
    (each verification is answered once)."""
    verification = session.get(PartnerVerification, verification_id)
    if verification is None or verification.answered_at is not None:
        raise AuthenticationRequired("This check was already reported back.")
    partner = session.get_one(Partner, verification.partner_id)
    certification = session.scalar(
        select(Certification).where(Certification.retiree_id == verification.retiree_id,
                                    Certification.created_at >= verification.created_at)
        .order_by(Certification.id.desc()).limit(1)
    )
    now = int(time.time())
    claims = {"typ": RESULT_TYP, "partner": partner.code, "nonce": verification.nonce,
              "retiree_id": verification.retiree_id, "iat": now, "exp": now + RESULT_TTL_S,
              "jti": secrets.token_urlsafe(12),
              "outcome": certification.outcome.value if certification else "not_done",
              "certification_id": certification.id if certification else None,
              "valid_until": (certification.valid_until.isoformat()
                              if certification and certification.valid_until else None)}
    verification.answered_at = utcnow()
    verification.certification_id = certification.id if certification else None
    record(session, actor=None, action="partner.verification_answered", target_type="retiree",
           target_id=verification.retiree_id,
           details={"partner": partner.code, "outcome": claims["outcome"]})
    separator = "&" if "?" in verification.return_url else "?"
    token = sign_token(secret_of(partner), claims)
    return f"{verification.return_url}{separator}{urlencode({'result': token})}"
