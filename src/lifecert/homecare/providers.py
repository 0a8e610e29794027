"""The provider registry (licence, area, status, grade), the bureau's priced catalogue, and
caregivers: provider staff accounts with their own face template (consent first)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.certification import service as certification
from lifecert.core.crypto import get_keyring
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.core.roles import Permission, Role
from lifecert.core.scoping import Actor
from lifecert.enrollment import service as enrollment
from lifecert.face_engine import Embedding
from lifecert.homecare.access import require_caregiver
from lifecert.homecare.models import (
    Caregiver,
    Provider,
    ProviderRegion,
    ProviderStatus,
    ServiceItem,
)
from lifecert.organisation import service as organisation
from lifecert.organisation.models import Region, Staff

WORKER_CONTEXT = "homecare_worker"


def create_provider(session: Session, *, actor: Actor, name: str, licence_no: str,
                    region_ids: Sequence[int], phone: str = "") -> Provider:
    actor.require(Permission.SUPERVISE_HOMECARE)
    if not name.strip() or not licence_no.strip():
        raise InvalidInput("A provider needs a name and a licence number.")
    if session.scalar(select(Provider.id).where(Provider.name == name.strip())):
        raise Conflict("A provider of this name exists already.")
    provider = Provider(name=name.strip(), licence_no=licence_no.strip(), phone=phone)
    session.add(provider)
    session.flush()
    set_provider_regions(session, actor=actor, provider_id=provider.id, region_ids=region_ids)
    audit.record(session, actor=actor, action="homecare.provider_created",
                 target_type="homecare_provider", target_id=provider.id)
    return provider


def set_provider_regions(session: Session, *, actor: Actor, provider_id: int,
                         region_ids: Sequence[int]) -> None:
    actor.require(Permission.SUPERVISE_HOMECARE)
    regions = [organisation.get_region(session, actor=actor, region_id=r) for r in region_ids]
    if not regions:
        raise InvalidInput("A provider serves at least one region.")
    session.execute(delete(ProviderRegion).where(ProviderRegion.provider_id == provider_id))
    session.add_all(ProviderRegion(provider_id=provider_id, region_id=r.id, region_path=r.path)
                    for r in regions)
    session.flush()


def get_provider(session: Session, *, provider_id: int) -> Provider:
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise NotFound("No such provider.")
    return provider


def decide_provider(session: Session, *, actor: Actor, provider_id: int,
                    status: ProviderStatus, rating: float | None = None) -> Provider:
    """Approve, suspend (no new orders, no check-ins) or grade a provider; audited."""
    actor.require(Permission.SUPERVISE_HOMECARE)
    provider = get_provider(session, provider_id=provider_id)
    if rating is not None and not 1 <= rating <= 5:
        raise InvalidInput("A grade is between 1 and 5.")
    provider.status = status
    provider.rating = rating if rating is not None else provider.rating
    provider.decided_by = actor.staff_id or None
    audit.record(session, actor=actor, action="homecare.provider_decided",
                 target_type="homecare_provider", target_id=provider.id,
                 details={"status": status.value, "rating": provider.rating})
    return provider


def list_providers(session: Session) -> Sequence[Provider]:
    return session.scalars(select(Provider).order_by(Provider.name)).all()


def provider_regions(session: Session, *, provider_id: int) -> list[str]:
    return list(session.scalars(select(ProviderRegion.region_path)
                                .where(ProviderRegion.provider_id == provider_id)))


def set_service_item(session: Session, *, actor: Actor, code: str, name: str,
                     unit_price_cents: int, min_minutes: int) -> ServiceItem:
    """The bureau sets the price per visit; orders copy it, so later changes do not rewrite
    what was already ordered."""
    actor.require(Permission.SUPERVISE_HOMECARE)
    if unit_price_cents < 0 or min_minutes < 0:
        raise InvalidInput("Prices and minutes cannot be negative.")
    item = session.scalar(select(ServiceItem).where(ServiceItem.code == code))
    if item is None:
        item = ServiceItem(code=code, name=name, unit_price_cents=unit_price_cents,
                           min_minutes=min_minutes)
        session.add(item)
    else:
        item.name, item.unit_price_cents, item.min_minutes = name, unit_price_cents, min_minutes
    session.flush()
    audit.record(session, actor=actor, action="homecare.price_set",
                 target_type="homecare_service_item", target_id=item.id,
                 details={"code": code, "unit_price_cents": unit_price_cents})
    return item


def catalogue(session: Session) -> Sequence[ServiceItem]:
    return session.scalars(select(ServiceItem).where(ServiceItem.active.is_(True))
                           .order_by(ServiceItem.code)).all()


def add_caregiver(session: Session, *, actor: Actor, provider_id: int, username: str,
                  password: str, full_name: str, phone: str = "", certificate: str = "",
                  is_manager: bool = False) -> Caregiver:
    """A staff account of role PROVIDER_STAFF tied to one provider. The bureau adds a
    provider's first manager; a manager adds the provider's own caregivers."""
    if actor.role == Role.PROVIDER_STAFF:
        me = require_caregiver(session, actor)
        if not me.is_manager or me.provider_id != provider_id:
            raise NotFound("No such provider.")
    else:
        actor.require(Permission.SUPERVISE_HOMECARE)
    provider = get_provider(session, provider_id=provider_id)
    regions = [session.get_one(Region, r.region_id) for r in session.scalars(
        select(ProviderRegion).where(ProviderRegion.provider_id == provider_id))]
    staff = organisation.create_staff(session, username=username, password=password,
                                      full_name=full_name, role=Role.PROVIDER_STAFF,
                                      regions=regions, organisation_name=provider.name,
                                      phone=phone, actor=None)
    caregiver = Caregiver(staff_id=staff.id, provider_id=provider_id, is_manager=is_manager,
                          certificate=certificate)
    session.add(caregiver)
    session.flush()
    audit.record(session, actor=actor, action="homecare.caregiver_added",
                 target_type="homecare_caregiver", target_id=caregiver.id)
    return caregiver


def enroll_caregiver_face(session: Session, *, actor: Actor, caregiver_id: int,
                          image_bytes: bytes, consent: bool) -> Caregiver:
    """The caregiver's reference face (their written consent recorded first), encrypted like
    an elder's template; the photo itself is not kept."""
    caregiver = session.get(Caregiver, caregiver_id)
    if caregiver is None:
        raise NotFound("No such caregiver.")
    if actor.role == Role.PROVIDER_STAFF:
        me = require_caregiver(session, actor)
        if me.provider_id != caregiver.provider_id or not (me.is_manager or me.id == caregiver.id):
            raise NotFound("No such caregiver.")
    else:
        actor.require(Permission.SUPERVISE_HOMECARE)
    if not consent and caregiver.consent_at is None:
        raise Conflict("Record the caregiver's consent to a face check first.")
    caregiver.consent_at = caregiver.consent_at or utcnow()
    embedding, _measures = enrollment.embed_reference(image_bytes)
    caregiver.template_enc = get_keyring().encrypt(
        embedding.vector.astype("<f4").tobytes(),
        context=f"{WORKER_CONTEXT}:{embedding.model_id}".encode())
    caregiver.template_model = embedding.model_id
    audit.record(session, actor=actor, action="homecare.caregiver_enrolled",
                 target_type="homecare_caregiver", target_id=caregiver.id)
    return caregiver


def worker_references(session: Session, *, staff_id: int) -> list[certification.ProofReference]:
    """The worker's reference face (empty when not enrolled) for ``certification.prove_face``."""
    import numpy as np

    caregiver = session.scalar(select(Caregiver).where(Caregiver.staff_id == staff_id))
    if caregiver is None or caregiver.template_enc is None:
        return []
    raw = get_keyring().decrypt(caregiver.template_enc,
                                context=f"{WORKER_CONTEXT}:{caregiver.template_model}".encode())
    embedding = Embedding(vector=np.frombuffer(raw, "<f4").copy(),
                          model_id=caregiver.template_model)
    return [certification.ProofReference(embedding, f"caregiver:{caregiver.id}")]


def staff_name(session: Session, staff_id: int) -> str:
    staff = session.get(Staff, staff_id)
    return staff.full_name if staff else ""
