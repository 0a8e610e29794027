"""Campaigns: targeting within scope, preview, template errors, send, results, reruns."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.audit.service import list_entries
from lifecert.core.errors import InvalidInput, NotFound
from lifecert.core.roles import Role
from lifecert.notifications import campaigns, service
from lifecert.notifications.models import ChannelName, DeliveryStatus, OutboxMessage
from lifecert.notifications.results import campaign_results
from lifecert.notifications.schemas import AudienceGroup
from lifecert.notifications.tasks import materialise_campaign
from lifecert.retirees.models import CertState, RetireeStatus
from tests.builders import actor_of, make_staff
from tests.notifications.helpers import (
    campaign_data,
    outbox,
    retiree_in,
    two_communities,
    worker_for,
)

TODAY = date(2026, 11, 27)


def _mixed_community(session: Session, community, prefix: str = "") -> dict[str, int]:  # type: ignore[no-untyped-def]
    """One person per situation; returns their ids by label."""
    people = {
        "due_10": retiree_in(
            session,
            community,
            name=prefix + "赵一",
            state=CertState.DUE_SOON,
            valid_until=TODAY + timedelta(days=10),
        ),
        "due_40": retiree_in(
            session, community, name=prefix + "钱二", valid_until=TODAY + timedelta(days=40)
        ),
        "overdue": retiree_in(
            session,
            community,
            name=prefix + "孙三",
            state=CertState.OVERDUE,
            valid_until=TODAY - timedelta(days=5),
        ),
        "never": retiree_in(
            session, community, name=prefix + "李四", state=CertState.NEVER, birth=date(1935, 1, 1)
        ),
        "review": retiree_in(
            session, community, name=prefix + "周五", state=CertState.UNDER_REVIEW
        ),
    }
    suspended = retiree_in(session, community, name=prefix + "吴六", state=CertState.OVERDUE)
    suspended.status = RetireeStatus.SUSPENDED
    dead = retiree_in(session, community, name=prefix + "郑七", state=CertState.OVERDUE)
    dead.status = RetireeStatus.DECEASED
    session.flush()
    return {**{k: v.id for k, v in people.items()}, "suspended": suspended.id}


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ({"group": "due_within", "due_within_days": 30}, {"due_10"}),
        ({"group": "due_within", "due_within_days": 60}, {"due_10", "due_40"}),
        ({"group": "overdue"}, {"overdue"}),
        ({"group": "suspended"}, {"suspended"}),
        ({"group": "under_review"}, {"review"}),
        ({"group": "never_certified"}, {"never"}),
        ({"group": "all", "age_min": 90}, {"never"}),
        ({"group": "all", "age_max": 89}, {"due_10", "due_40", "overdue", "review"}),
    ],
)
def test_groups_stay_within_the_workers_communities(
    session: Session, audience: dict[str, object], expected: set[str]
) -> None:
    mine, other = two_communities(session)
    people = _mixed_community(session, mine)
    _mixed_community(session, other, prefix="外")
    actor = actor_of(worker_for(session, mine))
    data = campaign_data(**audience)
    stmt = campaigns.audience_query(session, actor=actor, audience=data.audience, today=TODAY)
    found = {r.id for r in session.scalars(stmt)}
    assert found == {people[k] for k in expected}
    assert campaigns.preview_campaign(session, actor=actor, data=data, today=TODAY).count == len(
        expected
    )


def test_region_outside_scope_is_not_found_and_subtree_works(session: Session) -> None:
    mine, other = two_communities(session)
    _mixed_community(session, mine)
    _mixed_community(session, other, prefix="外")
    worker = actor_of(worker_for(session, mine))
    with pytest.raises(NotFound):
        campaigns.preview_campaign(session, actor=worker, data=campaign_data(region_id=other.id))
    city = mine.parent.parent.parent  # community → street → district → city
    officer = actor_of(make_staff(session, role=Role.BUREAU_OFFICER, regions=[city]))
    whole = campaigns.preview_campaign(session, actor=officer, data=campaign_data(), today=TODAY)
    one = campaigns.preview_campaign(
        session, actor=officer, data=campaign_data(region_id=other.id), today=TODAY
    )
    # Nobody in either community has a worker phone on record: the preview says where.
    assert sorted(whole.communities_without_phone) == sorted([mine.name, other.name])
    assert (whole.count, one.count) == (10, 5)  # the active five of each; not suspended, dead


def test_preview_renders_per_language_with_community_phone(session: Session) -> None:
    mine, _ = two_communities(session)
    retiree_in(session, mine, name="王秀英", valid_until=date(2027, 3, 1))
    second = retiree_in(session, mine, name="Li Hua", valid_until=date(2027, 4, 1))
    service.remember_language(session, retiree_id=second.id, locale="en")
    actor = actor_of(worker_for(session, mine, phone="0731-8888"))
    preview = campaigns.preview_campaign(session, actor=actor, data=campaign_data(), today=TODAY)
    assert preview.count == 2 and preview.communities_without_phone == []
    assert preview.samples[0].text == (
        f"王秀英您好，认证有效期至2027-03-01，{mine.name}电话0731-8888。"
    )
    assert preview.samples[1].language == "en"
    assert (
        preview.samples[1].text == f"Dear Li Hua, valid until 2027-04-01. {mine.name}: 0731-8888."
    )
    assert preview.text_zh.startswith("王秀英您好") and preview.text_en.startswith("Dear 王秀英")


@pytest.mark.parametrize(
    ("field", "template", "needle"),
    [
        ("template_zh", "您好 {nmae}", "{nmae}"),
        ("template_en", "Hello {name.upper}", "{name.upper}"),
        ("template_zh", "您好 {name!r}", "{name}"),
        ("template_zh", "您好 {name", "brace"),
    ],
)
def test_bad_templates_say_what_to_fix(
    session: Session, field: str, template: str, needle: str
) -> None:
    mine, _ = two_communities(session)
    actor = actor_of(worker_for(session, mine))
    data = campaign_data().model_copy(update={field: template})
    with pytest.raises(InvalidInput) as caught:
        campaigns.preview_campaign(session, actor=actor, data=data)
    message = caught.value.message.format(**caught.value.params)
    assert needle in message and field in caught.value.fields


def test_send_queues_delivers_and_reports_per_recipient(session: Session) -> None:
    mine, other = two_communities(session)
    people = _mixed_community(session, mine)
    _mixed_community(session, other, prefix="外")
    staff = worker_for(session, mine)
    actor = actor_of(staff)
    data = campaign_data(group="overdue")
    data.channels.append(ChannelName.VOICE)
    campaign = campaigns.send_campaign(session, actor=actor, data=data, today=TODAY)
    assert campaign.recipient_count == 1
    session.commit()  # after commit: materialise, then deliver (inline queue)
    rows = outbox(session, campaign_id=campaign.id)
    assert {(r.retiree_id, r.channel, r.status) for r in rows} == {
        (people["overdue"], ChannelName.INBOX, DeliveryStatus.DELIVERED),
        (people["overdue"], ChannelName.SMS, DeliveryStatus.SENT),
        (people["overdue"], ChannelName.VOICE, DeliveryStatus.NOT_CONFIGURED),
    }
    # Rerunning the job adds nobody and sends nothing twice.
    assert materialise_campaign(campaign.id) == {"queued": 0}
    assert len(outbox(session, campaign_id=campaign.id)) == 3
    results = campaign_results(session, actor=actor, campaign_id=campaign.id)
    assert results.totals == {
        "inbox": {"delivered": 1},
        "sms": {"sent": 1},
        "voice": {"not_configured": 1},
    }
    assert [r.retiree_id for r in results.recipients] == [people["overdue"]]
    assert results.recipients[0].statuses["voice"] == DeliveryStatus.NOT_CONFIGURED
    [entry] = list_entries(session, action_prefix="notification.campaign_sent")
    assert entry.target_id == str(campaign.id) and entry.details["recipients"] == 1
    listed = service.list_notifications_for_retiree(
        session, actor=actor, retiree_id=people["overdue"]
    )
    assert {n.campaign_name for n in listed} == {"提醒"}


def test_campaigns_are_visible_only_within_scope(session: Session) -> None:
    mine, other = two_communities(session)
    _mixed_community(session, mine)
    actor = actor_of(worker_for(session, mine))
    campaign = campaigns.send_campaign(
        session, actor=actor, data=campaign_data(region_id=mine.id), today=TODAY
    )
    outsider = actor_of(worker_for(session, other))
    assert campaigns.list_campaigns(session, actor=outsider) == []
    with pytest.raises(NotFound):
        campaign_results(session, actor=outsider, campaign_id=campaign.id)
    colleague = actor_of(worker_for(session, mine))
    assert [c.id for c in campaigns.list_campaigns(session, actor=colleague)] == [campaign.id]
    # "All my areas" of a worker of two communities: seen by the officer above them both,
    # not by a worker of just one of them.
    both = actor_of(worker_for(session, mine, other))
    _mixed_community(session, other, prefix="外")
    wide = campaigns.send_campaign(session, actor=both, data=campaign_data(), today=TODAY)
    assert wide.region_id == mine.parent.parent.parent.id  # their common ancestor: the city
    officer = actor_of(
        make_staff(session, role=Role.BUREAU_OFFICER, regions=[mine.parent.parent.parent])
    )
    assert {c.id for c in campaigns.list_campaigns(session, actor=officer)} == {
        campaign.id,
        wide.id,
    }
    assert wide.id not in {c.id for c in campaigns.list_campaigns(session, actor=outsider)}
    assert wide.recipient_count == 10


def test_empty_group_is_refused_and_nothing_written(session: Session) -> None:
    mine, _ = two_communities(session)
    actor = actor_of(worker_for(session, mine))
    with pytest.raises(InvalidInput):
        campaigns.send_campaign(session, actor=actor, data=campaign_data(group="overdue"))
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert campaigns.list_campaigns(session, actor=actor) == []


def test_not_read_previous_campaign(session: Session) -> None:
    mine, _ = two_communities(session)
    a, b = retiree_in(session, mine, name="甲"), retiree_in(session, mine, name="乙")
    actor = actor_of(worker_for(session, mine))
    first = campaigns.send_campaign(session, actor=actor, data=campaign_data(), today=TODAY)
    session.commit()
    [message] = [
        m
        for m in outbox(session, campaign_id=first.id, retiree_id=a.id)
        if m.channel == ChannelName.INBOX
    ]
    service.read_inbox_message(session, retiree_id=a.id, message_id=message.id)
    data = campaign_data(unread_campaign_id=first.id)
    stmt = campaigns.audience_query(session, actor=actor, audience=data.audience, today=TODAY)
    assert [r.id for r in session.scalars(stmt)] == [b.id]
    assert data.audience.group == AudienceGroup.ALL
