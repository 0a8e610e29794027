"""Builders for the services tests: a city directory and the elderly allowance."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lifecert.organisation.models import Region
from lifecert.services.models import PublicService, ServiceCategory
from lifecert.services.service import save_service
from tests.builders import admin_actor


def city_directory(session: Session, city: Region) -> dict[str, PublicService]:
    actor = admin_actor()
    rows = {
        "allowance": save_service(session, actor=actor, region_id=city.id, code="elderly_allowance",
                                  data={"category": ServiceCategory.ALLOWANCE, "name": "高龄津贴",
                                        "summary": "八十周岁以上老人每月领取高龄津贴。",
                                        "who_qualifies": "本市户籍、年满80周岁的老人",
                                        "documents": ["身份证", "户口簿"], "online": True,
                                        "rules": {"min_age": 80, "residence": True,
                                                  "certified": False},
                                        "monthly_amount": 200, "review_days": 10,
                                        "address": "市民政局一楼", "hours": "周一至周五 9:00-17:00",
                                        "phone": "0731-12345678",
                                        "latitude": 28.2, "longitude": 112.9}),
        "medical": save_service(session, actor=actor, region_id=city.id, code="medical_card",
                                data={"category": ServiceCategory.MEDICAL_INSURANCE,
                                      "name": "医保卡补办", "summary": "医疗保险卡丢失后补办。",
                                      "documents": ["身份证"], "online": False,
                                      "address": "市医保中心", "hours": "工作日"}),
        "household": save_service(session, actor=actor, region_id=city.id, code="hukou",
                                  data={"category": ServiceCategory.HOUSEHOLD,
                                        "name": "户口迁移", "summary": "户籍迁入迁出。",
                                        "online": False, "address": "派出所"}),
    }
    return rows
