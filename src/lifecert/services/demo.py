"""Demo data for the services directory: the city's services (social and medical insurance,
household registration, civil affairs, the elderly allowance and the meal subsidy), a
community's own address for the allowance, and a few applications at different steps."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.core.errors import LifeCertError
from lifecert.core.roles import Role
from lifecert.core.scoping import Actor
from lifecert.retirees.models import Retiree
from lifecert.services.applications import Decision, apply_for, decide_application
from lifecert.services.models import PublicService, ServiceCategory
from lifecert.services.service import save_service

if TYPE_CHECKING:
    from lifecert.organisation.demo import DemoCity

C = ServiceCategory
SERVICES: list[tuple[str, dict[str, object]]] = [
    ("elderly_allowance", {
        "category": C.ALLOWANCE, "name": "高龄津贴", "online": True, "monthly_amount": 200,
        "summary": "年满80周岁的老人每月领取高龄津贴，90周岁以上另有增加。",
        "who_qualifies": "本市户籍、年满80周岁的老人", "documents": ["身份证", "户口簿", "银行卡"],
        "rules": {"min_age": 80, "residence": True}, "review_days": 10,
        "address": "长沙市民政局一楼服务大厅", "hours": "周一至周五 9:00-12:00, 14:00-17:00",
        "phone": "0731-88660000", "latitude": 28.2282, "longitude": 112.9388}),
    ("meal_subsidy", {
        "category": C.ALLOWANCE, "name": "老年助餐补贴", "online": True, "monthly_amount": 60,
        "summary": "在社区长者食堂用餐，每餐补贴2至5元。",
        "who_qualifies": "年满70周岁、当年已完成生存认证的老人",
        "documents": ["身份证"], "rules": {"min_age": 70, "residence": True, "certified": True},
        "review_days": 7, "address": "各社区长者食堂", "hours": "每日 11:00-13:00"}),
    ("pension_cert", {
        "category": C.SOCIAL_INSURANCE, "name": "养老金领取资格认证",
        "summary": "每年一次，可在手机上刷脸认证，也可到社区或人社窗口办理。",
        "documents": ["身份证"], "address": "长沙市人社局社保大厅",
        "hours": "周一至周五 9:00-17:00", "phone": "12333"}),
    ("medical_card", {
        "category": C.MEDICAL_INSURANCE, "name": "医保卡补办",
        "summary": "医保卡（社保卡）丢失或损坏后补办，当场可领临时卡。",
        "documents": ["身份证", "一寸照片"], "address": "长沙市医保服务中心",
        "hours": "周一至周六 9:00-17:00", "phone": "0731-88661234"}),
    ("hukou_move", {
        "category": C.HOUSEHOLD, "name": "户口迁移（投靠子女）",
        "summary": "老人投靠子女落户的户籍迁移。",
        "documents": ["身份证", "户口簿", "亲属关系证明"],
        "address": "户籍所在地派出所户籍窗口", "hours": "周一至周五 9:00-17:00"}),
    ("temporary_aid", {
        "category": C.CIVIL_AFFAIRS, "name": "临时救助",
        "summary": "因病、因灾等造成基本生活困难的家庭可申请临时救助。",
        "documents": ["身份证", "困难情况说明", "医疗票据"], "address": "街道民政办",
        "hours": "周一至周五 9:00-17:00"}),
]


def seed_demo_services(session: Session, demo: DemoCity, *, today: date) -> None:
    """The directory for the demo city, one community override, three applications."""
    admin = Actor(0, "demo", Role.PLATFORM_ADMIN, ())
    for code, data in SERVICES:
        save_service(session, actor=admin, region_id=demo.city.id, code=code, data=dict(data))
    worker = demo.staff.get("worker")
    if worker is None or not worker.regions:
        return
    community = worker.regions[0]
    save_service(session, actor=admin, region_id=community.id, code="elderly_allowance",
                 data={"address": f"{community.name}党群服务中心一楼", "phone": worker.phone})
    allowance = session.scalar(
        select(PublicService).where(PublicService.region_id == community.id,
                                    PublicService.code == "elderly_allowance")
    )
    assert allowance is not None
    oldest = session.scalars(
        select(Retiree).where(Retiree.community_id == community.id)
        .order_by(Retiree.birth_date, Retiree.id).limit(3)
    ).all()
    worker_actor = Actor(worker.id, worker.username, worker.role,
                         tuple(r.path for r in worker.regions))
    steps = [None, Decision.MORE_INFO, Decision.APPROVE]
    for person, step in zip(oldest, steps, strict=False):
        try:
            app = apply_for(session, retiree=person, service_id=allowance.id, today=today)
        except LifeCertError:
            continue  # too young in a small demo
        if step is not None:
            decide_application(session, actor=worker_actor, application_id=app.id,
                               decision=step, note="请带户口簿到社区服务站核对", today=today)
    session.flush()
