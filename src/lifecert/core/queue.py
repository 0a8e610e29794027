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
from sqlalchemy.orm import Session

from lifecert.core.settings import Settings, get_settings

# Domain modules that define tasks; imported by the worker (and in inline mode on first use).
TASK_MODULES = ["lifecert.system.tasks", "lifecert.retirees.tasks"]


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
        timezone="Asia/Shanghai",
        broker_connection_retry_on_startup=True,
        beat_schedule={
            "refresh-certification-states": {
                "task": "retirees.refresh_cert_states",
                "schedule": crontab(hour=1, minute=0),
            },
        },
    )
    return app


@lru_cache
def get_celery() -> Celery:
    app = build_celery(get_settings())
    app.loader.import_default_modules()
    return app


def enqueue_after_commit(session: Session, task_name: str, **kwargs: Any) -> None:
    """Send the task once the session's transaction has committed; never if it rolls back."""

    def _send(_session: Session) -> None:
        app = get_celery()
        if get_settings().queue.inline:
            app.tasks[task_name].apply(kwargs=kwargs).get()
        else:
            app.send_task(task_name, kwargs=kwargs)

    event.listen(session, "after_commit", _send, once=True)
