"""Questions and raised hands: over the viewer's websocket, rate-limited per viewer, refused
to blocked viewers and outside the live window; only what the host shows reaches everyone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.websockets import WebSocketDisconnect

from lifecert.certification.access import issue_invitation
from lifecert.core.db import utcnow
from lifecert.core.errors import InvalidInput, PermissionDenied, TooManyRequests
from lifecert.core.roles import Role
from lifecert.live import questions, service
from lifecert.live.models import AudienceKind, QuestionStatus
from lifecert.live.service import NewLiveSession
from lifecert.organisation.models import Region
from tests.builders import actor_of, make_city, make_community, make_retiree, make_staff


def _live(session: Session, *, go_live: bool = True) -> dict:
    city = make_city(session)
    hall = make_community(session, city=city)
    host = make_staff(session, role=Role.COMMUNITY_WORKER, regions=[hall])
    viewer = make_retiree(session, community=hall, name="赵秀英")
    start = utcnow() - timedelta(minutes=1)
    live, key = service.schedule_session(session, actor=actor_of(host), data=NewLiveSession(
        title="书法课", host_id=host.id, starts_at=start, ends_at=start + timedelta(hours=1),
        audience_kind=AudienceKind.COMMUNITY, community_id=hall.id))
    if go_live:
        assert service.authorise_publish(session, name=live.stream_name,
                                         key=key.split("=", 1)[1])
    return {"live": live, "host": host, "viewer": viewer}


def test_rate_limit_block_and_moderation(session: Session) -> None:
    s = _live(session)
    live, viewer, host = s["live"], s["viewer"], actor_of(s["host"])
    first = questions.ask(session, retiree=viewer, live_id=live.id,
                          text="  老师，  这个字怎么写？ ")
    assert first.text == "老师， 这个字怎么写？"
    questions.ask(session, retiree=viewer, live_id=live.id, text="")  # a raised hand
    questions.ask(session, retiree=viewer, live_id=live.id, text="谢谢")
    with pytest.raises(TooManyRequests):
        questions.ask(session, retiree=viewer, live_id=live.id, text="再问一个")
    with pytest.raises(InvalidInput):
        questions.ask(session, retiree=viewer, live_id=live.id, text="长" * 301)
    assert questions.shown(session, live_id=live.id) == []
    questions.moderate(session, actor=host, live_id=live.id, question_id=first.id, show=True)
    assert [q.id for q in questions.shown(session, live_id=live.id)] == [first.id]
    assert len(questions.for_host(session, actor=host, live_id=live.id)) == 3
    questions.block(session, actor=host, live_id=live.id, retiree_id=viewer.id)
    rows = questions.for_host(session, actor=host, live_id=live.id)
    assert [q.status for q, _name in rows] == [QuestionStatus.SHOWN]  # pending ones hidden
    with pytest.raises(PermissionDenied):
        questions.ask(session, retiree=viewer, live_id=live.id, text="还能问吗")


def test_no_questions_before_the_stream_and_only_the_host_moderates(session: Session) -> None:
    s = _live(session, go_live=False)
    with pytest.raises(InvalidInput):
        questions.ask(session, retiree=s["viewer"], live_id=s["live"].id, text="开始了吗")
    hall = s["viewer"].community_id
    colleague = make_staff(session, role=Role.COMMUNITY_WORKER,
                           regions=[session.get(Region, hall)])  # sees it, is not the host
    with pytest.raises(PermissionDenied):
        questions.block(session, actor=actor_of(colleague), live_id=s["live"].id,
                        retiree_id=s["viewer"].id)


def test_viewer_asks_over_the_websocket(session: Session, client: TestClient) -> None:
    s = _live(session)
    live, viewer, host = s["live"], s["viewer"], actor_of(s["host"])
    client.get(f"/m/i/{issue_invitation(session, actor=None, retiree_id=viewer.id)}")
    origin = {"origin": "http://testserver"}
    evil = {"origin": "http://evil.example"}  # another site's page: refused
    with pytest.raises(WebSocketDisconnect), client.websocket_connect(
        f"/m/live/{live.id}/ws", headers=evil
    ) as ws:
        ws.receive_json()
    with client.websocket_connect(f"/m/live/{live.id}/ws", headers=origin) as ws:
        ws.send_json({"type": "ask", "text": "声音有点小"})
        asked = ws.receive_json()
        assert asked["type"] == "asked" and asked["hand"] is False
        ws.send_json({"type": "hand"})
        assert ws.receive_json()["hand"] is True
        questions.moderate(session, actor=host, live_id=live.id, question_id=asked["id"],
                           show=True)
        session.flush()  # the socket's own session (same connection in tests) sees it
        ws.send_json({"type": "ask", "text": "谢谢老师"})
        messages = [ws.receive_json(), ws.receive_json()]
        assert {"type": "shown", "id": asked["id"], "text": "声音有点小"} in messages
        ws.send_json({"type": "ask", "text": "第四个"})
        refused = ws.receive_json()
        assert refused["type"] == "error" and refused["code"] == "too_many_requests"
