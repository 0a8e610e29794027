"""Fair enrolment: applications (the elder's phone, or family with the elder's confirmation),
the published lottery, offers with a deadline to accept, and the waitlist that promotes by
itself when a place is declined or not accepted in time."""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from lifecert.academy import lottery, notices, policy
from lifecert.academy.models import (
    AcademyClass,
    Application,
    ApplicationStatus,
    Course,
    Enrolment,
    EnrolmentStatus,
    LotteryDraw,
    Term,
    TermStatus,
    WaitlistEntry,
)
from lifecert.audit import service as audit
from lifecert.core.db import bulk_insert, utcnow
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.core.queue import enqueue_after_commit
from lifecert.core.scoping import Actor
from lifecert.retirees.models import Retiree

HOLDING = (EnrolmentStatus.OFFERED, EnrolmentStatus.ACCEPTED)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def applicant_code(term_id: int, retiree_id: int) -> str:
    """The pseudonym published in a draw's document; the elder sees their own on the phone."""
    return hashlib.sha256(f"academy:{term_id}:{retiree_id}".encode()).hexdigest()[:16]


def apply(
    session: Session, *, retiree: Retiree, class_id: int, preference: int = 1,
    channel: str = "phone",
) -> Application:
    """An application for one class. From a family member (``channel="family"``) it waits for
    the elder's own confirmation before it enters the draw."""
    row = session.get(AcademyClass, class_id)
    if row is None:
        raise NotFound("No such class.")
    term = session.get_one(Term, row.term_id)
    if term.status != TermStatus.APPLYING:
        raise Conflict("Applications for this term are not open.")
    age = age_on(retiree.birth_date, term.starts_on)
    if (row.min_age and age < row.min_age) or (row.max_age and age > row.max_age):
        raise InvalidInput("This class is for ages {low} to {high}.",
                           params={"low": row.min_age or 0, "high": row.max_age or 120})
    _check_prerequisite(session, retiree.id, row)
    if session.scalar(select(Application.id).where(
            Application.class_id == class_id, Application.retiree_id == retiree.id)):
        raise Conflict("You have already applied for this class.")
    family = channel == "family"
    app = Application(
        institution_id=row.institution_id, term_id=term.id, class_id=row.id,
        retiree_id=retiree.id, preference=max(1, preference), channel=channel[:16],
        status=ApplicationStatus.AWAITING_CONFIRMATION if family else ApplicationStatus.APPLIED,
        confirmed_at=None if family else utcnow(),
    )
    session.add(app)
    session.flush()
    audit.record(session, actor=None, action="academy.applied", target_type="academy_application",
                 target_id=app.id, details={"class_id": class_id, "channel": app.channel})
    return app


def _check_prerequisite(session: Session, retiree_id: int, row: AcademyClass) -> None:
    course = session.get_one(Course, row.course_id)
    if course.prerequisite_id is None:
        return
    done = session.scalar(
        select(Enrolment.id).join(AcademyClass, AcademyClass.id == Enrolment.class_id)
        .where(Enrolment.retiree_id == retiree_id, Enrolment.status == EnrolmentStatus.ACCEPTED,
               AcademyClass.course_id == course.prerequisite_id))
    if done is None:
        raise InvalidInput("This class needs an earlier course first.")


def confirm_application(session: Session, *, retiree: Retiree, application_id: int) -> Application:
    """The elder confirms what a family member applied for on their behalf."""
    app = session.get(Application, application_id)
    if app is None or app.retiree_id != retiree.id:
        raise NotFound("No such application.")
    if app.status == ApplicationStatus.AWAITING_CONFIRMATION:
        app.status, app.confirmed_at = ApplicationStatus.APPLIED, utcnow()
    return app


def _lottery_inputs(
    session: Session, term: Term
) -> tuple[list[lottery.Seat], list[lottery.Person], list[lottery.Entry], dict[str, int]]:
    classes = session.scalars(select(AcademyClass).where(AcademyClass.term_id == term.id)).all()
    seats = [lottery.Seat(c.id, c.capacity) for c in classes]
    continues = {c.continues_id: c.id for c in classes if c.continues_id}
    apps = session.execute(
        select(Application.retiree_id, Application.class_id, Application.preference,
               Retiree.birth_date)
        .join(Retiree, Retiree.id == Application.retiree_id)
        .where(Application.term_id == term.id, Application.status == ApplicationStatus.APPLIED)
    ).all()
    ids = {int(r[0]) for r in apps}
    past = session.execute(
        select(Enrolment.retiree_id, Enrolment.class_id)
        .where(Enrolment.institution_id == term.institution_id,
               Enrolment.status == EnrolmentStatus.ACCEPTED)
    ).all()
    studied: dict[int, set[int]] = {}
    for retiree_id, class_id in past:
        if int(retiree_id) in ids:
            studied.setdefault(int(retiree_id), set()).add(int(class_id))
    codes = {r: applicant_code(term.id, r) for r in ids}
    births = {int(r[0]): r[3] for r in apps}
    persons = [
        lottery.Person(
            codes[r], age_on(births[r], term.starts_on), r not in studied,
            frozenset(continues[c] for c in studied.get(r, set()) if c in continues))
        for r in ids
    ]
    entries = [lottery.Entry(codes[int(r)], int(c), int(p)) for r, c, p, _b in apps]
    return seats, persons, entries, {code: r for r, code in codes.items()}


def run_draw(
    session: Session, *, actor: Actor, term_id: int, seed: str | None = None
) -> LotteryDraw:
    """Close applications and draw: offers to the winners, waitlists in draw order."""
    term = policy.scoped(session, actor, Term, term_id, policy.MANAGERS)
    if term.status != TermStatus.APPLYING:
        raise Conflict("The lottery runs once, at the end of the application window.")
    seats, persons, entries, retiree_of = _lottery_inputs(session, term)
    seed = seed or secrets.token_hex(16)
    doc = lottery.document(seats, persons, entries, term.priorities, term.max_courses)
    result = lottery.draw(seed, seats, persons, entries, term.priorities, term.max_courses)
    draw = LotteryDraw(
        institution_id=term.institution_id, term_id=term.id, seed=seed, method=lottery.METHOD,
        inputs=doc, inputs_sha256=lottery.canonical_sha256(doc), result=result.as_dict(),
        result_sha256=result.sha256(), drawn_by=actor.staff_id or None)
    session.add(draw)
    _apply_result(session, term, result, retiree_of)
    term.status = TermStatus.DRAWN
    session.flush()
    # The winners' notices are a job: the draw itself only reads, draws and writes.
    enqueue_after_commit(session, "academy.notify_draw", draw_id=draw.id)
    audit.record(session, actor=actor, action="academy.lottery_drawn", target_type="academy_draw",
                 target_id=draw.id, details={"seed": seed, "result_sha256": draw.result_sha256,
                                             "applications": len(entries)})
    return draw


def _apply_result(session: Session, term: Term, result: lottery.DrawResult,
                  retiree_of: dict[str, int]) -> None:
    fees = dict(session.execute(
        select(AcademyClass.id, Course.fee_yuan).join(Course, Course.id == AcademyClass.course_id)
        .where(AcademyClass.term_id == term.id)).all())
    accept_by = utcnow() + timedelta(days=term.accept_days)
    offers = [
        {"institution_id": term.institution_id, "class_id": c, "retiree_id": retiree_of[a],
         "status": EnrolmentStatus.OFFERED.value, "source": "lottery", "accept_by": accept_by,
         "fee_yuan": int(fees.get(c, 0)), "created_at": utcnow(), "updated_at": utcnow()}
        for c, winners in result.won.items() for a in winners
    ]
    waiting = [
        {"institution_id": term.institution_id, "class_id": c, "retiree_id": retiree_of[a],
         "position": i + 1}
        for c, line in result.waitlist.items() for i, a in enumerate(line)
    ]
    bulk_insert(session, Enrolment, offers)
    bulk_insert(session, WaitlistEntry, waiting)
    outcome = {(retiree_of[a], c): ApplicationStatus.WON
               for c, winners in result.won.items() for a in winners}
    outcome.update({(retiree_of[a], c): ApplicationStatus.WAITLISTED
                    for c, line in result.waitlist.items() for a in line})
    outcome.update({(retiree_of[a], c): ApplicationStatus.OVER_LIMIT
                    for a, c in result.over_limit})
    applied = session.execute(select(Application.id, Application.retiree_id, Application.class_id)
                              .where(Application.term_id == term.id,
                                     Application.status == ApplicationStatus.APPLIED)).all()
    by_status: dict[ApplicationStatus, list[int]] = {}
    for app_id, r, c in applied:
        if (r, c) in outcome:
            by_status.setdefault(outcome[(r, c)], []).append(app_id)
    for status, ids in by_status.items():  # a few set-based updates, not 10,000 objects
        for start in range(0, len(ids), 5000):
            session.execute(update(Application).where(Application.id.in_(ids[start:start + 5000]))
                            .values(status=status).execution_options(synchronize_session=False))


def notify_draw(session: Session, *, draw_id: int) -> int:
    """Tell every winner of a draw (idempotent: the outbox keys are per class and person)."""
    draw = session.get(LotteryDraw, draw_id)
    if draw is None:
        return 0
    term = session.get_one(Term, draw.term_id)
    offers = session.execute(
        select(Enrolment.retiree_id, Enrolment.class_id, Enrolment.accept_by)
        .join(AcademyClass, AcademyClass.id == Enrolment.class_id)
        .where(AcademyClass.term_id == term.id, Enrolment.source == "lottery",
               Enrolment.status == EnrolmentStatus.OFFERED)).all()
    if not offers:
        return 0
    accept_by = max(o[2] for o in offers if o[2] is not None)
    notices.draw_results(session, term=term, accept_by=accept_by.date(),
                         offers=[(int(r), int(c)) for r, c, _a in offers])
    return len(offers)


def verify_draw(session: Session, *, draw_id: int) -> bool:
    """Re-run a published draw from its own document and seed (public: anyone may ask)."""
    draw = session.get(LotteryDraw, draw_id)
    if draw is None:
        raise NotFound("No such draw.")
    return lottery.draw_document(draw.seed, draw.inputs).sha256() == draw.result_sha256


def _own_offer(session: Session, retiree: Retiree, enrolment_id: int) -> Enrolment:
    row = session.get(Enrolment, enrolment_id)
    if row is None or row.retiree_id != retiree.id:
        raise NotFound("No such place.")
    return row


def accept_offer(session: Session, *, retiree: Retiree, enrolment_id: int,
                 now: datetime | None = None) -> Enrolment:
    row = _own_offer(session, retiree, enrolment_id)
    if row.status != EnrolmentStatus.OFFERED:
        raise Conflict("This place is no longer on offer.")
    if row.accept_by is not None and row.accept_by < (now or utcnow()):
        raise Conflict("The time to accept this place has passed.")
    row.status = EnrolmentStatus.ACCEPTED
    return row


def decline_offer(session: Session, *, retiree: Retiree, enrolment_id: int) -> Enrolment:
    """Decline an offer (or leave a class): the place goes to the next on the waitlist."""
    row = _own_offer(session, retiree, enrolment_id)
    if row.status not in HOLDING:
        raise Conflict("This place is no longer on offer.")
    row.status = EnrolmentStatus.DECLINED
    session.flush()
    promote(session, class_id=row.class_id)
    return row


def held_places(session: Session, term_id: int) -> Counter[int]:
    rows = session.scalars(
        select(Enrolment.retiree_id).join(AcademyClass, AcademyClass.id == Enrolment.class_id)
        .where(AcademyClass.term_id == term_id, Enrolment.status.in_(HOLDING)))
    return Counter(int(r) for r in rows)


def promote(session: Session, *, class_id: int) -> list[Enrolment]:
    """Offer every free place of the class to the first on its waitlist still under the
    per-person limit; each gets the term's days to accept."""
    row = session.get_one(AcademyClass, class_id)
    term = session.get_one(Term, row.term_id)
    taken = session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.class_id == class_id, Enrolment.status.in_(HOLDING))) or 0
    line = session.scalars(select(WaitlistEntry).where(
        WaitlistEntry.class_id == class_id, WaitlistEntry.promoted_at.is_(None))
        .order_by(WaitlistEntry.position)).all()
    held = held_places(session, term.id)
    by_code = {str(w.retiree_id): w for w in line}
    offered: list[Enrolment] = []
    for _ in range(max(0, row.capacity - taken)):
        chosen = lottery.next_in_line([str(w.retiree_id) for w in line if w.promoted_at is None],
                                      {str(k): v for k, v in held.items()}, term.max_courses)
        if chosen is None:
            break
        entry = by_code[chosen]
        entry.promoted_at = utcnow()
        offered.append(_offer(session, row, term, entry.retiree_id))
        held[entry.retiree_id] += 1
    session.flush()
    for enrolment in offered:
        notices.place_offered(session, enrolment=enrolment, class_name=row.name)
    return offered


def _offer(session: Session, row: AcademyClass, term: Term, retiree_id: int) -> Enrolment:
    fee = session.scalar(select(Course.fee_yuan).where(Course.id == row.course_id)) or 0
    enrolment = session.scalar(select(Enrolment).where(
        Enrolment.class_id == row.id, Enrolment.retiree_id == retiree_id))
    if enrolment is None:
        enrolment = Enrolment(institution_id=row.institution_id, class_id=row.id,
                              retiree_id=retiree_id, fee_yuan=int(fee))
        session.add(enrolment)
    enrolment.status, enrolment.source = EnrolmentStatus.OFFERED, "waitlist"
    enrolment.accept_by = utcnow() + timedelta(days=term.accept_days)
    session.flush()
    return enrolment


def expire_offers(session: Session, *, now: datetime | None = None) -> int:
    """Job: offers not accepted by their deadline expire; their places are offered on."""
    late = session.scalars(select(Enrolment).where(
        Enrolment.status == EnrolmentStatus.OFFERED, Enrolment.accept_by < (now or utcnow()))
    ).all()
    for row in late:
        row.status = EnrolmentStatus.EXPIRED
    session.flush()
    for class_id in sorted({r.class_id for r in late}):
        promote(session, class_id=class_id)
    return len(late)


def record_fee_paid(session: Session, *, actor: Actor, enrolment_id: int) -> Enrolment:
    """Fees are recorded only (paid at the counter); a payment gateway is the marketplace's."""
    row = policy.scoped(session, actor, Enrolment, enrolment_id, policy.MANAGERS)
    row.fee_paid_at = utcnow()
    audit.record(session, actor=actor, action="academy.fee_recorded",
                 target_type="academy_enrolment", target_id=row.id,
                 details={"fee_yuan": row.fee_yuan})
    return row


def applications_of(session: Session, *, retiree: Retiree) -> Sequence[Application]:
    return session.scalars(select(Application).where(Application.retiree_id == retiree.id)
                           .order_by(Application.id.desc())).all()
