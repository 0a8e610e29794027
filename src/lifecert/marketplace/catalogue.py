"""Offers: listed only by an approved merchant, in a category it was approved for, never in a
forbidden category, never above the bureau's cap, health products only with a registration
number, plain words without the phrases of known scams; photos served by the app itself."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.core.errors import InvalidInput, NotFound, PermissionDenied
from lifecert.core.scoping import Actor
from lifecert.core.storage import get_blob_store
from lifecert.core.uploads import check_image_header
from lifecert.marketplace import merchants
from lifecert.marketplace.models import Merchant, MerchantStatus, Offer
from lifecert.marketplace.policy import MAX_PHOTO_PIXELS, MAX_PHOTO_SIDE
from lifecert.organisation.models import Region

# The shapes China's 2022 campaign against elder fraud names: returns, rebates, buy-back,
# "free" trips, investment. An offer that speaks like one is refused before anyone sees it.
BANNED_PHRASES = ("保本", "返利", "返现", "回购", "代售", "投资", "理财", "收益", "分红",
                  "免费旅游", "以房养老", "包治", "根治", "治愈")
_REGISTRATION = re.compile(r"^[\u4e00-\u9fa5A-Za-z0-9\-]{6,40}$")
_IMAGE_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def ancestor_paths(path: str) -> list[str]:
    """"/1/4/9/" → ["/1/", "/1/4/", "/1/4/9/"]: offers of these regions apply here."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _check_offer(session: Session, merchant: Merchant, data: dict[str, object]) -> None:
    if merchant.status != MerchantStatus.APPROVED:
        raise PermissionDenied("Only an approved merchant may list offers.")
    cat = merchants.category(session, str(data["category_code"]))
    if cat.forbidden:
        raise InvalidInput("The marketplace does not sell {names}.", params={"names": cat.name})
    if cat.code not in merchant.categories:
        raise PermissionDenied("Your merchant is not approved for {name}.",
                               params={"name": cat.name})
    price = int(str(data["price"]))
    if price < 1:
        raise InvalidInput("The price must be at least 1 yuan.")
    if price > cat.price_cap:
        raise InvalidInput("The price is above the bureau's cap of {cap} yuan for {name}.",
                           params={"cap": cat.price_cap, "name": cat.name})
    registration = str(data.get("registration_no") or "").strip()
    if cat.needs_registration and not _REGISTRATION.match(registration):
        raise InvalidInput("{name} need the product's registration number.",
                           params={"name": cat.name})
    words = f"{data['title']} {data['description']}"
    found = [p for p in BANNED_PHRASES if p in words]
    if found:
        raise InvalidInput("Offers may not promise {words}.", params={"words": "、".join(found)})
    if not str(data["title"]).strip() or len(str(data["description"]).strip()) < 10:
        raise InvalidInput("Give a title and say in plain words what the elder gets.")


def create_offer(
    session: Session, *, actor: Actor, category_code: str, region_id: int, title: str,
    description: str, price: int, registration_no: str = "",
) -> Offer:
    merchant = merchants.merchant_of(session, actor=actor)
    region = session.get(Region, region_id)
    # A merchant lists in its own licensed area (or part of it), nowhere else.
    if region is None or not region.path.startswith(merchant.region_path):
        raise InvalidInput("Choose a region inside your merchant's area.")
    data = {"category_code": category_code, "title": title, "description": description,
            "price": price, "registration_no": registration_no}
    _check_offer(session, merchant, data)
    offer = Offer(merchant_id=merchant.id, category_code=category_code, region_id=region.id,
                  region_path=region.path, title=title.strip()[:100],
                  description=description.strip()[:4000], price=price,
                  registration_no=registration_no.strip()[:60])
    session.add(offer)
    session.flush()
    audit.record(session, actor=actor, action="market.offer_created", target_type="market_offer",
                 target_id=offer.id, details={"price": price, "category": category_code})
    return offer


def merchant_offers(session: Session, *, actor: Actor) -> Sequence[Offer]:
    merchant = merchants.merchant_of(session, actor=actor)
    return session.scalars(
        select(Offer).where(Offer.merchant_id == merchant.id).order_by(Offer.id.desc())
    ).all()


def own_offer(session: Session, *, actor: Actor, offer_id: int) -> Offer:
    merchant = merchants.merchant_of(session, actor=actor)
    offer = session.get(Offer, offer_id)
    if offer is None or offer.merchant_id != merchant.id:
        raise NotFound("No such offer.")  # another merchant's offer looks missing
    return offer


def withdraw_offer(session: Session, *, actor: Actor, offer_id: int) -> Offer:
    offer = own_offer(session, actor=actor, offer_id=offer_id)
    offer.active = False
    audit.record(session, actor=actor, action="market.offer_withdrawn",
                 target_type="market_offer", target_id=offer.id)
    return offer


def set_offer_photo(session: Session, *, actor: Actor, offer_id: int, data: bytes) -> Offer:
    """The upload was size-limited while read; here the header is checked before storing."""
    offer = own_offer(session, actor=actor, offer_id=offer_id)
    if not any(data.startswith(magic) for magic in _IMAGE_TYPES):
        raise InvalidInput("Upload a JPEG or PNG photo.")
    check_image_header(data, max_pixels=MAX_PHOTO_PIXELS, max_side=MAX_PHOTO_SIDE)
    store = get_blob_store()
    if offer.photo_key:
        store.delete(offer.photo_key)
    offer.photo_key = store.put(data, prefix="market")
    return offer


def offer_photo(session: Session, *, offer_id: int) -> tuple[bytes, str]:
    offer = session.get(Offer, offer_id)
    if offer is None or not offer.photo_key:
        raise NotFound("No such photo.")
    data = get_blob_store().get(offer.photo_key)
    kind = next((t for magic, t in _IMAGE_TYPES.items() if data.startswith(magic)), "")
    return data, kind or "application/octet-stream"


def offers_for(
    session: Session, *, community: Region, category_code: str | None = None
) -> Sequence[Offer]:
    """What an elder of ``community`` may buy: active offers of approved merchants listed for
    the community or a region above it."""
    stmt = (
        select(Offer).join(Merchant, Merchant.id == Offer.merchant_id)
        .where(Offer.active.is_(True), Merchant.status == MerchantStatus.APPROVED,
               Offer.region_path.in_(ancestor_paths(community.path)))
    )
    if category_code:
        stmt = stmt.where(Offer.category_code == category_code)
    return session.scalars(stmt.order_by(Offer.category_code, Offer.price)).all()


def offer_for(session: Session, *, community: Region, offer_id: int) -> Offer:
    offer = next((o for o in offers_for(session, community=community) if o.id == offer_id), None)
    if offer is None:
        raise NotFound("No such offer.")
    return offer
