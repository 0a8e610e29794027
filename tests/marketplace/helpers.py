"""Builders for marketplace tests: the bureau's categories, an approved merchant with a staff
account, offers, and a family contact."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from lifecert.certification.models import FamilyHelper, FamilyLink
from lifecert.core.db import utcnow
from lifecert.core.roles import Role
from lifecert.homecare import visits as homecare_visits
from lifecert.homecare.models import Visit
from lifecert.marketplace import catalogue, merchants, visits
from lifecert.marketplace.models import Merchant, MerchantStatus, Offer, Order
from lifecert.organisation.models import Region, Staff
from tests.builders import actor_of, admin_actor, make_staff
from tests.certification.helpers import frames_of
from tests.homecare.helpers import HOME, SEEDS, make_provider

TODAY = date(2026, 12, 1)
CATEGORIES = [
    # code, name, cap, forbidden, needs registration, home service
    ("cleaning", "家政保洁", 300, False, False, True),
    ("repairs", "上门维修", 500, False, False, True),
    ("health_check", "健康体检", 800, False, False, False),
    ("travel", "老年旅游", 3000, False, False, False),
    ("health_products", "保健食品", 500, False, True, False),
    ("investment", "投资理财", 1, True, False, False),
]


def seed_categories(session: Session) -> None:
    for code, name, cap, forbidden, reg, home in CATEGORIES:
        merchants.save_category(session, actor=admin_actor(), code=code, name=name,
                                price_cap=cap, forbidden=forbidden, needs_registration=reg,
                                home_service=home)


_licences = iter(range(10**6))


def licence() -> str:
    return f"91430100MA4L{next(_licences):06d}"


# merchant id -> (caregiver id, staff id) of its provider's caregiver (fake face)
CAREGIVERS: dict[int, tuple[int, int]] = {}


def approved_merchant(
    session: Session, region: Region, *, name: str = "康乐家政",
    categories: tuple[str, ...] = ("cleaning", "repairs", "health_check", "travel",
                                   "health_products"),
) -> tuple[Merchant, Staff]:
    """Home services need a licensed home-care provider: one is made with a caregiver."""
    provider_id = None
    if {"cleaning", "repairs"} & set(categories):
        provider, caregiver, _manager, _item = make_provider(session, regions=[region])
        provider_id = provider.id
    merchant = merchants.apply_merchant(session, name=name, licence_no=licence(),
                                        phone="073188000000", region=region,
                                        category_codes=categories,
                                        homecare_provider_id=provider_id)
    if provider_id is not None:
        CAREGIVERS[merchant.id] = (caregiver.id, caregiver.staff_id)
    merchants.decide_merchant(session, actor=admin_actor(), merchant_id=merchant.id,
                              status=MerchantStatus.APPROVED)
    staff = make_staff(session, role=Role.MERCHANT_STAFF)
    merchants.add_merchant_staff(session, merchant=merchant, staff=staff)
    return merchant, staff


def offer(
    session: Session, staff: Staff, region: Region, *, price: int = 120,
    category: str = "cleaning", title: str = "两小时家庭保洁",
) -> Offer:
    return catalogue.create_offer(
        session, actor=actor_of(staff), category_code=category, region_id=region.id,
        title=title, description="两名保洁员上门，两小时，含工具和清洁剂，不另收费。",
        price=price, registration_no="国食健注G20190001" if category == "health_products" else "")


def family_contact(session: Session, retiree_id: int, phone: str = "13900000001") -> FamilyHelper:
    helper = FamilyHelper(name="女儿", phone=phone, id_number_hash="x" * 64,
                          verified_at=utcnow())
    session.add(helper)
    session.flush()
    session.add(FamilyLink(helper_id=helper.id, retiree_id=retiree_id, relation="女儿",
                           confirmed_at=utcnow()))
    session.flush()
    return helper


def prove_visit(session: Session, order: Order, staff: Staff, *, elder_seed: int = 1,
                where: tuple[float, float] = HOME) -> Visit:
    """The merchant assigns its caregiver, who checks in and out at the elder's home with the
    fake face engine (the elder's face is ``elder_seed``): the home-care visit proof."""
    caregiver_id, worker_staff_id = CAREGIVERS[order.merchant_id]
    visit_id = visits.assign_worker(session, actor=actor_of(staff), order_id=order.id,
                                    staff_id=worker_staff_id)
    worker = actor_of(session.get_one(Staff, worker_staff_id))
    visit = homecare_visits.issue_visit_challenge(session, actor=worker, visit_id=visit_id)
    homecare_visits.check_in_visit(
        session, actor=worker, visit_id=visit_id,
        position=homecare_visits.Position(*where, accuracy_m=15),
        worker_frames=frames_of(SEEDS[caregiver_id]), elder_frames=frames_of(elder_seed),
        nonce=visit.challenge_nonce)
    return homecare_visits.check_out_visit(
        session, actor=worker, visit_id=visit_id,
        position=homecare_visits.Position(*where, accuracy_m=15))


def pin_home(session: Session, retiree_id: int) -> None:
    homecare_visits.set_home_location(session, actor=admin_actor(), retiree_id=retiree_id,
                                      latitude=HOME[0], longitude=HOME[1])
