"""Through the API and the staff pages: a merchant cannot list in a forbidden category, in a
category it was not approved for, above the bureau's cap, or a health product without a
registration number; merchants see only their own offers and orders; photos are checked and
served by the app; the bureau suspends a merchant and its offers disappear."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.certification.access import issue_invitation
from lifecert.core.roles import Role
from lifecert.marketplace import orders
from lifecert.marketplace.models import Offer
from tests.builders import (
    csrf_of,
    login,
    make_city,
    make_community,
    make_retiree,
    make_staff,
    noise_photo,
)
from tests.marketplace.helpers import TODAY, approved_merchant, offer, seed_categories

GOOD = {"category_code": "cleaning", "title": "两小时保洁",
        "description": "一名保洁员上门两小时，含工具，不另收费。", "price": 150}


def _setup(session: Session) -> dict:
    seed_categories(session)
    city = make_city(session)
    community = make_community(session, city=city)
    merchant, staff = approved_merchant(session, city, categories=("cleaning", "health_products"))
    other, other_staff = approved_merchant(session, city, name="别家维修", categories=("repairs",))
    session.commit()
    return {"city": city, "community": community, "merchant": merchant, "staff": staff,
            "other": other, "other_staff": other_staff}


def _offer_titles(session: Session) -> list[str]:
    return [o.title for o in session.scalars(select(Offer).order_by(Offer.id))]


def test_api_refuses_forbidden_category_cap_and_missing_registration(
    session: Session, client: TestClient
) -> None:
    s = _setup(session)
    csrf = login(client, s["staff"].username)
    headers = {"X-CSRF-Token": csrf}
    base = {**GOOD, "region_id": s["city"].id}
    cases = [
        ({"category_code": "investment", "title": "养老理财"}, 422, "投资理财"),
        ({"category_code": "repairs"}, 403, "上门维修"),  # not approved for it
        ({"price": 301}, 422, "300"),  # above the cap
        ({"category_code": "health_products"}, 422, "注册"),
        ({"description": "买三送一，全额返利，欢迎参加。"}, 422, "返利"),
    ]
    for change, status, words in cases:
        response = client.post("/api/v1/marketplace/offers", json={**base, **change},
                               headers=headers)
        assert response.status_code == status, (change, response.text)
        assert words in response.json()["detail"], response.text
    assert _offer_titles(session) == []
    at_cap = client.post("/api/v1/marketplace/offers", json={**base, "price": 300},
                         headers=headers)
    assert at_cap.status_code == 201, at_cap.text
    assert _offer_titles(session) == ["两小时保洁"]


def test_pages_refuse_forbidden_category_and_cap(session: Session, client: TestClient) -> None:
    s = _setup(session)
    login(client, s["staff"].username)
    page = client.get("/market")
    assert page.status_code == 200 and "投资理财" not in page.text  # not even offered
    csrf = csrf_of(page.text)
    form = {**GOOD, "region_id": str(s["city"].id), "csrf": csrf}
    above = client.post("/market/offers", data={**form, "price": "500"})
    assert above.status_code == 422 and "300" in above.text and 'id="offer-error"' in above.text
    forbidden = client.post("/market/offers", data={**form, "category_code": "investment"})
    assert forbidden.status_code == 422 and "投资理财" in forbidden.text
    assert _offer_titles(session) == []
    listed = client.post("/market/offers", data=form, follow_redirects=True)
    assert listed.status_code == 200 and "两小时保洁" in listed.text
    assert _offer_titles(session) == ["两小时保洁"]


def test_merchants_see_only_their_own(session: Session, client: TestClient) -> None:
    s = _setup(session)
    mine = offer(session, s["staff"], s["city"])
    theirs = offer(session, s["other_staff"], s["city"], category="repairs", title="修水管")
    elder = make_retiree(session, community=s["community"])
    orders.place_order(session, retiree=elder, offer_id=mine.id, today=TODAY)
    session.commit()
    csrf = login(client, s["other_staff"].username)
    assert [o["title"] for o in client.get("/api/v1/marketplace/offers").json()] == ["修水管"]
    assert client.get("/api/v1/marketplace/orders").json() == []
    assert [m["name"] for m in client.get("/api/v1/marketplace/merchants").json()] == ["别家维修"]
    gone = client.delete(f"/api/v1/marketplace/offers/{mine.id}", headers={"X-CSRF-Token": csrf})
    assert gone.status_code == 404
    assert "两小时家庭保洁" not in client.get("/market").text
    assert client.get("/api/v1/marketplace/complaints").status_code == 403  # no roster rights
    assert client.get("/api/v1/retirees").status_code == 403
    assert theirs.active


def test_photo_checked_and_served(session: Session, client: TestClient) -> None:
    s = _setup(session)
    item = offer(session, s["staff"], s["city"])
    session.commit()
    csrf = login(client, s["staff"].username)
    url = f"/api/v1/marketplace/offers/{item.id}/photo"
    text = client.post(url, files={"photo": ("a.png", b"not a picture", "image/png")},
                       headers={"X-CSRF-Token": csrf})
    assert text.status_code == 422
    big = client.post(url, files={"photo": ("a.png", b"\x89PNG" + b"0" * (3 << 20),
                                            "image/png")}, headers={"X-CSRF-Token": csrf})
    assert big.status_code == 413
    photo = noise_photo()
    ok = client.post(url, files={"photo": ("a.png", photo, "image/png")},
                     headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200, ok.text
    served = client.get(f"/market/photos/{item.id}")
    assert served.status_code == 200 and served.content == photo
    page = client.get("/market")
    too_big = client.post(f"/market/offers/{item.id}/photo",
                          files={"photo": ("b.png", b"\x89PNG" + b"0" * (3 << 20), "image/png")},
                          data={"csrf": csrf_of(page.text)})
    assert too_big.status_code == 413
    other = noise_photo(seed=2)
    done = client.post(f"/market/offers/{item.id}/photo",
                       files={"photo": ("b.png", other, "image/png")},
                       data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert done.status_code == 303
    assert client.get(f"/market/photos/{item.id}").content == other
    assert served.headers["content-type"] == "image/png"


def test_bureau_suspends_and_offers_disappear(session: Session, client: TestClient) -> None:
    s = _setup(session)
    offer(session, s["staff"], s["city"])
    elder = make_retiree(session, community=s["community"])
    bureau = make_staff(session, role=Role.BUREAU_OFFICER, regions=[s["city"]])
    token = issue_invitation(session, actor=None, retiree_id=elder.id)
    session.commit()
    csrf = login(client, bureau.username)
    refused = client.post(f"/api/v1/marketplace/merchants/{s['merchant'].id}/decision",
                          json={"status": "suspended"}, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 422  # a reason is required
    done = client.post(f"/api/v1/marketplace/merchants/{s['merchant'].id}/decision",
                       json={"status": "suspended", "reason": "多起投诉"},
                       headers={"X-CSRF-Token": csrf})
    assert done.status_code == 200 and done.json()["status"] == "suspended"
    client.cookies.clear()
    client.get(f"/m/i/{token}")
    assert "家政保洁" not in client.get("/m/market").text


def test_worker_proposes_limit_elder_agrees_on_phone_then_refused_politely(
    session: Session, client: TestClient
) -> None:
    s = _setup(session)
    item = offer(session, s["staff"], s["city"], price=120)
    elder = make_retiree(session, community=s["community"])
    worker = make_staff(session, role=Role.COMMUNITY_WORKER, regions=[s["community"]])
    token = issue_invitation(session, actor=None, retiree_id=elder.id)
    session.commit()
    login(client, worker.username)
    csrf = csrf_of(client.get("/market").text)
    done = client.post("/market/limits", data={"retiree_id": elder.id, "monthly_limit": 100,
                                               "csrf": csrf}, follow_redirects=False)
    assert done.status_code == 303
    called = client.post("/market/calls", data={"retiree_id": elder.id,
                                                "merchant_id": s["merchant"].id,
                                                "hours_ago": 2, "csrf": csrf})
    assert called.status_code == 200

    client.cookies.clear()
    client.get(f"/m/i/{token}")
    market = client.get("/m/market")
    assert "100 元" in market.text and 'id="limit"' in market.text
    phone_csrf = csrf_of(market.text)
    limit_id = int(market.text.split("/m/market/limits/", 1)[1].split('"', 1)[0])
    client.post(f"/m/market/limits/{limit_id}", data={"agree": "1", "csrf": phone_csrf})
    refused = client.post(f"/m/market/offers/{item.id}/buy", data={"csrf": phone_csrf})
    assert refused.status_code == 409 and "每月 100 元的上限" in refused.text
    assert session.scalars(select(orders.Order)).all() == []


def test_elder_reports_a_call_then_an_order_alerts(session: Session, client: TestClient) -> None:
    s = _setup(session)
    item = offer(session, s["staff"], s["city"], price=120)
    elder = make_retiree(session, community=s["community"])
    token = issue_invitation(session, actor=None, retiree_id=elder.id)
    session.commit()
    client.get(f"/m/i/{token}")
    page = client.get(f"/m/market/offers/{item.id}")
    told = client.post(f"/m/market/offers/{item.id}/called", data={"csrf": csrf_of(page.text)})
    assert told.status_code == 200 and "请先和家人或社区商量" in told.text
    bought = client.post(f"/m/market/offers/{item.id}/buy", data={"csrf": csrf_of(page.text)},
                         follow_redirects=False)
    assert bought.status_code == 303
    order = session.scalars(select(orders.Order)).one()
    assert order.alert_rules == ["after_call"]
