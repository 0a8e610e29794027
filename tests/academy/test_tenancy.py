"""Tenancy through every academy route: staff of institution A reach nothing of institution B.

The routes come from the app's own route table, so a new route cannot be missed: a path
parameter or a write route this test does not know fails it. Each route is called with B's
ids and a valid body (a 422 would prove nothing); the answer must be 404/403 and must not
show B's data. The same routes with A's own ids answer (so the test can fail)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifecert.academy import attendance, enrolment
from lifecert.academy.lessons import lesson_dir
from lifecert.academy.models import Enrolment, EnrolmentStatus, Lesson, LessonStatus
from lifecert.core.db import utcnow
from tests.academy.helpers import World, make_world
from tests.builders import login, make_city, make_community, make_retiree

PREFIXES = ("/api/v1/academy", "/academy")
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 2000


def _world(session: Session, code: str, name: str) -> tuple[World, dict[str, int]]:
    city = make_city(session, code=code, name=name)
    world = make_world(session, city=city, capacities=(3,))
    person = make_retiree(session, community=make_community(session, city=city),
                          name=f"{name}学员")
    enrolment.apply(session, retiree=person, class_id=world.classes[0].id)
    draw = enrolment.run_draw(session, actor=world.actor, term_id=world.term.id,
                              seed=f"seed-{code}")
    place = session.query(Enrolment).filter_by(retiree_id=person.id).one()
    place.status = EnrolmentStatus.ACCEPTED
    item = attendance.create_session(session, actor=world.actor, class_id=world.classes[0].id,
                                     starts_at=utcnow() - timedelta(minutes=5))
    lesson = Lesson(institution_id=world.institution.id, class_id=world.classes[0].id,
                    title=f"{name}的课", status=LessonStatus.READY)
    session.add(lesson)
    session.flush()
    folder = lesson_dir(lesson.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "master.m3u8").write_text("#EXTM3U\n")
    return world, {
        "institution_id": world.institution.id, "term_id": world.term.id,
        "class_id": world.classes[0].id, "campus_id": world.campus.id,
        "session_id": item.id, "lesson_id": lesson.id, "draw_id": draw.id,
        "enrolment_id": place.id, "name": 0, "course_id": world.course.id,
        "retiree_id": person.id,
    }


def _bodies(ids: dict[str, int], world: World) -> dict[tuple[str, str], dict[str, Any]]:
    """A valid request body for every write route (validation passes; only scope refuses)."""
    return {
        ("POST", "/api/v1/academy/institutions"): {"json": {"code": "x1", "name": "新大学",
                                                            "region_id": 1}},
        ("PUT", "/api/v1/academy/institutions/{institution_id}/members"): {
            "json": {"staff_id": world.teacher.id, "role": "registrar"}},
        ("POST", "/api/v1/academy/institutions/{institution_id}/campuses"): {
            "json": {"name": "分校"}},
        ("POST", "/api/v1/academy/campuses/{campus_id}/rooms"): {
            "json": {"name": "202", "capacity": 20}},
        ("POST", "/api/v1/academy/institutions/{institution_id}/terms"): {"json": {
            "name": "秋", "starts_on": "2027-09-01", "ends_on": "2027-12-31",
            "apply_from": "2027-07-01", "apply_until": "2027-08-01"}},
        ("POST", "/api/v1/academy/terms/{term_id}/status"): {"json": {"status": "running"}},
        ("POST", "/api/v1/academy/institutions/{institution_id}/courses"): {
            "json": {"name": "合唱"}},
        ("POST", "/api/v1/academy/terms/{term_id}/classes"): {"json": {
            "course_id": ids["course_id"], "name": "新班", "capacity": 10}},
        ("POST", "/api/v1/academy/terms/{term_id}/draw"): {"json": {}},
        ("POST", "/api/v1/academy/enrolments/{enrolment_id}/fee-paid"): {},
        ("POST", "/api/v1/academy/classes/{class_id}/sessions"): {
            "json": {"starts_at": "2027-03-02T01:00:00Z"}},
        ("POST", "/api/v1/academy/sessions/{session_id}/roll-call"): {
            "json": {"present": [ids["retiree_id"]]}},
        ("POST", "/api/v1/academy/sessions/{session_id}/face"): {
            "files": {"photo": ("p.jpg", JPEG, "image/jpeg")}},
        ("POST", "/api/v1/academy/classes/{class_id}/lessons"): {
            "files": {"video": ("v.mp4", b"0" * 1000, "video/mp4")}, "data": {"title": "课"}},
        ("POST", "/api/v1/academy/lessons/{lesson_id}/subtitles"): {
            "files": {"subtitles": ("s.vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n",
                                    "text/vtt")}},
        ("POST", "/academy/classes/{class_id}/sessions"): {"data": {}},
        ("POST", "/academy/sessions/{session_id}/roll-call"): {
            "data": {"present": [str(ids["retiree_id"])]}},
        ("POST", "/academy/classes/{class_id}/lessons"): {
            "files": {"video": ("v.mp4", b"0" * 1000, "video/mp4")}, "data": {"title": "课"}},
    }


def _routes(client: TestClient) -> list[tuple[str, str]]:
    found = []
    for outer in client.app.routes:  # type: ignore[attr-defined]
        included = getattr(outer, "original_router", None)
        for route in included.routes if included is not None else [outer]:
            if isinstance(route, APIRoute) and route.path.startswith(PREFIXES):
                found.extend((m, route.path) for m in sorted(route.methods - {"HEAD"}))
    return found


def _url(path: str, ids: dict[str, int]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        if name not in ids:
            pytest.fail(f"unknown path parameter {name!r} in {path}: teach this test about it")
        return "master.m3u8" if name == "name" else str(ids[name])

    return re.sub(r"\{([^}]+)\}", fill, path)


def _call(client: TestClient, csrf: str, method: str, path: str, ids: dict[str, int],
          body: dict[str, Any]) -> Any:
    extra = dict(body)
    if "data" in extra:
        extra["data"] = {**extra["data"], "csrf": csrf}
    return client.request(method, _url(path, ids), headers={"X-CSRF-Token": csrf},
                          follow_redirects=False, **extra)


def test_staff_of_a_reach_nothing_of_b_through_any_route(client: TestClient,
                                                         session: Session) -> None:
    world_a, _ = _world(session, "430100", "长沙市")
    world_b, ids_b = _world(session, "430200", "株洲市")
    csrf = login(client, world_a.admin.username)
    routes = _routes(client)
    assert len(routes) >= 30, routes
    bodies_b = _bodies(ids_b, world_b)
    secret = {world_b.institution.name, "株洲市学员", "株洲市的课"}
    for method, path in routes:
        if method != "GET" and (method, path) not in bodies_b:
            pytest.fail(f"{method} {path}: a write route this test has no body for")
        answer = _call(client, csrf, method, path, ids_b, bodies_b.get((method, path), {}))
        leaked = [s for s in secret if s in answer.text]
        if "{" not in path and method == "GET":  # lists: only A's rows
            assert answer.status_code == 200 and not leaked, (path, answer.text[:300])
            continue
        if path == "/api/v1/academy/institutions" and method == "POST":
            assert answer.status_code == 403, answer.text  # only the platform registers
            continue
        assert answer.status_code in (403, 404), (method, path, answer.status_code,
                                                  answer.text[:300])
        assert not leaked, (method, path, leaked)


def test_the_same_routes_answer_for_their_own_institution(client: TestClient,
                                                         session: Session) -> None:
    world_a, ids_a = _world(session, "430100", "长沙市")
    login(client, world_a.admin.username)
    for method, path in _routes(client):
        if method != "GET":
            continue
        answer = client.get(_url(path, ids_a), follow_redirects=False)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
