"""VISIT PROOF: a reusable service proving that a worker came to an elder's home.

Any domain that sends a person into an elder's home (home care's work orders; the
marketplace's home-service orders) creates a :class:`Visit` for its order with
:func:`create_visit` (``order_kind`` names the domain, ``order_id`` its order) and then calls,
from the worker's phone:

1. :func:`issue_visit_challenge` -- the liveness actions the elder will perform (one use);
2. :func:`verify_worker_face` (optional, a separate step when one phone camera films first the
   worker, then the elder) or pass ``worker_frames`` to step 3;
3. :func:`check_in_visit` -- GPS position and accuracy (distance to the elder's registered
   address, see :func:`set_home_location`), the worker's face against their own template, the
   elder's face WITH liveness against the elder's templates (consent enforced: without it,
   or for an elder on the in-person route, ``elder_route="non_face"``, and the visit then
   needs a human confirmation, :func:`confirm_visit`);
4. :func:`check_out_visit` -- position again, optional photos of the work (hashed: a photo
   reused on another visit is an anomaly); the anomaly rules (``homecare.rules``) run on the
   visit and decide ``visit.billable``. A rule hit is an alert in the fraud triage, never a
   silent change.

Face work runs on the bounded pool through ``certification.service.prove_face``. Every
decision is audited. Times: ``at`` lets an offline phone submit the moment it captured.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.certification import service as certification
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, InvalidInput, NotFound, ReplayDetected
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor
from lifecert.core.settings import get_settings
from lifecert.core.storage import get_blob_store
from lifecert.enrollment import service as enrollment
from lifecert.face_engine import new_challenge
from lifecert.face_engine.liveness.challenge import challenge_from_names
from lifecert.homecare import providers, rules
from lifecert.homecare.models import ElderHome, Visit, VisitPhoto, VisitStatus
from lifecert.retirees.models import CertRoute, Retiree
from lifecert.system.clock import local_zone

Frame = certification.ProofFrame
WORKER_CHECK_VALID = timedelta(minutes=15)
MAX_PHOTO_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Position:
    latitude: float
    longitude: float
    accuracy_m: float = 0.0

    def checked(self) -> Position:
        if not (-90 <= self.latitude <= 90 and -180 <= self.longitude <= 180):
            raise InvalidInput("The position is not valid: check the phone's location setting.")
        if not 0 <= self.accuracy_m <= 100_000:
            raise InvalidInput("The position accuracy is not valid.")
        return self


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def set_home_location(session: Session, *, actor: Actor, retiree_id: int, latitude: float,
                      longitude: float) -> ElderHome:
    """Pin the registered address (community staff fix wrong pins; audited)."""
    actor.require(Permission.WRITE_RETIREES)
    from lifecert.retirees.service import get_retiree

    get_retiree(session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES)
    Position(latitude, longitude).checked()
    home = session.scalar(select(ElderHome).where(ElderHome.retiree_id == retiree_id))
    if home is None:
        home = ElderHome(retiree_id=retiree_id, latitude=latitude, longitude=longitude)
        session.add(home)
    home.latitude, home.longitude = latitude, longitude
    home.set_by, home.updated_at = actor.staff_id or None, utcnow()
    session.flush()
    audit.record(session, actor=actor, action="homecare.home_pinned", target_type="retiree",
                 target_id=retiree_id)
    return home


def create_visit(session: Session, *, order_kind: str, order_id: int, worker_staff_id: int,
                 retiree_id: int, provider_id: int | None = None, service_code: str = "",
                 price_cents: int = 0, min_minutes: int = 0,
                 scheduled_start: datetime | None = None) -> Visit:
    """The visit to prove for one order (idempotent per ``order_kind``/``order_id``)."""
    existing = session.scalar(select(Visit).where(Visit.order_kind == order_kind,
                                                  Visit.order_id == order_id))
    if existing is not None:
        return existing
    retiree = session.get(Retiree, retiree_id)
    if retiree is None:
        raise NotFound("No such retiree.")
    visit = Visit(order_kind=order_kind, order_id=order_id, worker_staff_id=worker_staff_id,
                  retiree_id=retiree_id, provider_id=provider_id,
                  region_path=retiree.community.path, service_code=service_code,
                  price_cents=price_cents, min_minutes=min_minutes,
                  scheduled_start=scheduled_start)
    session.add(visit)
    session.flush()
    return visit


def own_visit(session: Session, actor: Actor, visit_id: int) -> Visit:
    """Only the assigned worker drives the proof of a visit; others get "not found"."""
    visit = session.get(Visit, visit_id)
    if visit is None or visit.worker_staff_id != actor.staff_id:
        raise NotFound("No such visit.")
    return visit


def issue_visit_challenge(session: Session, *, actor: Actor, visit_id: int) -> Visit:
    """Draw the elder's liveness actions (server-side, one use, time-limited)."""
    visit = own_visit(session, actor, visit_id)
    if visit.status != VisitStatus.OPEN:
        raise Conflict("This visit has already started.")
    settings = get_settings().certification
    ttl = float(max(settings.challenge_ttl_s, 300))
    drawn = (challenge_from_names(settings.fixed_actions, ttl=ttl) if settings.fixed_actions
             else new_challenge(ttl=ttl))
    visit.challenge_nonce = secrets.token_urlsafe(24)
    visit.challenge_actions = list(drawn.actions)
    visit.challenge_expires_at = utcnow() + timedelta(seconds=ttl)
    session.flush()
    return visit


def _worker_proof(session: Session, visit: Visit, frames: Sequence[Frame]) -> None:
    references = providers.worker_references(session, staff_id=visit.worker_staff_id)
    if not references:
        raise Conflict("Your face is not enrolled yet: ask your manager to take your photo.")
    proof = certification.prove_face(frames, references)
    visit.worker_verdict = proof.verdict
    visit.worker_checked_at = utcnow()
    visit.evidence = {**visit.evidence, "worker": proof.evidence}


def verify_worker_face(session: Session, *, actor: Actor, visit_id: int,
                       frames: Sequence[Frame]) -> Visit:
    """The worker's own face, before the elder's (kept for 15 minutes)."""
    visit = own_visit(session, actor, visit_id)
    if visit.status != VisitStatus.OPEN:
        raise Conflict("This visit has already started.")
    _worker_proof(session, visit, frames)
    audit.record(session, actor=actor, action="homecare.worker_face", target_type="visit",
                 target_id=visit.id, details={"verdict": visit.worker_verdict})
    return visit


def _elder_proof(session: Session, visit: Visit, retiree: Retiree, frames: Sequence[Frame],
                 nonce: str) -> None:
    if enrollment.active_consent(session, retiree_id=retiree.id) is None:
        raise Conflict("The elder has not consented to a face check: use the route without "
                       "face check (a community worker confirms the visit).")
    if not nonce or not secrets.compare_digest(nonce, visit.challenge_nonce):
        raise ReplayDetected("This check is not valid any more. Please start again.")
    expires = visit.challenge_expires_at
    if expires is None or expires < utcnow():
        raise InvalidInput("Time ran out for this check. Please start again; take your time.")
    actions = list(visit.challenge_actions)
    visit.challenge_nonce = ""  # spent, whatever the outcome
    proof = certification.prove_face(
        frames, certification.face_references(session, retiree_id=retiree.id),
        actions=actions, nonce=nonce)
    visit.elder_verdict = proof.verdict
    visit.evidence = {**visit.evidence, "elder": proof.evidence}
    visit.needs_confirmation = proof.verdict == "review"


def _place(visit: Visit, session: Session, position: Position) -> float | None:
    home = session.scalar(select(ElderHome).where(ElderHome.retiree_id == visit.retiree_id))
    if home is None:
        return None
    return round(distance_m(position.latitude, position.longitude, home.latitude,
                            home.longitude), 1)


def _moment(at: datetime | None) -> datetime:
    now = utcnow()
    if at is None:
        return now
    if at > now + timedelta(minutes=5) or at < now - timedelta(days=3):
        raise InvalidInput("The time of the check is not plausible.")
    return at


def check_in_visit(session: Session, *, actor: Actor, visit_id: int, position: Position,
                   elder_frames: Sequence[Frame] = (), nonce: str = "",
                   worker_frames: Sequence[Frame] | None = None, elder_route: str = "face",
                   at: datetime | None = None) -> Visit:
    """Start the visit at the elder's home: place, worker's face, elder's live face."""
    visit = own_visit(session, actor, visit_id)
    if visit.status != VisitStatus.OPEN:
        raise Conflict("This visit has already started.")
    position = position.checked()
    if worker_frames is not None:
        _worker_proof(session, visit, worker_frames)
    elif visit.worker_checked_at is None or visit.worker_checked_at < utcnow() - WORKER_CHECK_VALID:
        raise Conflict("First check your own face, then the elder's.")
    retiree = session.get_one(Retiree, visit.retiree_id)
    if retiree.route == CertRoute.NON_FACE:
        elder_route = "non_face"
    if elder_route == "face":
        _elder_proof(session, visit, retiree, elder_frames, nonce)
    else:
        visit.elder_route, visit.elder_verdict, visit.needs_confirmation = "non_face", "", True
    moment = _moment(at)
    visit.checkin_at, visit.visit_date = moment, moment.astimezone(local_zone()).date()
    visit.checkin_lat, visit.checkin_lon = position.latitude, position.longitude
    visit.checkin_accuracy_m = position.accuracy_m
    visit.checkin_distance_m = _place(visit, session, position)
    visit.status = VisitStatus.CHECKED_IN
    session.flush()
    audit.record(session, actor=actor, action="homecare.checked_in", target_type="visit",
                 target_id=visit.id, details={"worker": visit.worker_verdict,
                                              "elder": visit.elder_verdict or elder_route,
                                              "distance_m": visit.checkin_distance_m})
    return visit


def _store_photos(session: Session, visit: Visit, photos: Sequence[bytes]) -> None:
    for data in photos:
        if len(data) > MAX_PHOTO_BYTES:
            raise InvalidInput("A photo is too large; use one under 2 MB.")
        session.add(VisitPhoto(visit_id=visit.id, sha256=hashlib.sha256(data).hexdigest(),
                               blob_key=get_blob_store().put(data, prefix="visit-photos")))


def check_out_visit(session: Session, *, actor: Actor, visit_id: int, position: Position,
                    worker_frames: Sequence[Frame] | None = None, photos: Sequence[bytes] = (),
                    at: datetime | None = None) -> Visit:
    """End the visit; the rules run on it and decide whether it is billable."""
    visit = own_visit(session, actor, visit_id)
    if visit.status != VisitStatus.CHECKED_IN or visit.checkin_at is None:
        raise Conflict("Check in first.")
    position = position.checked()
    if worker_frames is not None:
        _worker_proof(session, visit, worker_frames)
    _store_photos(session, visit, photos)
    moment = max(_moment(at), visit.checkin_at)
    visit.checkout_at, visit.duration_s = moment, int((moment - visit.checkin_at).total_seconds())
    visit.checkout_lat, visit.checkout_lon = position.latitude, position.longitude
    visit.checkout_distance_m = _place(visit, session, position)
    visit.status = VisitStatus.COMPLETED
    session.flush()
    hits = rules.run_rules(session, visit_ids=[visit.id])
    session.refresh(visit)
    audit.record(session, actor=actor, action="homecare.checked_out", target_type="visit",
                 target_id=visit.id, details={"billable": visit.billable, "rules": hits})
    return visit


def confirm_visit(session: Session, *, actor: Actor, visit: Visit, note: str = "") -> Visit:
    """A person who is not the provider confirms a visit whose elder was not face-verified
    (in-person route or an uncertain match): by a return call or a home visit."""
    actor.require(Permission.READ_HOMECARE)
    if not visit.needs_confirmation or visit.status != VisitStatus.COMPLETED:
        raise Conflict("This visit needs no confirmation.")
    visit.confirmed_by, visit.confirmed_at = actor.staff_id or None, utcnow()
    rules.refresh_billable(session, visit_ids=[visit.id])
    audit.record(session, actor=actor, action="homecare.visit_confirmed", target_type="visit",
                 target_id=visit.id, details={"note": note[:200]})
    return visit
