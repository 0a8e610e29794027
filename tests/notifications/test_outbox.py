"""The outbox: idempotent queueing, delivery per channel, retries with backoff, reminders."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, NotFound
from lifecert.core.sms import DevGateway, get_sms_gateway
from lifecert.notifications import service
from lifecert.notifications.models import ChannelName, DeliveryStatus, MessageKind
from lifecert.notifications.service import MAX_ATTEMPTS, NewMessage, deliver_message
from lifecert.notifications.tasks import deliver, deliver_due
from tests.builders import actor_of
from tests.notifications.helpers import (
    FlakyChannel,
    channel_override,
    outbox,
    retiree_in,
    two_communities,
    worker_for,
)


def _message(retiree_id: int, channel: ChannelName, key: str = "k1") -> NewMessage:
    return NewMessage(
        retiree_id=retiree_id, channel=channel, text="你好", key=key, kind=MessageKind.ADHOC
    )


def test_same_key_is_queued_and_delivered_once(session: Session) -> None:
    community, _ = two_communities(session)
    retiree = retiree_in(session, community)
    gateway = get_sms_gateway()
    assert isinstance(gateway, DevGateway)
    before = len(gateway.sent)
    first = service.queue_messages(session, [_message(retiree.id, ChannelName.SMS)])
    again = service.queue_messages(session, [_message(retiree.id, ChannelName.SMS)])
    assert len(first) == 1 and again == []
    session.commit()  # delivery is enqueued after commit (inline here)
    assert len(gateway.sent) == before + 1
    [row] = outbox(session, retiree_id=retiree.id)
    assert row.status == DeliveryStatus.SENT and row.attempts == 1
    # The job delivered twice (a redelivered task, a rerun): nothing is sent again.
    assert deliver([row.id]) == {"skipped": 1}
    assert len(gateway.sent) == before + 1


def test_transient_failures_back_off_then_succeed(session: Session) -> None:
    community, _ = two_communities(session)
    retiree = retiree_in(session, community)
    FlakyChannel.calls = 0
    with channel_override(ChannelName.SMS, FlakyChannel(failures=2)):
        [row_id] = service.queue_messages(session, [_message(retiree.id, ChannelName.SMS)])
        start = utcnow()
        assert deliver_message(session, outbox_id=row_id, now=start) == "retrying"
        [row] = outbox(session, id=row_id)
        assert row.attempts == 1 and row.last_error == "gateway timeout"
        assert row.next_attempt_at == start + timedelta(seconds=60)
        # Not yet due: the sweep and a rerun both leave it alone.
        assert deliver_message(session, outbox_id=row_id, now=start + timedelta(seconds=30)) == (
            "skipped"
        )
        assert service.due_message_ids(session, now=start + timedelta(seconds=30)) == []
        second = start + timedelta(seconds=61)
        assert service.due_message_ids(session, now=second) == [row_id]
        assert deliver_message(session, outbox_id=row_id, now=second) == "retrying"
        [row] = outbox(session, id=row_id)
        assert row.next_attempt_at == second + timedelta(seconds=120)  # doubled
        third = second + timedelta(seconds=121)
        assert deliver_message(session, outbox_id=row_id, now=third) == "sent"
    [row] = outbox(session, id=row_id)
    assert row.attempts == 3 and row.status == DeliveryStatus.SENT and row.last_error == ""
    assert FlakyChannel.calls == 3


def test_gives_up_after_max_attempts(session: Session) -> None:
    community, _ = two_communities(session)
    retiree = retiree_in(session, community)
    FlakyChannel.calls = 0
    with channel_override(ChannelName.SMS, FlakyChannel(failures=100)):
        [row_id] = service.queue_messages(session, [_message(retiree.id, ChannelName.SMS)])
        now = utcnow()
        for _ in range(MAX_ATTEMPTS):
            deliver_message(session, outbox_id=row_id, now=now)
            now += timedelta(hours=2)
        assert deliver_message(session, outbox_id=row_id, now=now) == "skipped"
    [row] = outbox(session, id=row_id)
    assert row.status == DeliveryStatus.FAILED and row.attempts == MAX_ATTEMPTS
    assert "gave up after 5 tries" in row.last_error and FlakyChannel.calls == MAX_ATTEMPTS


def test_a_crashing_channel_is_retried_not_lost(session: Session) -> None:
    class Broken:
        def send(self, recipient: object, text: str) -> DeliveryStatus:
            raise RuntimeError("socket closed")

    community, _ = two_communities(session)
    retiree = retiree_in(session, community)
    with channel_override(ChannelName.SMS, Broken()):
        [row_id] = service.queue_messages(session, [_message(retiree.id, ChannelName.SMS)])
        assert deliver_message(session, outbox_id=row_id) == "retrying"
    [row] = outbox(session, id=row_id)
    assert row.last_error == "RuntimeError: socket closed"


def test_voice_placeholder_says_not_configured_and_sms_needs_a_phone(session: Session) -> None:
    community, _ = two_communities(session)
    retiree = retiree_in(session, community)
    retiree.phone = ""
    ids = service.queue_messages(
        session,
        [
            _message(retiree.id, ChannelName.VOICE, "v"),
            _message(retiree.id, ChannelName.SMS, "s"),
            _message(retiree.id, ChannelName.INBOX, "i"),
        ],
    )
    session.commit()
    by_channel = {m.channel: m for m in outbox(session, retiree_id=retiree.id)}
    assert len(ids) == 3
    assert by_channel[ChannelName.VOICE].status == DeliveryStatus.NOT_CONFIGURED
    assert "No voice-call provider" in by_channel[ChannelName.VOICE].last_error
    assert by_channel[ChannelName.SMS].status == DeliveryStatus.FAILED
    assert by_channel[ChannelName.SMS].last_error == "No phone number on record."
    assert by_channel[ChannelName.INBOX].status == DeliveryStatus.DELIVERED
    assert deliver_due() == {}  # nothing left waiting


def test_stale_sending_rows_are_picked_up_again(session: Session) -> None:
    community, _ = two_communities(session)
    retiree = retiree_in(session, community)
    [row_id] = service.queue_messages(session, [_message(retiree.id, ChannelName.INBOX)])
    [row] = outbox(session, id=row_id)
    row.status, row.updated_at = DeliveryStatus.SENDING, utcnow() - timedelta(hours=1)
    session.flush()
    assert service.due_message_ids(session) == [row_id]
    assert deliver_message(session, outbox_id=row_id) == "delivered"


def test_worker_reminder_once_a_day_and_listed_within_scope(session: Session) -> None:
    mine, other = two_communities(session)
    retiree = retiree_in(session, mine, valid_until=date(2027, 1, 5))
    actor = actor_of(worker_for(session, mine))
    sent = service.send_reminder(
        session, actor=actor, retiree_id=retiree.id, today=date(2026, 12, 1)
    )
    assert {n.channel for n in sent} == {ChannelName.INBOX, ChannelName.SMS}
    with pytest.raises(Conflict):
        service.send_reminder(session, actor=actor, retiree_id=retiree.id, today=date(2026, 12, 1))
    session.commit()
    listed = service.list_notifications_for_retiree(session, actor=actor, retiree_id=retiree.id)
    assert {n.status for n in listed} == {DeliveryStatus.DELIVERED, DeliveryStatus.SENT}
    assert all("2027-01-05" in n.text and n.campaign_name is None for n in listed)
    outsider = actor_of(worker_for(session, other))
    with pytest.raises(NotFound):
        service.list_notifications_for_retiree(session, actor=outsider, retiree_id=retiree.id)
    with pytest.raises(NotFound):
        service.send_reminder(session, actor=outsider, retiree_id=retiree.id)


def test_reminder_follows_the_retirees_language(session: Session) -> None:
    community, _ = two_communities(session)
    retiree = retiree_in(session, community, valid_until=date(2027, 1, 5))
    service.remember_language(session, retiree_id=retiree.id, locale="en-US")
    service.queue_cycle_reminders(session, retiree_ids=[retiree.id], day=date(2026, 12, 1))
    rows = outbox(session, retiree_id=retiree.id)
    assert {r.language for r in rows} == {"en"}
    assert all(
        r.text.startswith("Your pension certification is valid until 2027-01-05") for r in rows
    )


def test_inbox_marks_read_only_for_the_owner(session: Session) -> None:
    community, _ = two_communities(session)
    owner, stranger = retiree_in(session, community), retiree_in(session, community, name="李四")
    [row_id] = service.queue_messages(session, [_message(owner.id, ChannelName.INBOX)])
    session.commit()
    assert service.unread_count(session, retiree_id=owner.id) == 1
    with pytest.raises(NotFound):
        service.read_inbox_message(session, retiree_id=stranger.id, message_id=row_id)
    service.read_inbox_message(session, retiree_id=owner.id, message_id=row_id)
    assert service.unread_count(session, retiree_id=owner.id) == 0
    assert [m.id for m in service.inbox_for_retiree(session, retiree_id=owner.id)] == [row_id]


def test_cycle_reminders_go_through_the_outbox_once_per_day(session: Session) -> None:
    from lifecert.certification.tasks import run_cycle_task
    from tests.certification.helpers import certify, enrolled_retiree

    retiree = enrolled_retiree(session)
    certify(session, retiree, face_seed=1, today=date(2026, 1, 10))
    day = date(2026, 1, 10) + timedelta(days=340)
    assert run_cycle_task(day.isoformat())["due_soon"] == 1
    rows = outbox(session, retiree_id=retiree.id)
    assert {(r.kind, r.channel, r.status) for r in rows} == {
        (MessageKind.REMINDER, ChannelName.INBOX, DeliveryStatus.DELIVERED),
        (MessageKind.REMINDER, ChannelName.SMS, DeliveryStatus.SENT),
    }
    assert {r.idempotency_key for r in rows} == {
        f"reminder:{retiree.id}:{day.isoformat()}:inbox",
        f"reminder:{retiree.id}:{day.isoformat()}:sms",
    }
    # The same cycle day again (a second job run past run_once, say): nothing new.
    assert service.queue_cycle_reminders(session, retiree_ids=[retiree.id], day=day) == 0
    assert [m.id for m in service.inbox_for_retiree(session, retiree_id=retiree.id)] == [
        r.id for r in rows if r.channel == ChannelName.INBOX
    ]


def test_nothing_goes_to_someone_registered_as_deceased_meanwhile(session: Session) -> None:
    from lifecert.retirees.models import RetireeStatus

    community, _ = two_communities(session)
    retiree = retiree_in(session, community)
    [row_id] = service.queue_messages(session, [_message(retiree.id, ChannelName.SMS)])
    retiree.status = RetireeStatus.DECEASED
    session.flush()
    assert deliver_message(session, outbox_id=row_id) == "failed"
    assert outbox(session, id=row_id)[0].last_error == "The person is recorded as deceased."
