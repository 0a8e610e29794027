"""Questions and raised hands from viewers, moderated by the host: a per-viewer rate limit
(``live.questions_per_minute``), a per-session blocklist, and only what the host shows is
shown to everyone. The viewer's side travels over a websocket (``web/live_pages``)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.core.db import utcnow
from lifecert.core.errors import InvalidInput, NotFound, PermissionDenied, TooManyRequests
from lifecert.core.i18n import N_
from lifecert.core.roles import Role
from lifecert.core.scoping import Actor
from lifecert.core.settings import get_settings
from lifecert.live.models import LiveBlock, LiveQuestion, LiveSession, LiveStatus, QuestionStatus
from lifecert.live.service import get_for_retiree, get_for_staff
from lifecert.retirees.models import Retiree

MAX_TEXT = 300


def ask(session: Session, *, retiree: Retiree, live_id: int, text: str) -> LiveQuestion:
    """A question (``text``) or a raised hand (empty text) from a viewer of a live session."""
    live = get_for_retiree(session, retiree=retiree, live_id=live_id)
    if live.status != LiveStatus.LIVE:
        raise InvalidInput(N_("Questions are open only while the session is live."))
    blocked = session.scalar(select(LiveBlock.id).where(
        LiveBlock.session_id == live.id, LiveBlock.retiree_id == retiree.id))
    if blocked is not None:
        raise PermissionDenied(N_("The host has closed questions for you in this session."))
    text = " ".join(text.split())
    if len(text) > MAX_TEXT:
        raise InvalidInput(N_("Please keep the question shorter (at most 300 characters)."))
    since = utcnow() - timedelta(minutes=1)
    recent = session.scalar(select(func.count()).select_from(LiveQuestion).where(
        LiveQuestion.session_id == live.id, LiveQuestion.retiree_id == retiree.id,
        LiveQuestion.asked_at >= since)) or 0
    if recent >= get_settings().live.questions_per_minute:
        raise TooManyRequests(N_("You asked a lot just now. Please wait a minute."),
                              retry_after=60)
    question = LiveQuestion(session_id=live.id, retiree_id=retiree.id, text=text)
    session.add(question)
    session.flush()
    return question


def for_host(session: Session, *, actor: Actor, live_id: int) -> list[tuple[LiveQuestion, str]]:
    """Pending and shown questions with the asker's name, oldest first."""
    live = get_for_staff(session, actor=actor, live_id=live_id)
    rows = session.execute(
        select(LiveQuestion, Retiree.name).join(Retiree, Retiree.id == LiveQuestion.retiree_id)
        .where(LiveQuestion.session_id == live.id,
               LiveQuestion.status != QuestionStatus.HIDDEN)
        .order_by(LiveQuestion.id).limit(200))
    return [(question, name) for question, name in rows]


def _host_only(session: Session, actor: Actor, live_id: int) -> LiveSession:
    live = get_for_staff(session, actor=actor, live_id=live_id)
    if actor.role != Role.PLATFORM_ADMIN and live.host_id != actor.staff_id:
        raise PermissionDenied(N_("Only the host may moderate questions."))
    return live


def moderate(
    session: Session, *, actor: Actor, live_id: int, question_id: int, show: bool
) -> LiveQuestion:
    live = _host_only(session, actor, live_id)
    question = session.get(LiveQuestion, question_id)
    if question is None or question.session_id != live.id:
        raise NotFound(N_("No such record."))
    question.status = QuestionStatus.SHOWN if show else QuestionStatus.HIDDEN
    return question


def block(session: Session, *, actor: Actor, live_id: int, retiree_id: int) -> None:
    """No more questions from this viewer in this session; their pending ones are hidden."""
    live = _host_only(session, actor, live_id)
    exists = session.scalar(select(LiveBlock.id).where(
        LiveBlock.session_id == live.id, LiveBlock.retiree_id == retiree_id))
    if exists is None:
        session.add(LiveBlock(session_id=live.id, retiree_id=retiree_id,
                              blocked_by=actor.staff_id))
    for question in session.scalars(select(LiveQuestion).where(
            LiveQuestion.session_id == live.id, LiveQuestion.retiree_id == retiree_id,
            LiveQuestion.status == QuestionStatus.PENDING)):
        question.status = QuestionStatus.HIDDEN
    audit.record(session, actor=actor, action="live.block_viewer", target_type="live_session",
                 target_id=live.id, details={"retiree_id": retiree_id})


def shown(session: Session, *, live_id: int) -> list[LiveQuestion]:
    """The latest questions the host has put on screen (the viewers' feed)."""
    rows = session.scalars(select(LiveQuestion).where(
        LiveQuestion.session_id == live_id, LiveQuestion.status == QuestionStatus.SHOWN,
        LiveQuestion.text != "").order_by(LiveQuestion.id.desc()).limit(20))
    return list(reversed(list(rows)))
