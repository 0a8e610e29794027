"""A real Celery worker process, with the local Redis as broker, runs an idempotent task."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from lifecert.core import migrate
from lifecert.core.settings import Settings
from lifecert.system.models import JobRun

REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    try:
        socket.create_connection(REDIS, timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.worker
@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
def test_worker_runs_task_once_per_key(tmp_path: Path) -> None:
    from lifecert.core.queue import build_celery

    db_url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    migrate.upgrade(url=db_url)
    queue_name = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "LIFECERT_DATABASE_URL": db_url,
        "LIFECERT_QUEUE__INLINE": "false",
        "LIFECERT_LOG_JSON": "false",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lifecert.cli",
            "worker",
            "--concurrency",
            "1",
            "--queues",
            queue_name,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        celery = build_celery(Settings(queue={"inline": False}))  # type: ignore[arg-type]
        first = celery.send_task(
            "system.record_heartbeat", kwargs={"job_key": "beat-1"}, queue=queue_name
        ).get(timeout=90)
        again = celery.send_task(
            "system.record_heartbeat", kwargs={"job_key": "beat-1"}, queue=queue_name
        ).get(timeout=30)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert first["worker"] == socket.gethostname(), output[-2000:]
    assert again == {**first, "skipped": True}
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(select(JobRun.job_key)).all()
    assert [r.job_key for r in rows] == ["beat-1"]
