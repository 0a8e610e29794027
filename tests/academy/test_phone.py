"""The student's phone pages (same login as certification): applications drawn by lottery,
the offer to accept, the class with its next session, check-in by the door's QR code; and
every /m/academy route refuses another class's or another student's records."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.academy import attendance, enrolment
from lifecert.academy.models import Application, Enrolment, EnrolmentStatus, Lesson, LessonStatus
from lifecert.core.db import utcnow
from tests.academy.helpers import make_world
from tests.builders import make_city, make_community, make_retiree
from tests.certification.trust_helpers import phone_login


def test_apply_accept_and_check_in_on_the_phone(client: TestClient, session: Session) -> None:
    city = make_city(session)
    world = make_world(session, city=city, capacities=(3,))
    elder = make_retiree(session, community=make_community(session, city=city), name="李阿姨")
    csrf = phone_login(client, session, elder)
    page = client.get("/m/academy")
    assert page.status_code == 200 and world.classes[0].name in page.text
    applied = client.post(f"/m/academy/apply/{world.classes[0].id}", data={"csrf": csrf},
                          follow_redirects=False)
    assert applied.status_code == 303, applied.text
    enrolment.run_draw(session, actor=world.actor, term_id=world.term.id, seed="phone-seed")
    offer = session.scalars(select(Enrolment).where(Enrolment.retiree_id == elder.id)).one()
    mine = client.get("/m/academy").text
    assert f"/m/academy/offers/{offer.id}/accept" in mine and "确认入学" in mine
    client.post(f"/m/academy/offers/{offer.id}/accept", data={"csrf": csrf})
    assert offer.status == EnrolmentStatus.ACCEPTED
    item = attendance.create_session(session, actor=world.teacher_actor,
                                     class_id=world.classes[0].id,
                                     starts_at=utcnow() - timedelta(minutes=5))
    code = attendance.qr_code(item)
    assert client.get(f"/m/academy/checkin/{item.id}/{code}").status_code == 200
    assert client.get(f"/m/academy/checkin/{item.id}/{'0' * 20}").status_code == 422


def test_phone_routes_refuse_other_records(client: TestClient, session: Session) -> None:
    city = make_city(session)
    world = make_world(session, city=city, capacities=(3,))
    community = make_community(session, city=city)
    elder, other = (make_retiree(session, community=community, name=n) for n in ("甲", "乙"))
    enrolment.apply(session, retiree=other, class_id=world.classes[0].id, channel="family")
    app = session.scalars(select(Application)).one()
    app.status = app.status.APPLIED
    enrolment.run_draw(session, actor=world.actor, term_id=world.term.id, seed="other-seed")
    place = session.scalars(select(Enrolment)).one()
    place.status = EnrolmentStatus.ACCEPTED
    item = attendance.create_session(session, actor=world.actor, class_id=world.classes[0].id,
                                     starts_at=utcnow())
    lesson = Lesson(institution_id=world.institution.id, class_id=world.classes[0].id,
                    title="乙的课", status=LessonStatus.READY)
    session.add(lesson)
    session.flush()
    ids = {"lesson_id": lesson.id, "enrolment_id": place.id, "application_id": app.id,
           "session_id": item.id, "code": attendance.qr_code(item), "name": "master.m3u8",
           "answer": "decline"}
    csrf = phone_login(client, session, elder)  # not a student of the class
    checked = 0
    for outer in client.app.routes:  # type: ignore[attr-defined]
        included = getattr(outer, "original_router", None)
        for route in included.routes if included is not None else [outer]:
            if not (isinstance(route, APIRoute) and route.path.startswith("/m/academy/")):
                continue
            if route.path == "/m/academy/apply/{class_id}":
                continue  # the catalogue is public: any elder may apply to any open class
            url = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: str(ids[m.group(1)]), route.path)
            for method in route.methods - {"HEAD"}:
                answer = client.request(method, url, data={"csrf": csrf, "position": "5"},
                                        follow_redirects=False)
                assert answer.status_code in (403, 404), (method, route.path,
                                                          answer.status_code)
                checked += 1
    assert checked >= 6
    assert place.status == EnrolmentStatus.ACCEPTED and app.retiree_id == other.id
