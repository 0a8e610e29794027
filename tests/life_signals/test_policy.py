"""Silent certification certifies exactly the people the region policy allows (hand-made
cases), keeps its evidence, and an officer's reversal makes the person due again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.models import AuditEntry
from lifecert.certification.models import Certification, CertMode, Outcome
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, InvalidInput
from lifecert.core.roles import Role
from lifecert.fraud.alerts import raise_alert
from lifecert.fraud.models import AlertKind, AlertStatus, DeathRecord, Severity
from lifecert.life_signals.models import SilentEvidence
from lifecert.life_signals.reversal import reverse_silent
from lifecert.life_signals.service import certify_silently
from lifecert.notifications.models import OutboxMessage
from lifecert.retirees.models import CertState, Retiree
from tests.builders import actor_of, make_city, make_community, make_staff
from tests.life_signals.helpers import TODAY, due_person, enable_policy, make_sources, signal


def _certified_names(session: Session) -> set[str]:
    rows = session.scalars(
        select(Retiree.name)
        .join(Certification, Certification.retiree_id == Retiree.id)
        .where(Certification.mode == CertMode.SILENT, Certification.outcome == Outcome.CERTIFIED)
    )
    return set(rows)


def test_only_the_people_the_policy_allows_are_certified(session: Session) -> None:
    city = make_city(session)
    here, elsewhere = make_community(session, city=city), make_community(session, city=city)
    src = make_sources(session)
    enable_policy(session, city)
    # The district above ``elsewhere`` switches silent certification off for its subtree.
    district = elsewhere.parent.parent  # type: ignore[union-attr]
    enable_policy(session, district, enabled=False)

    good = due_person(session, here, "合格甲")
    signal(session, good, src["hospital"], 10, 40)
    two_sources = due_person(session, here, "合格乙", state=CertState.DUE_SOON)
    signal(session, two_sources, src["hospital"], 5)
    signal(session, two_sources, src["bank"], 20)
    stale = due_person(session, here, "过期信号")
    signal(session, stale, src["hospital"], 120, 200)
    untrusted = due_person(session, here, "不可信来源")
    signal(session, untrusted, src["bus"], 1, 2, 3, 4)
    too_few = due_person(session, here, "信号太少")
    signal(session, too_few, src["hospital"], 3)
    dead = due_person(session, here, "已故")
    signal(session, dead, src["hospital"], 3, 8)
    session.add(DeathRecord(retiree_id=dead.id, date_of_death=TODAY - timedelta(days=30)))
    suspect = due_person(session, here, "欺诈调查中")
    signal(session, suspect, src["hospital"], 3, 8)
    raise_alert(session, kind=AlertKind.SHARED_PHONE, severity=Severity.MEDIUM,
                evidence={"rule": "test"}, retiree_ids=[suspect.id])
    cleared = due_person(session, here, "调查已结案")
    signal(session, cleared, src["hospital"], 3, 8)
    closed = raise_alert(session, kind=AlertKind.SHARED_PHONE, severity=Severity.LOW,
                         evidence={"rule": "test"}, retiree_ids=[cleared.id])
    closed.status = AlertStatus.RESOLVED
    old_face = due_person(session, here, "多年未刷脸", face_days_ago=4 * 365)
    signal(session, old_face, src["hospital"], 3, 8)
    not_due = due_person(session, here, "尚未到期")
    not_due.cert_state, not_due.valid_until = CertState.CERTIFIED, TODAY + timedelta(days=200)
    signal(session, not_due, src["hospital"], 3, 8)
    policy_off = due_person(session, elsewhere, "政策关闭")
    signal(session, policy_off, src["hospital"], 3, 8)
    future = due_person(session, here, "未来日期")
    signal(session, future, src["hospital"], -3, -8)
    session.flush()

    run = certify_silently(session, today=TODAY)

    assert _certified_names(session) == {"合格甲", "合格乙", "调查已结案"}
    assert run.certified == 3
    assert run.by_source == {"hospital": 3, "bank": 1}
    session.refresh(good)
    assert good.cert_state == CertState.CERTIFIED
    assert good.valid_until == TODAY + timedelta(days=365)
    cert = session.scalars(
        select(Certification).where(
            Certification.retiree_id == good.id, Certification.mode == CertMode.SILENT
        )
    ).one()
    evidence = cert.evidence["silent"]
    assert evidence["signals"] == [
        {"source": "hospital", "count": 2, "last_on": (TODAY - timedelta(days=10)).isoformat()}
    ]
    assert evidence["previous"]["cert_state"] == "overdue"
    assert evidence["policy"]["region_id"] == city.id
    used = session.scalars(
        select(SilentEvidence).where(SilentEvidence.certification_id == cert.id)
    ).all()
    assert [(u.source_id, u.signals) for u in used] == [(src["hospital"].id, 2)]
    (entry,) = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "life_signals.silent_certified")
    ).all()
    assert sorted(rid for _cid, rid in entry.details["decisions"]) == sorted(
        [good.id, two_sources.id, cleared.id]
    )
    # A rerun certifies nobody twice: the certified are no longer due.
    assert certify_silently(session, today=TODAY).certified == 0


def test_policy_needs_two_sources_when_it_says_so(session: Session) -> None:
    city = make_city(session)
    here = make_community(session, city=city)
    src = make_sources(session)
    enable_policy(session, city, min_sources=2, sources=["hospital", "bank"])
    one = due_person(session, here, "一个来源")
    signal(session, one, src["hospital"], 1, 2, 3)
    two = due_person(session, here, "两个来源")
    signal(session, two, src["hospital"], 1)
    signal(session, two, src["bank"], 2)
    certify_silently(session, today=TODAY)
    assert _certified_names(session) == {"两个来源"}


def test_officer_reverses_and_the_person_is_due_again(session: Session) -> None:
    city = make_city(session)
    here = make_community(session, city=city)
    src = make_sources(session)
    enable_policy(session, city)
    person = due_person(session, here, "被撤销者")
    before = person.valid_until
    signal(session, person, src["hospital"], 2, 9)
    certify_silently(session, today=TODAY)
    cert = session.scalars(
        select(Certification).where(Certification.retiree_id == person.id,
                                    Certification.mode == CertMode.SILENT)
    ).one()
    worker = actor_of(make_staff(session, role=Role.COMMUNITY_WORKER, regions=[here]))
    officer = actor_of(make_staff(session, role=Role.BUREAU_OFFICER, regions=[city]))
    with pytest.raises(Exception):  # noqa: B017 - a worker may not (Forbidden)
        reverse_silent(session, actor=worker, certification_id=cert.id, reason="家属报告")
    with pytest.raises(InvalidInput):
        reverse_silent(session, actor=officer, certification_id=cert.id, reason="")

    reverse_silent(session, actor=officer, certification_id=cert.id, reason="医院记录有误")

    session.refresh(person)
    assert person.cert_state == CertState.OVERDUE
    assert person.valid_until == before
    assert cert.outcome == Outcome.REJECTED
    assert cert.evidence["reversal"]["reason"] == "医院记录有误"
    with pytest.raises(Conflict):
        reverse_silent(session, actor=officer, certification_id=cert.id, reason="再次")
    # The same signals do not certify the person again: a face check comes first.
    signal(session, person, src["hospital"], 1)
    assert certify_silently(session, today=TODAY).certified == 0
    session.add(Certification(retiree_id=person.id, mode=CertMode.SELF,
                              outcome=Outcome.CERTIFIED, created_at=utcnow()))
    person.cert_state = CertState.OVERDUE  # (as if the face check were later reversed)
    session.flush()
    assert certify_silently(session, today=TODAY).certified == 1
    assert session.scalar(
        select(AuditEntry).where(AuditEntry.action == "life_signals.silent_reversed")
    )
    told = session.scalars(
        select(OutboxMessage.text).where(OutboxMessage.retiree_id == person.id)
    ).all()
    assert any("医院记录有误" in t and "刷脸" in t for t in told)
