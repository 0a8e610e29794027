"""What the senior university tells its students, through the notifications outbox (the
elder's phone inbox), in the elder's own language."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.academy.models import AcademyClass, Enrolment, Term
from lifecert.core.i18n import N_, translations_for
from lifecert.notifications import service as notifications
from lifecert.notifications.models import ChannelName, MessageKind

WON = N_("You have a place in {name}. Please accept it on your phone by {day}.")
OFFERED = N_("A place in {name} is free for you now. Please accept it by {day}.")
NOTICE = N_("{institution}: {text}")


def _message(session: Session, retiree_id: int, msgid: str, key: str, language: str = "",
             **params: str) -> notifications.NewMessage:
    language = language or notifications.language_of(session, retiree_id)
    text = translations_for(language).gettext(msgid).format(**params)
    return notifications.NewMessage(retiree_id=retiree_id, channel=ChannelName.INBOX, text=text,
                                    key=key, kind=MessageKind.ADHOC, language=language)


def _send(session: Session, retiree_id: int, msgid: str, key: str, **params: str) -> None:
    notifications.queue_messages(session, [_message(session, retiree_id, msgid, key, **params)])


def draw_results(session: Session, *, term: Term, offers: list[tuple[int, int]],
                 accept_by: date) -> None:
    names = dict(session.execute(select(AcademyClass.id, AcademyClass.name)
                                 .where(AcademyClass.term_id == term.id)).all())
    day = accept_by.isoformat()
    languages = notifications.languages_of(session, (r for r, _c in offers))
    notifications.queue_messages(session, [
        _message(session, retiree_id, WON, f"academy-won-{class_id}-{retiree_id}",
                 languages[retiree_id], name=str(names.get(class_id, "")), day=day)
        for retiree_id, class_id in offers])


def place_offered(session: Session, *, enrolment: Enrolment, class_name: str) -> None:
    day = enrolment.accept_by.date().isoformat() if enrolment.accept_by else ""
    _send(session, enrolment.retiree_id, OFFERED,
          f"academy-offer-{enrolment.class_id}-{enrolment.retiree_id}-{day}",
          name=class_name, day=day)


def class_notice(session: Session, *, institution: str, retiree_ids: list[int], text: str,
                 key: str) -> int:
    languages = notifications.languages_of(session, retiree_ids)
    return len(notifications.queue_messages(session, [
        _message(session, r, NOTICE, f"{key}-{r}", languages[r], institution=institution,
                 text=text)
        for r in retiree_ids]))
