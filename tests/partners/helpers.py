"""Partners, keys and two districts for the partner tests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from lifecert.organisation.models import Region
from lifecert.partners import keys, service
from lifecert.partners.models import Partner, PartnerScope
from lifecert.retirees.models import Retiree
from tests.builders import admin_actor, make_city, make_community, make_retiree

RETURN_URL = "https://bank.example/lifecert/return"


@dataclass
class World:
    partner: Partner
    secret: str  # the partner's signing secret
    token: str  # a full-scope key for district A
    key_id: str
    district_a: Region
    district_b: Region
    in_a: Retiree
    in_b: Retiree

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}


def district_of(session: Session, community: Region) -> Region:
    # community -> street -> district (tests.builders.make_community)
    street = session.get_one(Region, community.parent_id)
    return session.get_one(Region, street.parent_id)


def build_world(session: Session, *, code: str = "bank", rate: int = 600,
                return_url: str = RETURN_URL) -> World:
    city = make_city(session)
    community_a, community_b = make_community(session, city=city), make_community(session,
                                                                                 city=city)
    in_a = make_retiree(session, community=community_a, name="甲老人")
    in_b = make_retiree(session, community=community_b, name="乙老人")
    partner, secret = service.create_partner(session, actor=admin_actor(), code=code,
                                             name="测试银行", return_urls=return_url)
    district_a = district_of(session, community_a)
    key, token = keys.issue_key(session, actor=admin_actor(), partner=partner,
                                scopes=list(PartnerScope), region_ids=[district_a.id],
                                rate_per_minute=rate)
    session.flush()
    return World(partner, secret, token, key.key_id, district_a,
                 district_of(session, community_b), in_a, in_b)
