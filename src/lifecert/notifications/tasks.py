"""Background delivery: one attempt per message per run, retries scheduled with backoff.

A message sent through an external channel (SMS, voice) is committed as soon as it is sent;
inbox messages of a batch share one transaction. Channel failures are recorded on the row,
never raised, so one bad gateway call does not roll back the others. Reruns are harmless:
``deliver_message`` only claims rows still waiting.
"""

from __future__ import annotations

from collections import Counter

from celery import shared_task

from lifecert.core.db import session_scope
from lifecert.core.queue import get_celery
from lifecert.core.settings import get_settings
from lifecert.notifications import service
from lifecert.notifications.channels import is_external
from lifecert.notifications.models import DeliveryStatus, OutboxMessage


@shared_task(name="notifications.deliver")
def deliver(outbox_ids: list[int]) -> dict[str, int]:
    results: Counter[str] = Counter()
    retries: list[tuple[int, int]] = []
    with session_scope() as session:
        for outbox_id in outbox_ids:
            status = service.deliver_message(session, outbox_id=outbox_id)
            results[status] += 1
            message = session.get(OutboxMessage, outbox_id)
            if message is not None and status != "skipped" and is_external(message.channel):
                # A text or a call happened: record it now, so a crash later in the batch
                # cannot roll the row back and have it sent a second time.
                session.commit()
            delay = _retry_delay(message)
            if delay is not None:
                retries.append((outbox_id, delay))
            if message is not None:
                session.expunge(message)  # flushed already; keeps each flush small
    if not get_settings().queue.inline:
        # With a broker the retries are scheduled now; inline, the periodic sweep does it.
        for outbox_id, delay in retries:
            get_celery().send_task(
                "notifications.deliver", kwargs={"outbox_ids": [outbox_id]}, countdown=delay
            )
    return dict(results)


def _retry_delay(message: OutboxMessage | None) -> int | None:
    if message is None or message.status != DeliveryStatus.RETRYING:
        return None
    return service.backoff_seconds(message.attempts)


@shared_task(name="notifications.deliver_due")
def deliver_due() -> dict[str, int]:
    """Every minute: messages due for a retry, or left behind by a lost job or a dead worker."""
    with session_scope() as session:
        ids = service.due_message_ids(session)
    return deliver(ids) if ids else {}


@shared_task(name="notifications.materialise_campaign")
def materialise_campaign(campaign_id: int) -> dict[str, int]:
    """Turn a campaign into outbox rows (idempotent: a rerun adds nobody twice)."""
    from lifecert.notifications.campaigns import materialise

    with session_scope() as session:
        return {"queued": materialise(session, campaign_id=campaign_id)}
