"""Webhook jobs: fan out the outbox, send one delivery, and the minute sweep for retries."""

from __future__ import annotations

from celery import shared_task

from lifecert.core.db import session_scope
from lifecert.partners import events, idempotency, webhooks

events.install()  # the worker's sessions write the outbox too


@shared_task(name="partners.fan_out")
def fan_out() -> int:
    with session_scope() as session:
        return len(webhooks.fan_out(session))


@shared_task(name="partners.deliver")
def deliver(delivery_id: int) -> str:
    with session_scope() as session:
        status = webhooks.deliver(session, delivery_id=delivery_id)
    return str(status or "skipped")


@shared_task(name="partners.deliver_due")
def deliver_due() -> int:
    """Every minute: events a lost fan-out missed, and deliveries whose retry time came."""
    with session_scope() as session:
        webhooks.fan_out(session)
        idempotency.purge_expired(session)
    with session_scope() as session:
        due = webhooks.due_deliveries(session)
    for delivery_id in due:
        with session_scope() as session:
            webhooks.deliver(session, delivery_id=delivery_id)
    return len(due)
