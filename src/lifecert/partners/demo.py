"""Demo partner: a bank with a full-scope key over the demo city, whose key and signing
secret are fixed so that ``lifecert serve --demo`` can print them (the real ones are random
and shown once). Dev only, like the demo passwords."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from lifecert.core.roles import Role
from lifecert.core.scoping import Actor
from lifecert.partners.keys import PREFIX, _digest
from lifecert.partners.models import EventType, Partner, PartnerKey, PartnerScope
from lifecert.partners.service import add_subscription
from lifecert.partners.signing import seal_secret

if TYPE_CHECKING:
    from lifecert.organisation.demo import DemoCity

CODE = "demo-bank"
KEY_ID = "demo0bank0key001"
KEY_SECRET = "demo-only-partner-key-never-in-production"
SIGNING_KEY_ID = "sk_demo0bank001"
SIGNING_SECRET = "lcs_demo-only-signing-secret-never-in-production"
EXAMPLE_APP = "http://127.0.0.1:9000"


def demo_key() -> str:
    return f"{PREFIX}_{KEY_ID}_{KEY_SECRET}"


def seed_demo_partners(session: Session, demo: DemoCity) -> Partner:
    partner = Partner(code=CODE, name="示例银行（演示）", signing_key_id=SIGNING_KEY_ID,
                      signing_secret_enc=seal_secret(SIGNING_SECRET, SIGNING_KEY_ID),
                      return_urls=f"{EXAMPLE_APP}/lifecert/return", signal_source_code="bank")
    session.add(partner)
    session.flush()
    session.add(PartnerKey(partner_id=partner.id, key_id=KEY_ID, secret_hash=_digest(KEY_SECRET),
                           label="演示密钥", scopes=sorted(s.value for s in PartnerScope),
                           region_ids=[demo.city.id], rate_per_minute=600))
    add_subscription(session, partner_id=partner.id, url=f"{EXAMPLE_APP}/hooks",
                     event_types=list(EventType), region_ids=[demo.city.id],
                     actor=Actor(0, "demo", Role.PLATFORM_ADMIN, ()))
    return partner


def walkthrough_lines(base: str) -> list[str]:
    return [
        f"6. Partner API (admin: {base}/partners): key for the demo bank, all actions, whole city:",
        f"   curl -H 'Authorization: Bearer {demo_key()}' {base}/api/v1/partner/retirees",
        f"   Example partner app (certification as a service, webhooks): LIFECERT_URL={base}"
        f" PARTNER_CODE={CODE} SIGNING_SECRET={SIGNING_SECRET} PUBLIC_URL={EXAMPLE_APP}"
        " uvicorn examples.partner_app.app:app --port 9000",
    ]
