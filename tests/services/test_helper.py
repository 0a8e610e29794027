"""A verified family helper applies for the elder they help (channel "helper"); an
unverified helper, or one not linked to the elder, cannot."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.certification.models import FamilyHelper, FamilyLink
from lifecert.core.crypto import get_keyring
from lifecert.core.db import utcnow
from lifecert.core.sms import DevGateway, get_sms_gateway
from lifecert.services.models import ServiceApplication
from tests.builders import csrf_of, make_city, make_community, make_retiree
from tests.services.helpers import city_directory


def test_helper_applies_for_their_elder(session: Session, client: TestClient) -> None:
    city = make_city(session)
    here = make_community(session, city=city)
    allowance = city_directory(session, city)["allowance"]
    elder = make_retiree(session, community=here, name="郑奶奶", birth=date(1933, 8, 8))
    other = make_retiree(session, community=here, name="别人", birth=date(1933, 8, 9))
    session.commit()
    page = client.get("/m/helper")
    sent = client.post("/m/helper/code", data={"phone": "13912340000", "csrf": csrf_of(page.text)})
    gateway = get_sms_gateway()
    assert isinstance(gateway, DevGateway)
    code = re.findall(r"(\d{6})", gateway.sent[0].text)[0]  # newest first
    home = client.post("/m/helper/login", data={
        "phone": "13912340000", "code": code, "name": "郑小华",
        "id_number": "11010519491231002X", "csrf": csrf_of(sent.text)})
    number = get_keyring().decrypt_text(elder.id_number_enc, context="retiree.id_number")
    client.post("/m/helper/elders", data={"id_number": number, "relation": "女儿",
                                          "csrf": csrf_of(home.text)})
    assert client.get(f"/m/helper/services/{elder.id}", follow_redirects=False).status_code == 404
    helper = session.scalars(select(FamilyHelper)).one()
    helper.verified_at = utcnow()
    session.commit()
    # Verified but not yet confirmed by the elder: still no acting for them.
    assert client.get(f"/m/helper/services/{elder.id}", follow_redirects=False).status_code == 404
    link = session.scalars(select(FamilyLink)).one()
    link.confirmed_at, link.confirmed_how = utcnow(), "retiree"
    session.commit()
    assert client.get(f"/m/helper/services/{other.id}", follow_redirects=False).status_code == 404
    listing = client.get(f"/m/helper/services/{elder.id}")
    assert "高龄津贴" in listing.text
    form = client.get(f"/m/services/{allowance.id}/apply")
    assert "郑奶奶" in form.text
    done = client.post(f"/m/services/{allowance.id}/apply",
                       data={"csrf": csrf_of(form.text)}, follow_redirects=False)
    assert done.status_code == 303, done.text
    app = session.scalars(select(ServiceApplication)).one()
    assert (app.retiree_id, app.channel) == (elder.id, "helper")
