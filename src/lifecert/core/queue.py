"""Background work on Celery (Redis or RabbitMQ broker), or inline in the embedded mode.

Rules every task follows: named ``domain.verb``; takes ids, not objects; idempotent (a rerun
changes nothing, see ``system.service.run_once``); enqueued only after the caller's transaction
commits, so a worker never sees a row that was rolled back.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from celery import Celery
from celery.schedules import crontab
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from lifecert.core.settings import Settings, get_settings

# Domain modules that define tasks; imported by the worker (and in inline mode on first use).
TASK_MODULES = [
    "lifecert.system.tasks",
    "lifecert.retirees.tasks",
    "lifecert.enrollment.tasks",
    "lifecert.fraud.tasks",
    "lifecert.certification.tasks",
    "lifecert.notifications.tasks",
    "lifecert.dashboards.tasks",
    "lifecert.audit.tasks",
    "lifecert.life_signals.tasks",
    "lifecert.services.tasks",
    "lifecert.live.tasks",
    "lifecert.academy.tasks",
    "lifecert.partners.tasks",
    "lifecert.marketplace.tasks",
]


def build_celery(settings: Settings) -> Celery:
    app = Celery("lifecert", include=TASK_MODULES)
    app.conf.update(
        broker_url=settings.queue.broker_url,
        result_backend=settings.queue.result_backend,
        task_always_eager=settings.queue.inline,
        task_eager_propagates=True,
        task_acks_late=True,  # a job whose worker dies is redelivered; tasks are idempotent
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        timezone=settings.timezone,  # the region's zone, as pages and the cycle use
        broker_connection_retry_on_startup=True,
        beat_schedule={
            "silent-certification": {  # before the cycle: the certified are not reminded
                "task": "life_signals.certify_silently",
                "schedule": crontab(hour=0, minute=30),
            },
            "service-application-reminders": {
                "task": "services.remind_pending",
                "schedule": crontab(hour=9, minute=30),
            },
            "certification-cycle": {
                "task": "certification.run_cycle",
                "schedule": crontab(hour=1, minute=0),
            },
            "purge-challenge-frames": {
                "task": "certification.purge_frames",
                "schedule": crontab(hour=3, minute=0),
            },
            "purge-expired-photos": {
                "task": "enrollment.purge_expired_photos",
                "schedule": crontab(hour=2, minute=30),
            },
            "fraud-duplicate-sweep": {
                "task": "fraud.duplicate_sweep",
                "schedule": crontab(hour=3, minute=15),
            },
            "fraud-shared-contact-rules": {
                "task": "fraud.shared_contact_rules",
                "schedule": crontab(hour=3, minute=45),
            },
            "notifications-deliver-due": {
                "task": "notifications.deliver_due",
                "schedule": crontab(),  # every minute: retries with backoff, lost jobs
            },
            "dashboard-rate-snapshot": {
                "task": "dashboards.snapshot_rates",
                "schedule": crontab(hour=23, minute=50),  # local time, as every entry here
            },
            "reap-import-jobs": {
                "task": "retirees.reap_import_jobs",
                "schedule": crontab(minute="*/10"),  # jobs whose worker died: failed, said so
            },
            "audit-archive": {
                "task": "audit.archive",
                "schedule": crontab(hour=4, minute=30),
            },
            "purge-import-uploads": {
                "task": "retirees.purge_import_uploads",
                "schedule": crontab(hour=2, minute=45),
            },
            "audit-seal": {
                "task": "audit.seal",
                "schedule": crontab(),  # every minute: the single sealer of the audit chain
            },
            "audit-checkpoint": {
                "task": "audit.checkpoint",
                "schedule": crontab(minute=5),
            },
            "academy-expire-offers": {
                "task": "academy.expire_offers",
                "schedule": crontab(minute="*/15"),  # places not accepted in time move on
            },
            "partners-webhooks": {
                "task": "partners.deliver_due",
                "schedule": crontab(),  # every minute: webhook retries with backoff
            },
            "marketplace-payouts": {  # after the cycle; the day's cooling-off periods end
                "task": "marketplace.pay_out",
                "schedule": crontab(hour=5, minute=0),
            },
            "fraud-behaviour-rules": {
                "task": "fraud.behaviour_rules",
                "schedule": crontab(hour=4, minute=0),
            },
        },
    )
    return app


@lru_cache
def get_celery() -> Celery:
    app = build_celery(get_settings())
    app.loader.import_default_modules()
    return app


_PENDING = "lifecert_pending_tasks"


def enqueue_after_commit(session: Session, task_name: str, **kwargs: Any) -> None:
    """Send the task once the session's transaction commits; never if its transaction (or the
    savepoint it was queued in) rolls back."""
    current = session.get_nested_transaction() or session.get_transaction()
    pending = session.info.setdefault(_PENDING, [])
    pending.append((current, task_name, kwargs))
    if not event.contains(session, "after_commit", _send_pending):
        event.listen(session, "after_commit", _send_pending)
        event.listen(session, "after_soft_rollback", _drop_rolled_back)


def _inside(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING, [])
    session.info[_PENDING] = [p for p in pending if not _inside(p[0], previous_transaction)]


def _send_pending(session: Session) -> None:
    pending, session.info[_PENDING] = session.info.get(_PENDING, []), []
    app = get_celery()
    for _transaction, task_name, kwargs in pending:
        if get_settings().queue.inline:
            app.tasks[task_name].apply(kwargs=kwargs).get()
        else:
            app.send_task(task_name, kwargs=kwargs)
