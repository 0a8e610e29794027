"""What the retiree's phone pages say: the standing of the pension told plainly, and after two
refused checks, asking a person comes before trying again."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifecert.certification.access import issue_invitation
from lifecert.certification.models import Certification, CertMode, Outcome
from lifecert.certification.standing import StandingKind, retiree_standing
from lifecert.core.db import utcnow
from lifecert.retirees.models import CertState, RetireeStatus
from tests.builders import make_city, make_community, make_retiree

TODAY = date(2027, 6, 1)


def test_standing_says_what_is_true(session: Session) -> None:
    retiree = make_retiree(session, community=make_community(session, city=make_city(session)))
    retiree.valid_until, retiree.cert_state = TODAY + timedelta(days=200), CertState.CERTIFIED
    assert retiree_standing(session, retiree=retiree, today=TODAY).kind == StandingKind.CERTIFIED
    retiree.valid_until, retiree.cert_state = TODAY + timedelta(days=9), CertState.DUE_SOON
    standing = retiree_standing(session, retiree=retiree, today=TODAY)
    assert standing.kind == StandingKind.DUE_SOON and standing.days_left == 9
    retiree.valid_until = TODAY - timedelta(days=3)  # expired, even before the nightly cycle
    retiree.suspend_after = TODAY + timedelta(days=57)
    standing = retiree_standing(session, retiree=retiree, today=TODAY)
    assert standing.kind == StandingKind.OVERDUE and standing.days_left == -3
    retiree.status = RetireeStatus.SUSPENDED
    assert retiree_standing(session, retiree=retiree, today=TODAY).kind == StandingKind.SUSPENDED


def test_after_two_refusals_the_appeal_comes_first(client: TestClient, session: Session) -> None:
    retiree = make_retiree(session, community=make_community(session, city=make_city(session)))
    checks = []
    for minutes in (20, 5):
        check = Certification(
            retiree_id=retiree.id,
            mode=CertMode.SELF,
            outcome=Outcome.RETRY,
            reason="face_mismatch",
            created_at=utcnow() - timedelta(minutes=minutes),
        )
        session.add(check)
        session.flush()
        checks.append(check)
    session.commit()
    client.get(f"/m/i/{issue_invitation(session, actor=None, retiree_id=retiree.id)}")
    first = client.get(f"/m/result/{checks[0].id}").text
    assert first.index("现在再试一次") < first.index("/m/appeal/")  # one refusal: retry first
    second = client.get(f"/m/result/{checks[1].id}").text
    assert "已经两次没有成功" in second
    assert second.index("/m/appeal/") < second.index("现在再试一次")  # two: a person first
