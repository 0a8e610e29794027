"""The demo city seeds both domains (``lifecert.demo.build_demo`` calls their seeders)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.certification.models import Certification, CertMode
from lifecert.demo import DemoSize, build_demo
from lifecert.life_signals.models import LifeSignal
from lifecert.services.models import AllowancePayment, PublicService, ServiceApplication
from lifecert.services.service import directory_for


def test_demo_seeds_directory_applications_and_signals(session: Session) -> None:
    demo = build_demo(session, size=DemoSize(retirees=400, districts=2, streets=6,
                                             communities=20), seed=7)
    community = demo.staff["worker"].regions[0]
    names = {s.name for s in directory_for(session, community=community)}
    assert {"高龄津贴", "老年助餐补贴", "医保卡补办", "户口迁移（投靠子女）"} <= names
    assert session.scalar(select(func.count()).select_from(PublicService)) == 7
    assert session.scalar(select(func.count()).select_from(ServiceApplication)) >= 1
    assert session.scalar(select(func.count()).select_from(AllowancePayment)) <= 1
    assert session.scalar(select(func.count()).select_from(LifeSignal)) > 0
    silent = session.scalar(select(func.count()).select_from(Certification).where(
        Certification.mode == CertMode.SILENT))
    assert silent is not None and silent > 0
