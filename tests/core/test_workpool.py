"""The face-work pool: bounded workers, bounded queue, refusal with Retry-After when full."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifecert.core.workpool import Busy, WorkPool


def test_runs_work_and_returns_its_result() -> None:
    pool = WorkPool(workers=2, queue=0)
    assert pool.run(lambda a, b: a + b, 2, 3) == 5
    with pytest.raises(ZeroDivisionError):
        pool.run(lambda: 1 / 0)
    pool.shutdown()


def test_full_pool_refuses_at_once_with_retry_after() -> None:
    pool = WorkPool(workers=1, queue=1, retry_after_s=7)
    release = threading.Event()
    started = threading.Barrier(3, timeout=5)

    def hold() -> None:
        release.wait(5)

    def occupy() -> None:
        started.wait()
        pool.run(hold)

    threads = [threading.Thread(target=occupy) for _ in range(2)]
    for t in threads:
        t.start()
    started.wait()
    time.sleep(0.2)  # both places taken: one running, one waiting
    began = time.perf_counter()
    with pytest.raises(Busy) as refused:
        pool.run(hold)
    assert time.perf_counter() - began < 0.1
    assert refused.value.status_code == 503 and refused.value.retry_after == 7
    assert pool.refused == 1
    release.set()
    for t in threads:
        t.join(5)
    assert pool.in_flight == 0
    assert pool.run(lambda: "free again") == "free again"
    pool.shutdown()


def test_never_more_than_workers_at_once_and_nested_work_does_not_deadlock() -> None:
    pool = WorkPool(workers=2, queue=10)
    running, most = 0, 0
    lock = threading.Lock()

    def work() -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return pool.run(lambda: 1)  # nested call on a worker runs in place

    threads = [threading.Thread(target=pool.run, args=(work,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert most == 2
    pool.shutdown()


def test_a_reserved_place_is_reused_by_the_holder() -> None:
    pool = WorkPool(workers=1, queue=0)
    with pool.reserve():
        assert pool.run(lambda: 42) == 42  # does not need a second place
        other: list[BaseException] = []
        t = threading.Thread(target=lambda: _catch(other, pool))
        t.start()
        t.join(5)
        assert isinstance(other[0], Busy)
    pool.shutdown()


def _catch(errors: list[BaseException], pool: WorkPool) -> None:
    try:
        pool.run(lambda: None)
    except Busy as exc:
        errors.append(exc)


def test_a_busy_server_answers_503_with_retry_after_and_keeps_the_nonce(
    client: TestClient, session: Session
) -> None:
    from lifecert.certification.access import issue_invitation
    from lifecert.core.workpool import reset_work_pool
    from tests.certification.helpers import enrolled_retiree, jpeg

    retiree = enrolled_retiree(session, face_seed=5)
    client.get(f"/m/i/{issue_invitation(session, actor=None, retiree_id=retiree.id)}")
    csrf = re.search(r'data-csrf="([^"]+)"', client.get("/m/check").text).group(1)  # type: ignore[union-attr]
    nonce = client.post("/api/v1/certify/challenge", headers={"X-CSRF-Token": csrf}).json()["nonce"]
    form = {"nonce": nonce, "times": json.dumps([i * 125 for i in range(8)])}
    files = [("frames", (f"f{i}.jpg", jpeg(5), "image/jpeg")) for i in range(8)]
    pool = WorkPool(workers=1, queue=0, retry_after_s=4)
    reset_work_pool(pool)
    release, holding = threading.Event(), threading.Event()

    def hold() -> None:
        holding.set()
        release.wait(10)

    holder = threading.Thread(target=pool.run, args=(hold,))
    holder.start()
    try:
        holding.wait(5)
        busy = client.post(
            "/api/v1/certify/submit", headers={"X-CSRF-Token": csrf}, data=form, files=files
        )
        assert busy.status_code == 503 and busy.headers["retry-after"] == "4"
        assert "认证的人很多" in busy.json()["detail"]
        release.set()
        holder.join(5)
        done = client.post(
            "/api/v1/certify/submit", headers={"X-CSRF-Token": csrf}, data=form, files=files
        )
        assert done.status_code == 200, done.text  # the refused try did not spend the nonce
    finally:
        release.set()
        reset_work_pool(None)
