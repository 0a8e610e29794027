"""Demo data for the alerts pages: a few people of the demo city share a phone number and two
share a pension account, then the real registry rules run and raise their alerts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.core.settings import get_settings
from lifecert.fraud.rules import run_shared_contact_rules
from lifecert.retirees.models import Retiree

if TYPE_CHECKING:
    from lifecert.organisation.demo import DemoCity


def seed_demo_alerts(session: Session, demo: DemoCity) -> dict[str, int]:
    rules = get_settings().fraud
    community = sorted(demo.staff["worker"].regions, key=lambda r: r.code)[-1]
    people = session.scalars(
        select(Retiree).where(Retiree.community_id == community.id).order_by(Retiree.id.desc())
    ).all()
    sharing_phone = people[: rules.shared_phone_min]
    sharing_account = people[rules.shared_phone_min : rules.shared_phone_min + rules.shared_account_min]
    for person in sharing_phone:
        person.phone = sharing_phone[0].phone
    for person in sharing_account:
        person.pension_account = sharing_account[0].pension_account
    session.flush()
    return run_shared_contact_rules(session)
