"""Demo data for the marketplace: the bureau's categories and caps (finance and investment
forbidden), a home-service merchant that is the demo's licensed home-care provider (login
``merchant``; its caregivers prove the visits), a clinic, a travel agency, an application waiting for the bureau, offers across
the city, and orders of elders of the demo worker's first community: one in its cooling-off
period, one cancelled with its refund, one complained about, and a spending spike that raised
an alert (so the worker's and the bureau's pages have something to show)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.core.errors import LifeCertError
from lifecert.core.roles import Role
from lifecert.core.scoping import Actor
from lifecert.homecare import providers
from lifecert.homecare import service as homecare
from lifecert.homecare.models import ProviderStatus
from lifecert.marketplace import catalogue, complaints, merchants, orders
from lifecert.marketplace.models import Merchant, MerchantStatus
from lifecert.organisation.models import Staff
from lifecert.organisation.service import actor_for, create_staff
from lifecert.retirees.models import Retiree, RetireeStatus

if TYPE_CHECKING:
    from lifecert.organisation.demo import DemoCity

ADMIN = Actor(0, "demo", Role.PLATFORM_ADMIN, ())
CATEGORIES = [  # code, name, cap, forbidden, registration, home service, rule
    ("cleaning", "家政保洁", 300, False, False, True, "按次计价，上门服务须刷脸签到"),
    ("repairs", "上门维修", 500, False, False, True, "材料费须含在总价内"),
    ("meals", "助餐配送", 900, False, False, False, "按月计价"),
    ("health_check", "健康体检", 800, False, False, False, "须为医疗机构"),
    ("travel", "老年旅游", 3000, False, False, False, "不得安排购物点"),
    ("health_products", "保健食品", 500, False, True, False, "须有保健食品注册证号"),
    ("investment", "投资理财", 1, True, False, False, "禁止：理财、投资、以房养老"),
]
MERCHANTS = [  # name, licence, categories, offers: (category, title, description, price)
    ("康乐家政", "91430100MA4L000001", ("cleaning", "repairs", "meals"), [
        ("cleaning", "两小时家庭保洁", "一名保洁员上门两小时：擦窗、拖地、整理厨房。工具和清洁剂自带，不另收费。", 120),
        ("repairs", "水电小修", "上门检修水龙头、灯具、插座，一小时内常用小配件包含在总价内。", 150),
        ("meals", "一个月午餐配送", "每天中午送一份两荤一素的热饭到家，周一至周六，共二十六餐。", 390),
    ]),
    ("长沙社区体检中心", "91430100MA4L000002", ("health_check",), [
        ("health_check", "老年基础体检", "血常规、血糖、血脂、心电图、B超，报告由医生当面讲解。", 280),
    ]),
    ("夕阳红旅行社", "91430100MA4L000003", ("travel",), [
        ("travel", "韶山两日游", "纯玩无购物，含往返大巴、一晚住宿、三餐和门票，全程领队陪同。", 680),
    ]),
]


def _setup_merchants(session: Session, demo: DemoCity) -> dict[str, Merchant]:
    # The home-care demo's first provider (its caregivers carer11, carer12) sells its home
    # services here too; a demo without home care gets a provider of its own.
    known = {p.name: p for p in homecare.visible_providers(session, actor=ADMIN)}
    provider = known.get("康乐居家养老服务中心")
    if provider is None:
        provider = providers.create_provider(session, actor=ADMIN, name="康乐居家养老服务中心",
                                             licence_no="HN-HC-2026-0001",
                                             region_ids=[demo.city.id])
        providers.decide_provider(session, actor=ADMIN, provider_id=provider.id,
                                  status=ProviderStatus.APPROVED)
    made: dict[str, Merchant] = {}
    for name, licence, cats, offers in MERCHANTS:
        merchant = merchants.apply_merchant(
            session, name=name, licence_no=licence, phone="0731-88990000", region=demo.city,
            category_codes=cats,
            homecare_provider_id=provider.id if "cleaning" in cats else None)
        merchants.decide_merchant(session, actor=ADMIN, merchant_id=merchant.id,
                                  status=MerchantStatus.APPROVED)
        username = "merchant" if not made else f"merchant{len(made) + 1}"
        staff = create_staff(session, username=username, password=_password(),
                             full_name=f"{name} 店长", role=Role.MERCHANT_STAFF,
                             organisation_name=name)
        merchants.add_merchant_staff(session, merchant=merchant, staff=staff)
        demo.staff[username] = staff
        for category, title, description, price in offers:
            catalogue.create_offer(session, actor=actor_for(staff), category_code=category,
                                   region_id=demo.city.id, title=title,
                                   description=description, price=price)
        made[name] = merchant
    merchants.apply_merchant(session, name="福寿保健品商行", licence_no="91430100MA4L000004",
                             phone="0731-88770000", region=demo.city,
                             category_codes=("health_products",))
    return made


def _password() -> str:
    from lifecert.organisation.demo import DEMO_PASSWORD

    return DEMO_PASSWORD


def seed_demo_marketplace(session: Session, demo: DemoCity, *, today: date) -> None:
    for code, name, cap, forbidden, registration, home, rule in CATEGORIES:
        merchants.save_category(session, actor=ADMIN, code=code, name=name, price_cap=cap,
                                forbidden=forbidden, needs_registration=registration,
                                home_service=home, rule_text=rule)
    _setup_merchants(session, demo)
    worker = demo.staff.get("worker")
    if worker is None or not worker.regions:
        return
    elders = session.scalars(
        select(Retiree).where(Retiree.community_id == worker.regions[0].id,
                              Retiree.status == RetireeStatus.ACTIVE)
        .order_by(Retiree.id).offset(1).limit(3)).all()
    offers = {o.title: o for o in catalogue.offers_for(session, community=worker.regions[0])}
    try:
        _orders(session, list(elders), offers, today)
    except LifeCertError:
        return  # a tiny demo without elders there


def _orders(session: Session, elders: list[Retiree], offers: dict, today: date) -> None:
    if len(elders) < 3:
        return
    first, second, third = elders
    orders.place_order(session, retiree=first, offer_id=offers["两小时家庭保洁"].id, today=today)
    cancelled = orders.place_order(session, retiree=first, offer_id=offers["水电小修"].id,
                                   today=today - timedelta(days=2))
    orders.cancel_order(session, retiree_id=first.id, order_id=cancelled.id, today=today)
    checkup = orders.place_order(session, retiree=second, offer_id=offers["老年基础体检"].id,
                                 today=today - timedelta(days=3))
    complaints.file_complaint(session, retiree_id=second.id, order_id=checkup.id,
                              reason="pressure", text="体检时推销保健品", today=today)
    for _ in range(5):  # a big spend at once: the spend-spike rule alerts the worker
        orders.place_order(session, retiree=third, offer_id=offers["韶山两日游"].id, today=today)
    session.flush()


def merchant_login(session: Session) -> Staff | None:
    return session.scalar(select(Staff).where(Staff.username == "merchant"))
