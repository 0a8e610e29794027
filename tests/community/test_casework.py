"""Notes, home visits, in-person verification, the face-picture policy and the detail view."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from lifecert.audit.models import AuditEntry
from lifecert.certification import service as certification
from lifecert.certification.challenges import Helper
from lifecert.certification.models import (
    CaseStatus,
    Certification,
    CertMode,
    FamilyHelper,
    FamilyLink,
    Outcome,
)
from lifecert.community import casework
from lifecert.community.casework import VerificationPlace
from lifecert.community.detail import retiree_detail
from lifecert.community.models import RetireeNote, VisitStatus
from lifecert.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from lifecert.core.roles import Role
from lifecert.core.scoping import Actor
from lifecert.enrollment.models import FaceTemplate
from lifecert.enrollment.policy import FACE_VIEWER_ROLES, may_see_faces, require_face_access
from lifecert.retirees.models import CertState, RetireeStatus
from lifecert.system.clock import local_now
from tests.builders import actor_of, make_city, make_community, make_retiree, make_staff
from tests.certification.helpers import certify, enrolled_retiree
from tests.community.helpers import make_place


def _actions(session: Session, action: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_notes_are_appended_with_author_and_never_edited(session: Session) -> None:
    place = make_place(session)
    person = make_retiree(session, community=place.community)
    first = casework.add_note(
        session, actor=place.worker_actor, retiree_id=person.id, text="  独居，需上门  "
    )
    casework.add_note(session, actor=actor_of(place.officer), retiree_id=person.id, text="已电话")
    notes = casework.list_notes(session, actor=place.worker_actor, retiree_id=person.id)
    assert [n.text for n in notes] == ["已电话", "独居，需上门"]
    assert first.author_id == place.worker.id and first.author_name == "测试员"
    for bad in ("   ", "x" * 5001):
        with pytest.raises(InvalidInput):
            casework.add_note(session, actor=place.worker_actor, retiree_id=person.id, text=bad)
    with pytest.raises(NotFound):
        casework.add_note(
            session, actor=actor_of(place.other_worker), retiree_id=person.id, text="越权"
        )
    # The database itself refuses edits and deletes of a note.
    for statement in ("UPDATE retiree_note SET text = 'x'", "DELETE FROM retiree_note"):
        with pytest.raises(DBAPIError), session.begin_nested():
            session.execute(text(statement))
    assert session.get(RetireeNote, first.id) is not None
    assert len(_actions(session, "retiree.note_added")) == 2


def test_removing_a_retiree_still_removes_their_notes(session: Session) -> None:
    place = make_place(session)
    person = make_retiree(session, community=place.community)
    casework.add_note(session, actor=place.worker_actor, retiree_id=person.id, text="备注")
    session.execute(text("DELETE FROM retiree WHERE id = :id"), {"id": person.id})
    left = session.scalar(select(RetireeNote.id).where(RetireeNote.retiree_id == person.id))
    assert left is None


def test_home_visits_are_scheduled_to_someone_in_scope_and_closed(session: Session) -> None:
    place = make_place(session)
    person = make_retiree(session, community=place.community)
    actor = place.worker_actor
    today = local_now().date()
    visit = casework.schedule_visit(
        session,
        actor=actor,
        retiree_id=person.id,
        scheduled_for=today + timedelta(days=1),
        purpose="协助认证",
    )
    assert visit.assigned_to == place.worker.id and visit.status == VisitStatus.PLANNED
    officer_visit = casework.schedule_visit(
        session,
        actor=actor_of(place.officer),
        retiree_id=person.id,
        scheduled_for=today,
        assigned_to=place.worker.id,
    )
    assert officer_visit.created_by == place.officer.id
    with pytest.raises(InvalidInput):  # the other community's worker does not cover this person
        casework.schedule_visit(
            session,
            actor=actor,
            retiree_id=person.id,
            scheduled_for=today,
            assigned_to=place.other_worker.id,
        )
    provider = make_staff(session, role=Role.PROVIDER_STAFF, regions=[place.city])
    with pytest.raises(InvalidInput):
        casework.schedule_visit(
            session, actor=actor, retiree_id=person.id, scheduled_for=today, assigned_to=provider.id
        )
    with pytest.raises(InvalidInput):
        casework.schedule_visit(
            session, actor=actor, retiree_id=person.id, scheduled_for=today - timedelta(days=1)
        )
    visitors = casework.visitors_for(session, actor=actor, retiree_id=person.id)
    assert {s.id for s in visitors} == {place.worker.id, place.officer.id}
    with pytest.raises(InvalidInput):  # done needs an outcome
        casework.close_visit(session, actor=actor, visit_id=visit.id, status=VisitStatus.DONE)
    casework.close_visit(
        session,
        actor=actor,
        visit_id=visit.id,
        status=VisitStatus.DONE,
        outcome="本人在家，身体尚可",
    )
    with pytest.raises(Conflict):
        casework.close_visit(session, actor=actor, visit_id=visit.id, status=VisitStatus.CANCELLED)
    with pytest.raises(NotFound):
        casework.close_visit(
            session,
            actor=actor_of(place.other_worker),
            visit_id=officer_visit.id,
            status=VisitStatus.CANCELLED,
        )
    rows = casework.list_visits(session, actor=actor, retiree_id=person.id)
    assert [(v.status, name) for v, name in rows] == [
        (VisitStatus.DONE, "测试员"),
        (VisitStatus.PLANNED, "测试员"),
    ]
    assert len(_actions(session, "home_visit.scheduled")) == 2
    assert len(_actions(session, "home_visit.closed")) == 1


def test_in_person_verification_certifies_through_the_review_and_is_audited(
    session: Session,
) -> None:
    place = make_place(session)
    person = make_retiree(session, community=place.community)
    person.status, person.cert_state = RetireeStatus.SUSPENDED, CertState.OVERDUE
    session.flush()
    case = casework.record_in_person_verification(
        session,
        actor=place.worker_actor,
        retiree_id=person.id,
        place=VerificationPlace.HOME,
        reason="中风后无法刷脸",
        evidence_note="核对身份证，本人在家",
    )
    recorded = session.get_one(Certification, case.certification_id)
    assert recorded.mode == CertMode.NON_FACE and recorded.helper_staff_id == place.worker.id
    assert recorded.evidence["place"] == "home"
    assert recorded.evidence["evidence_note"] == "核对身份证，本人在家"
    assert person.cert_state == CertState.UNDER_REVIEW
    with pytest.raises(Conflict):  # one pending verification at a time
        casework.record_in_person_verification(
            session,
            actor=place.worker_actor,
            retiree_id=person.id,
            place=VerificationPlace.COUNTER,
            reason="柜台核验本人",
            evidence_note="身份证",
        )
    with pytest.raises(PermissionDenied):  # a worker cannot approve their own verification
        certification.decide_case(
            session, actor=place.worker_actor, case_id=case.id, decision=CaseStatus.APPROVED
        )
    certification.decide_case(
        session, actor=actor_of(place.officer), case_id=case.id, decision=CaseStatus.APPROVED
    )
    session.refresh(person)
    assert person.cert_state == CertState.CERTIFIED and person.status == RetireeStatus.ACTIVE
    assert person.valid_until is not None and person.valid_until > local_now().date()
    assert recorded.outcome == Outcome.CERTIFIED
    assert [e.target_id for e in _actions(session, "certification.non_face_recorded")] == [
        str(person.id)
    ]
    assert len(_actions(session, "certification.review_decided")) == 1
    assert (
        casework.awaiting_approval(session, actor=place.worker_actor, retiree_id=person.id) is None
    )


def test_in_person_verification_needs_a_reason_and_scope(session: Session) -> None:
    place = make_place(session)
    person = make_retiree(session, community=place.community)
    with pytest.raises(InvalidInput):
        casework.record_in_person_verification(
            session,
            actor=place.worker_actor,
            retiree_id=person.id,
            place=VerificationPlace.HOME,
            reason="  ",
            evidence_note="身份证",
        )
    with pytest.raises(NotFound):
        casework.record_in_person_verification(
            session,
            actor=actor_of(place.other_worker),
            retiree_id=person.id,
            place=VerificationPlace.HOME,
            reason="上门核验本人",
            evidence_note="身份证",
        )
    assert (
        session.scalar(select(Certification.id).where(Certification.retiree_id == person.id))
        is None
    )


@pytest.mark.parametrize("role", list(Role))
def test_face_picture_policy_per_role(role: Role) -> None:
    actor = Actor(staff_id=1, username="u", role=role, region_paths=("/1/",))
    expected = role in (Role.PLATFORM_ADMIN, Role.BUREAU_OFFICER)
    assert may_see_faces(actor) is expected
    assert (role in FACE_VIEWER_ROLES) is expected
    if expected:
        require_face_access(actor)
    else:
        with pytest.raises(PermissionDenied):
            require_face_access(actor)


def test_detail_gathers_history_helpers_templates_and_audits_the_view(session: Session) -> None:
    person = enrolled_retiree(session, face_seed=3)
    community = person.community
    worker = make_staff(session, role=Role.COMMUNITY_WORKER, regions=[community])
    officer = make_staff(session, role=Role.BUREAU_OFFICER, regions=[community])
    helper = FamilyHelper(name="王小明", phone="13900000001", id_number_hash="h")
    session.add(helper)
    session.flush()
    session.add(FamilyLink(helper_id=helper.id, retiree_id=person.id, relation="儿子"))
    session.flush()
    certify(session, person, face_seed=3, mode=CertMode.PROXY, helper=Helper(family_id=helper.id))
    certify(
        session, person, face_seed=3, mode=CertMode.HOME_VISIT, helper=Helper(staff_id=worker.id)
    )
    casework.add_note(session, actor=actor_of(worker), retiree_id=person.id, text="备注一")

    seen_by_worker = retiree_detail(session, actor=actor_of(worker), retiree_id=person.id)
    kinds = [(h.helper_kind, h.helper) for h in seen_by_worker.history]
    assert kinds == [("staff", "测试员"), ("family", "王小明 (儿子)")]
    best = seen_by_worker.history[0]
    assert best.certification.outcome == Outcome.CERTIFIED
    assert best.distance is not None and best.accept_below is not None and best.model_id
    # Workers see that templates exist, never the pictures.
    assert seen_by_worker.show_faces is False and seen_by_worker.templates == []
    stored = session.scalars(select(FaceTemplate).where(FaceTemplate.retiree_id == person.id)).all()
    assert seen_by_worker.template_counts == {"active": len(stored)} and len(stored) >= 1
    assert seen_by_worker.model_ids == sorted({t.model_id for t in stored})
    assert [n.text for n in seen_by_worker.notes] == ["备注一"]

    seen_by_officer = retiree_detail(session, actor=actor_of(officer), retiree_id=person.id)
    assert seen_by_officer.show_faces is True
    assert [t.template.id for t in seen_by_officer.templates] == [t.id for t in stored]
    assert seen_by_officer.templates[0].has_photo  # the staff-captured reference photo
    viewed = _actions(session, "retiree.viewed")
    assert [(e.actor_id, e.target_id) for e in viewed] == [
        (worker.id, str(person.id)),
        (officer.id, str(person.id)),
    ]
    elsewhere = make_community(session, city=make_city(session, code="430200", name="株洲市"))
    outsider = make_staff(session, role=Role.COMMUNITY_WORKER, regions=[elsewhere])
    with pytest.raises(NotFound):
        retiree_detail(session, actor=actor_of(outsider), retiree_id=person.id)
    assert len(_actions(session, "retiree.viewed")) == 2  # a refused look leaves no "viewed"
