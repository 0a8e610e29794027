"""The outbox: queue messages once (idempotency keys), deliver them through channels with
retries and backoff, and read them back for the retiree page, the inbox and the API."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, NotFound
from lifecert.core.i18n import N_, normalise_locale, translations_for
from lifecert.core.queue import enqueue_after_commit
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor
from lifecert.notifications.channels import (
    ChannelError,
    ChannelNotConfigured,
    PermanentChannelError,
    Recipient,
    get_channel,
)
from lifecert.notifications.models import (
    ChannelName,
    DeliveryStatus,
    MessageKind,
    NotificationPreference,
    OutboxMessage,
)
from lifecert.notifications.schemas import NotificationRead
from lifecert.notifications.texts import reminder_text
from lifecert.retirees.models import Retiree, RetireeStatus
from lifecert.retirees.service import get_retiree

MAX_ATTEMPTS = 5
BACKOFF_BASE_S = 60
BACKOFF_CAP_S = 3600
STALE_SENDING = timedelta(minutes=10)  # a worker that died mid-send: try again after this
DELIVER_BATCH = 200
REMINDER_CHANNELS = (ChannelName.INBOX, ChannelName.SMS)


@dataclass(frozen=True)
class NewMessage:
    retiree_id: int
    channel: ChannelName
    text: str
    key: str  # idempotency key; the same key is never queued twice
    kind: MessageKind
    language: str = "zh_CN"
    campaign_id: int | None = None
    created_by: int | None = None
    to_phone: str = ""  # a family contact instead of the retiree


def backoff_seconds(attempts: int) -> int:
    """60 s, 2 min, 4 min, ... capped at an hour: a flaky gateway is not hammered."""
    return int(min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** max(attempts - 1, 0)))


def language_of(session: Session, retiree_id: int) -> str:
    chosen = session.get(NotificationPreference, retiree_id)
    return normalise_locale(chosen.language if chosen else None)


def languages_of(session: Session, retiree_ids: Iterable[int]) -> dict[int, str]:
    """``language_of`` for many people in one query (a lottery's notices)."""
    ids = sorted(set(retiree_ids))
    chosen = dict(session.execute(select(NotificationPreference.retiree_id,
                                         NotificationPreference.language)
                                  .where(NotificationPreference.retiree_id.in_(ids))).all())
    return {i: normalise_locale(chosen.get(i)) for i in ids}


def remember_language(session: Session, *, retiree_id: int, locale: str) -> None:
    """Called from the phone pages: messages then follow the language the person reads."""
    locale = normalise_locale(locale)
    chosen = session.get(NotificationPreference, retiree_id)
    if chosen is not None:
        if chosen.language != locale:
            chosen.language = locale
            session.flush()
        return
    # The first visit of two phones at once (the retiree and a helper) must not fail on the
    # second insert: one statement that inserts or updates (found by benchmarks/load.py).
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    stmt = insert(NotificationPreference).values(
        retiree_id=retiree_id, language=locale, updated_at=now
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["retiree_id"], set_={"language": locale, "updated_at": now}
        )
    )


def queue_messages(session: Session, messages: Iterable[NewMessage]) -> list[int]:
    """Insert outbox rows, skipping keys that already exist; return the ids of new rows and
    enqueue their delivery after the caller commits."""
    now = utcnow()
    rows = [
        {
            "idempotency_key": m.key,
            "retiree_id": m.retiree_id,
            "campaign_id": m.campaign_id,
            "kind": m.kind.value,
            "channel": m.channel.value,
            "language": m.language,
            "text": m.text,
            "to_phone": m.to_phone,
            "status": DeliveryStatus.QUEUED.value,
            "attempts": 0,
            "last_error": "",
            "created_by": m.created_by,
            "next_attempt_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for m in messages
    ]
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # ON CONFLICT DO NOTHING: concurrent or repeated jobs cannot create a second row.
    stmt = insert(OutboxMessage).on_conflict_do_nothing(index_elements=["idempotency_key"])
    new_ids = list(session.scalars(stmt.returning(OutboxMessage.id), rows))
    for start in range(0, len(new_ids), DELIVER_BATCH):
        enqueue_after_commit(
            session, "notifications.deliver", outbox_ids=new_ids[start : start + DELIVER_BATCH]
        )
    return new_ids


def tell_in_inbox(
    session: Session, *, retiree_id: int, msgid: str, key: str, **params: object
) -> None:
    """One message in the person's phone inbox, translated into their language; ``key`` makes
    it once-only (a rerun of the same step queues nothing new)."""
    language = language_of(session, retiree_id)
    text = translations_for(language).gettext(msgid).format(**params)
    queue_messages(session, [NewMessage(retiree_id=retiree_id, channel=ChannelName.INBOX,
                                        text=text, key=key, kind=MessageKind.ADHOC,
                                        language=language)])


def deliver_message(session: Session, *, outbox_id: int, now: datetime | None = None) -> str:
    """One delivery attempt. Claiming the row with a conditional UPDATE makes reruns and
    concurrent workers harmless: only one of them finds it queued (or due for a retry)."""
    now = now or utcnow()
    message = session.scalars(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == outbox_id,
            OutboxMessage.status.in_([DeliveryStatus.QUEUED, DeliveryStatus.RETRYING]),
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        )
        .values(status=DeliveryStatus.SENDING, attempts=OutboxMessage.attempts + 1, updated_at=now)
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False, populate_existing=True)
    ).one_or_none()
    if message is None:
        return "skipped"
    phone, alive = session.execute(
        select(Retiree.phone, Retiree.status != RetireeStatus.DECEASED).where(
            Retiree.id == message.retiree_id
        )
    ).one()
    try:
        if not alive:  # a death registered after the message was queued
            raise PermanentChannelError(N_("The person is recorded as deceased."))
        status = get_channel(message.channel).send(
            Recipient(message.retiree_id, message.to_phone or phone), message.text
        )
    except ChannelNotConfigured as exc:
        _finish(message, DeliveryStatus.NOT_CONFIGURED, str(exc), now)
    except PermanentChannelError as exc:
        _finish(message, DeliveryStatus.FAILED, str(exc), now)
    except Exception as exc:  # any other failure is retried, then given up
        _retry_or_fail(message, _describe(exc), now)
    else:
        _finish(message, status, "", now)
        message.sent_at = now
    session.flush()
    return message.status.value


def _describe(exc: Exception) -> str:
    text = str(exc) if isinstance(exc, ChannelError) else f"{type(exc).__name__}: {exc}"
    return text[:255]


def _finish(message: OutboxMessage, status: DeliveryStatus, error: str, now: datetime) -> None:
    message.status, message.last_error, message.next_attempt_at = status, error[:255], None
    message.updated_at = now


def _retry_or_fail(message: OutboxMessage, error: str, now: datetime) -> None:
    if message.attempts >= MAX_ATTEMPTS:
        _finish(
            message, DeliveryStatus.FAILED, f"gave up after {message.attempts} tries: {error}", now
        )
        return
    message.status, message.last_error = DeliveryStatus.RETRYING, error[:255]
    message.next_attempt_at = now + timedelta(seconds=backoff_seconds(message.attempts))
    message.updated_at = now


def due_message_ids(
    session: Session, *, now: datetime | None = None, limit: int = 1000
) -> list[int]:
    """Rows waiting for a (re)try, and rows a dead worker left in "sending"; for the sweep."""
    now = now or utcnow()
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == DeliveryStatus.SENDING,
            OutboxMessage.updated_at < now - STALE_SENDING,
        )
        .values(
            status=DeliveryStatus.RETRYING,
            next_attempt_at=now,
            last_error="interrupted while sending",
        )
        .execution_options(synchronize_session=False)
    )
    return list(
        session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status.in_([DeliveryStatus.QUEUED, DeliveryStatus.RETRYING]),
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.next_attempt_at)
            .limit(limit)
        )
    )


def to_read(message: OutboxMessage) -> NotificationRead:
    return NotificationRead(
        id=message.id,
        created_at=message.created_at,
        kind=message.kind,
        channel=message.channel,
        status=message.status,
        text=message.text,
        campaign_name=message.campaign.name if message.campaign else None,
        attempts=message.attempts,
        last_error=message.last_error,
        sent_at=message.sent_at,
        read_at=message.read_at,
    )


def list_notifications_for_retiree(
    session: Session, *, actor: Actor, retiree_id: int, limit: int = 50
) -> list[NotificationRead]:
    """Everything sent to one person (every channel), newest first, for the retiree page."""
    retiree = get_retiree(session, actor=actor, retiree_id=retiree_id)  # scoped: 404 outside
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.retiree_id == retiree.id)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(min(max(limit, 1), 500))
    )
    return [to_read(m) for m in rows]


def reminder_messages(
    retiree: Retiree,
    *,
    key_prefix: str,
    kind: MessageKind,
    language: str,
    created_by: int | None = None,
) -> list[NewMessage]:
    valid_until = retiree.valid_until.isoformat() if retiree.valid_until else ""
    text = reminder_text(valid_until, language)
    return [
        NewMessage(
            retiree_id=retiree.id,
            channel=channel,
            text=text,
            kind=kind,
            key=f"{key_prefix}:{channel.value}",
            language=language,
            created_by=created_by,
        )
        for channel in REMINDER_CHANNELS
    ]


def queue_cycle_reminders(session: Session, *, retiree_ids: Iterable[int], day: date) -> int:
    """Reminders of the nightly cycle: one per person per cycle day, inbox and SMS."""
    ids = list(retiree_ids)
    # One query for everybody's language, not one per person (the cycle may remind thousands).
    chosen = dict(
        session.execute(
            select(NotificationPreference.retiree_id, NotificationPreference.language).where(
                NotificationPreference.retiree_id.in_(ids)
            )
        ).tuples().all()
    )
    messages: list[NewMessage] = []
    for retiree in session.scalars(select(Retiree).where(Retiree.id.in_(ids))):
        messages += reminder_messages(
            retiree,
            key_prefix=f"reminder:{retiree.id}:{day.isoformat()}",
            kind=MessageKind.REMINDER,
            language=normalise_locale(chosen.get(retiree.id)),
        )
    return len(queue_messages(session, messages))


def send_reminder(
    session: Session, *, actor: Actor, retiree_id: int, today: date | None = None
) -> list[NotificationRead]:
    """A worker's ad-hoc reminder from the retiree page: at most one per person per day."""
    retiree = get_retiree(
        session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES
    )
    day = (today or date.today()).isoformat()
    prefix = f"adhoc:{retiree.id}:{day}"
    new_ids = queue_messages(
        session,
        reminder_messages(
            retiree,
            key_prefix=prefix,
            kind=MessageKind.ADHOC,
            language=language_of(session, retiree.id),
            created_by=actor.staff_id or None,
        ),
    )
    if not new_ids:
        raise Conflict("A reminder was already sent to this person today.")
    record(
        session,
        actor=actor,
        action="notification.reminder_sent",
        target_type="retiree",
        target_id=retiree.id,
        details={"outbox_ids": new_ids},
    )
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(new_ids)))
    return [to_read(m) for m in rows]


# The retiree's own inbox (phone pages): no Actor, the retiree's session decides.


def inbox_for_retiree(session: Session, *, retiree_id: int, limit: int = 50) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.retiree_id == retiree_id,
                OutboxMessage.channel == ChannelName.INBOX,
                OutboxMessage.status == DeliveryStatus.DELIVERED,
            )
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def inbox_badge(session: Session, *, retiree_id: int, locale: str) -> int:
    """Unread messages for the phone home screen; also remembers the language the person
    reads, so later messages come in it."""
    remember_language(session, retiree_id=retiree_id, locale=locale)
    return unread_count(session, retiree_id=retiree_id)


def unread_count(session: Session, *, retiree_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                OutboxMessage.retiree_id == retiree_id,
                OutboxMessage.channel == ChannelName.INBOX,
                OutboxMessage.status == DeliveryStatus.DELIVERED,
                OutboxMessage.read_at.is_(None),
            )
        )
        or 0
    )


def read_inbox_message(session: Session, *, retiree_id: int, message_id: int) -> OutboxMessage:
    """Open one message of one's own inbox; the first opening marks it read."""
    message = session.get(OutboxMessage, message_id)
    if (
        message is None
        or message.retiree_id != retiree_id
        or message.channel != ChannelName.INBOX
        or message.status != DeliveryStatus.DELIVERED
    ):
        raise NotFound("No such message.")
    if message.read_at is None:
        message.read_at = utcnow()
        session.flush()
    return message
