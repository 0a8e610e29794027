"""Tasks are sent only after commit, run inline in embedded mode, and are idempotent."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.core import queue
from lifecert.system.models import JobRun
from lifecert.system.service import run_once


def test_enqueue_waits_for_commit_and_never_runs_after_rollback(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[str] = []
    monkeypatch.setattr(queue, "get_celery", lambda: _FakeCelery(sent))
    nested = session.begin_nested()
    queue.enqueue_after_commit(session, "system.record_heartbeat", job_key="a")
    assert sent == []
    nested.rollback()
    session.rollback()
    assert sent == []
    queue.enqueue_after_commit(session, "system.record_heartbeat", job_key="b")
    session.commit()
    assert sent == ["system.record_heartbeat"]


class _FakeCelery:
    def __init__(self, sent: list[str]) -> None:
        self.sent = sent
        self.tasks = self

    def __getitem__(self, name: str) -> _FakeCelery:
        self.sent.append(name)
        return self

    def apply(self, kwargs: dict[str, object]) -> _FakeCelery:
        return self

    def get(self) -> None:
        return None


def test_run_once_does_the_work_once(session: Session) -> None:
    calls: list[int] = []

    def work() -> dict[str, object]:
        calls.append(1)
        return {"n": len(calls)}

    first = run_once(session, job_key="k1", task_name="t", work=work)
    second = run_once(session, job_key="k1", task_name="t", work=work)
    assert first == {"n": 1} and second == {"n": 1, "skipped": True} and calls == [1]
    assert session.scalar(select(func.count()).select_from(JobRun)) == 1
