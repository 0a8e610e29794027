"""Event pages, the retiree page and the phone pages: auth, scope, CSRF, wiring."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.audit.models import AuditEntry
from lifecert.certification.access import issue_invitation
from lifecert.community import signups
from lifecert.community.models import (
    Attendance,
    CommunityEvent,
    EventSignup,
    HomeVisit,
    RetireeNote,
    SignupChannel,
    SignupStatus,
)
from lifecert.core.roles import Role
from lifecert.system.clock import local_zone
from tests.builders import actor_of, login, make_retiree, make_staff
from tests.certification.helpers import enrolled_retiree
from tests.community.helpers import make_event, make_place, move_start


def _csrf(html: str) -> str:
    return html.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def _event_form(community_id: int, **changes: object) -> dict[str, object]:
    from lifecert.core.db import utcnow

    start = (utcnow() + timedelta(days=3)).astimezone(local_zone())
    form: dict[str, object] = {
        "community_id": community_id,
        "title": "冬季养生讲座",
        "kind": "health_talk",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": "社区活动室",
        "capacity": "1",
        "description": "请带上老年证",
    }
    form.update(changes)
    return form


def test_worker_creates_an_event_signs_people_up_and_marks_attendance(
    client: TestClient, session: Session
) -> None:
    place = make_place(session)
    first = make_retiree(session, community=place.community, name="王秀英")
    second = make_retiree(session, community=place.community, name="王建国")
    csrf = login(client, place.worker.username)
    assert client.get("/events/new").status_code == 200
    bad = client.post(
        "/events/new", data=_event_form(place.community.id, ends_at="2020-01-01T00:00", csrf=csrf)
    )
    assert bad.status_code == 422 and "冬季养生讲座" in bad.text  # the form comes back filled in
    created = client.post(
        "/events/new", data=_event_form(place.community.id, csrf=csrf), follow_redirects=False
    )
    assert created.status_code == 303
    event = session.scalars(select(CommunityEvent)).one()
    assert event.created_by == place.worker.id and event.capacity == 1
    assert "冬季养生讲座" in client.get("/events").text
    found = client.get(f"/events/{event.id}?q=王")
    assert "王秀英" in found.text and "王建国" in found.text
    signed = client.post(
        f"/events/{event.id}/signups",
        data={"retiree_id": first.id, "csrf": csrf},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    full = client.post(f"/events/{event.id}/signups", data={"retiree_id": second.id, "csrf": csrf})
    assert full.status_code == 409
    signup = session.scalars(select(EventSignup)).one()
    assert signup.channel == SignupChannel.STAFF and signup.signed_up_by == place.worker.id
    move_start(session, event, timedelta(minutes=-10))
    sheet = client.get(f"/events/{event.id}/attendance")
    assert sheet.status_code == 200 and f'id="r{first.id}"' in sheet.text
    marked = client.post(
        f"/events/{event.id}/attendance/{first.id}",
        data={"attendance": "attended", "csrf": csrf},
        follow_redirects=False,
    )
    assert marked.status_code == 303
    session.refresh(signup)
    assert signup.attendance == Attendance.ATTENDED
    nonsense = client.post(
        f"/events/{event.id}/attendance/{first.id}", data={"attendance": "maybe", "csrf": csrf}
    )
    assert nonsense.status_code == 422


def test_event_pages_refuse_forged_forms_outsiders_and_strangers(
    client: TestClient, session: Session
) -> None:
    place = make_place(session)
    event = make_event(session, actor=place.worker_actor, community=place.community)
    person = make_retiree(session, community=place.community)
    assert client.get("/events", follow_redirects=False).status_code == 303  # to the login
    csrf = login(client, place.worker.username)
    forged = client.post("/events/new", data=_event_form(place.community.id, csrf="forged"))
    assert forged.status_code == 403
    forged = client.post(
        f"/events/{event.id}/signups", data={"retiree_id": person.id, "csrf": "forged"}
    )
    assert forged.status_code == 403
    assert session.scalar(select(func.count()).select_from(EventSignup)) == 0
    assert session.scalar(select(func.count()).select_from(CommunityEvent)) == 1
    login(client, place.other_worker.username)
    csrf = _csrf(client.get("/events").text)
    assert client.get(f"/events/{event.id}").status_code == 404
    assert client.get(f"/events/{event.id}/attendance").status_code == 404
    outside = client.post(
        f"/events/{event.id}/signups", data={"retiree_id": person.id, "csrf": csrf}
    )
    assert outside.status_code == 404
    other_community = client.post("/events/new", data=_event_form(place.community.id, csrf=csrf))
    assert other_community.status_code == 404
    provider = make_staff(session, role=Role.PROVIDER_STAFF, regions=[place.city])
    login(client, provider.username)
    assert client.get("/events").status_code == 403


def test_retiree_signs_up_and_cancels_on_the_phone(client: TestClient, session: Session) -> None:
    place = make_place(session)
    event = make_event(
        session, actor=place.worker_actor, community=place.community, title="智能手机课"
    )
    other_event = make_event(
        session, actor=place.worker_actor, community=place.community, title="生日会"
    )
    person = make_retiree(session, community=place.community, name="李桂兰")
    assert client.get("/m/events").status_code == 401  # not logged in: the phone login page
    client.get(f"/m/i/{issue_invitation(session, actor=None, retiree_id=person.id)}")
    listing = client.get("/m/events")
    assert "智能手机课" in listing.text and "生日会" in listing.text and "speak.js" in listing.text
    page = client.get(f"/m/events/{event.id}")
    assert f"/m/events/{event.id}/signup" in page.text and "data-say" in page.text
    csrf = _csrf(page.text)
    assert client.post(f"/m/events/{event.id}/signup", data={"csrf": "forged"}).status_code == 403
    done = client.post(f"/m/events/{event.id}/signup", data={"csrf": csrf})
    assert done.status_code == 200 and f"/m/events/{event.id}/cancel" in done.text
    signup = session.scalars(select(EventSignup)).one()
    assert signup.channel == SignupChannel.MOBILE and signup.signed_up_by is None
    assert client.post(f"/m/events/{event.id}/signup", data={"csrf": csrf}).status_code == 409
    cancelled = client.post(f"/m/events/{event.id}/cancel", data={"csrf": csrf})
    assert cancelled.status_code == 200 and f"/m/events/{event.id}/signup" in cancelled.text
    session.refresh(signup)
    assert signup.status == SignupStatus.CANCELLED
    untouched = client.get(f"/m/events/{other_event.id}")
    assert f"/m/events/{other_event.id}/signup" in untouched.text


def test_phone_pages_show_only_the_own_community(client: TestClient, session: Session) -> None:
    place = make_place(session)
    theirs = make_event(
        session, actor=actor_of(place.other_worker), community=place.other, title="和平社区活动"
    )
    person = make_retiree(session, community=place.community)
    client.get(f"/m/i/{issue_invitation(session, actor=None, retiree_id=person.id)}")
    assert "和平社区活动" not in client.get("/m/events").text
    assert client.get(f"/m/events/{theirs.id}").status_code == 404
    csrf = _csrf(client.get("/m/home").text)
    assert client.post(f"/m/events/{theirs.id}/signup", data={"csrf": csrf}).status_code == 404


def test_retiree_page_shows_everything_and_runs_the_actions(
    client: TestClient, session: Session
) -> None:
    person = enrolled_retiree(session, face_seed=5, name="赵淑梅")
    worker = make_staff(session, role=Role.COMMUNITY_WORKER, regions=[person.community])
    officer = make_staff(session, role=Role.BUREAU_OFFICER, regions=[person.community])
    csrf = login(client, worker.username)
    page = client.get(f"/retirees/{person.id}")
    assert page.status_code == 200 and person.id_number_masked in page.text
    assert "/templates/" not in page.text  # workers never get face pictures
    assert (
        client.post(
            f"/retirees/{person.id}/notes",
            data={"notes": "独居", "csrf": csrf},
            follow_redirects=False,
        ).status_code
        == 303
    )
    visit_day = (person.created_at + timedelta(days=1)).date().isoformat()
    assert (
        client.post(
            f"/retirees/{person.id}/visits",
            data={"scheduled_for": visit_day, "purpose": "协助认证", "csrf": csrf},
            follow_redirects=False,
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"/retirees/{person.id}/visits", data={"scheduled_for": "soon", "csrf": csrf}
        ).status_code
        == 422
    )
    reminded = client.post(
        f"/retirees/{person.id}/reminder", data={"csrf": csrf}, follow_redirects=False
    )
    assert reminded.status_code == 303
    assert client.post(f"/retirees/{person.id}/reminder", data={"csrf": csrf}).status_code == 409
    recorded = client.post(
        f"/retirees/{person.id}/non-face",
        data={
            "place": "counter",
            "reason": "卧床无法刷脸",
            "evidence_note": "身份证本人",
            "csrf": csrf,
        },
        follow_redirects=False,
    )
    assert recorded.status_code == 303
    page = client.get(f"/retirees/{person.id}").text
    assert "独居" in page and "协助认证" in page
    # The reminder is listed with its channel named in words, not as a code.
    assert "手机消息" in page and ">inbox<" not in page
    assert 'class="card pending"' in page  # the verification awaits an officer's approval
    visit = session.scalars(select(HomeVisit)).one()
    closed = client.post(
        f"/visits/{visit.id}/close",
        data={"status": "done", "outcome": "本人在家", "csrf": csrf},
        follow_redirects=False,
    )
    assert closed.status_code == 303 and "本人在家" in client.get(f"/retirees/{person.id}").text
    login(client, officer.username)
    assert 'src="/templates/' in client.get(f"/retirees/{person.id}").text
    viewed = session.scalars(
        select(AuditEntry.actor_id).where(AuditEntry.action == "retiree.viewed")
    ).all()
    assert viewed.count(worker.id) == 3 and viewed.count(officer.id) == 1


def test_retiree_page_actions_refuse_forged_forms_and_outsiders(
    client: TestClient, session: Session
) -> None:
    place = make_place(session)
    person = make_retiree(session, community=place.community)
    csrf = login(client, place.worker.username)
    for path, data in (
        ("notes", {"notes": "x"}),
        ("reminder", {}),
        ("visits", {"scheduled_for": "2099-01-01"}),
        ("non-face", {"reason": "上门核验本人", "evidence_note": "身份证"}),
    ):
        forged = client.post(f"/retirees/{person.id}/{path}", data={**data, "csrf": "forged"})
        assert forged.status_code == 403, path
    assert session.scalar(select(func.count()).select_from(RetireeNote)) == 0
    assert session.scalar(select(func.count()).select_from(HomeVisit)) == 0
    login(client, place.other_worker.username)
    csrf = _csrf(client.get("/events").text)
    assert client.get(f"/retirees/{person.id}").status_code == 404
    for path, data in (
        ("notes", {"notes": "x"}),
        ("reminder", {}),
        ("visits", {"scheduled_for": "2099-01-01"}),
        ("non-face", {"reason": "上门核验本人", "evidence_note": "身份证"}),
    ):
        outside = client.post(f"/retirees/{person.id}/{path}", data={**data, "csrf": csrf})
        assert outside.status_code == 404, path
    assert session.scalar(select(func.count()).select_from(RetireeNote)) == 0


def test_events_api_is_scoped_and_needs_the_csrf_header(
    client: TestClient, session: Session
) -> None:
    place = make_place(session)
    event = make_event(session, actor=place.worker_actor, community=place.community)
    person = make_retiree(session, community=place.community)
    csrf = login(client, place.worker.username)
    listed = client.get("/api/v1/events").json()
    assert [e["id"] for e in listed["items"]] == [event.id] and listed["total"] == 1
    assert client.get("/api/v1/events/upcoming").json()[0]["signed_up"] == 0
    no_header = client.post(f"/api/v1/events/{event.id}/signups", json={"retiree_id": person.id})
    assert no_header.status_code == 403
    ok = client.post(
        f"/api/v1/events/{event.id}/signups",
        json={"retiree_id": person.id},
        headers={"X-CSRF-Token": csrf},
    )
    assert ok.status_code == 201 and ok.json()["channel"] == "staff"
    assert client.get(f"/api/v1/events/{event.id}").json()["signed_up"] == 1
    login(client, place.other_worker.username)
    assert client.get(f"/api/v1/events/{event.id}").status_code == 404
    assert client.get("/api/v1/events").json()["total"] == 0


def test_worker_edits_and_cancels_an_event(client: TestClient, session: Session) -> None:
    place = make_place(session)
    event = make_event(session, actor=place.worker_actor, community=place.community, capacity=5)
    for name in ("甲一", "乙二"):
        person = make_retiree(session, community=place.community, name=name)
        signups.sign_up_self(session, retiree=person, event_id=event.id)
    csrf = login(client, place.worker.username)
    form = client.get(f"/events/{event.id}/edit")
    assert form.status_code == 200 and 'value="健康讲座"' in form.text
    changed = _event_form(place.community.id, title="改名后的讲座", capacity="3", csrf=csrf)
    saved = client.post(f"/events/{event.id}/edit", data=changed, follow_redirects=False)
    assert saved.status_code == 303
    session.refresh(event)
    assert event.title == "改名后的讲座" and event.capacity == 3
    too_small = client.post(f"/events/{event.id}/edit", data={**changed, "capacity": "1"})
    assert too_small.status_code == 409 and "改名后的讲座" in too_small.text
    session.refresh(event)
    assert event.capacity == 3  # nothing half-written
    login(client, place.other_worker.username)
    other_csrf = _csrf(client.get("/events").text)
    assert client.post(f"/events/{event.id}/cancel", data={"csrf": other_csrf}).status_code == 404
    login(client, place.worker.username)
    csrf = _csrf(client.get("/events").text)
    assert client.post(f"/events/{event.id}/cancel", data={"csrf": "forged"}).status_code == 403
    cancelled = client.post(f"/events/{event.id}/cancel", data={"csrf": csrf})
    assert cancelled.status_code == 200
    session.refresh(event)
    assert event.status.value == "cancelled"
