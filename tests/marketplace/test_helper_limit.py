"""A verified family helper, linked to the elder with the elder's confirmation, proposes a
monthly limit on their own phone; it is in force only after the elder agrees on theirs; a
helper not linked to the elder cannot."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.certification.access import issue_invitation
from lifecert.certification.models import FamilyHelper, FamilyLink
from lifecert.core.crypto import get_keyring
from lifecert.core.db import utcnow
from lifecert.core.sms import DevGateway, get_sms_gateway
from lifecert.marketplace import limits
from lifecert.marketplace.models import LimitStatus
from tests.builders import csrf_of, make_city, make_community, make_retiree


def test_family_proposes_elder_consents(session: Session, client: TestClient) -> None:
    here = make_community(session, city=make_city(session))
    elder = make_retiree(session, community=here, name="郑奶奶")
    other = make_retiree(session, community=here, name="别人")
    session.commit()
    page = client.get("/m/helper")
    sent = client.post("/m/helper/code", data={"phone": "13912340001", "csrf": csrf_of(page.text)})
    gateway = get_sms_gateway()
    assert isinstance(gateway, DevGateway)
    code = re.findall(r"(\d{6})", gateway.sent[0].text)[0]
    home = client.post("/m/helper/login", data={
        "phone": "13912340001", "code": code, "name": "郑小华",
        "id_number": "11010519491231002X", "csrf": csrf_of(sent.text)})
    number = get_keyring().decrypt_text(elder.id_number_enc, context="retiree.id_number")
    client.post("/m/helper/elders", data={"id_number": number, "relation": "女儿",
                                          "csrf": csrf_of(home.text)})
    helper = session.scalars(select(FamilyHelper)).one()
    helper.verified_at = utcnow()
    link = session.scalars(select(FamilyLink)).one()
    link.confirmed_at, link.confirmed_how = utcnow(), "retiree"
    session.commit()

    assert client.get(f"/m/market/helper/{other.id}/limit").status_code == 404
    form = client.get(f"/m/market/helper/{elder.id}/limit")
    assert form.status_code == 200 and "郑奶奶" in form.text
    done = client.post(f"/m/market/helper/{elder.id}/limit",
                       data={"monthly_limit": 800, "csrf": csrf_of(form.text)})
    assert done.status_code == 200 and "800" in done.text
    proposal = limits.pending_limit(session, retiree_id=elder.id)
    assert proposal is not None and proposal.set_by_helper == helper.id
    assert limits.active_limit(session, retiree_id=elder.id) is None  # not before the elder

    client.cookies.clear()
    client.get(f"/m/i/{issue_invitation(session, actor=None, retiree_id=elder.id)}")
    market = client.get("/m/market")
    client.post(f"/m/market/limits/{proposal.id}", data={"agree": "1",
                                                         "csrf": csrf_of(market.text)})
    session.refresh(proposal)
    assert proposal.status == LimitStatus.ACTIVE
