"""A real server for tests that must see transactions: its own fresh database (a PostgreSQL
database beside the suite's, or an SQLite file), seeded and *committed*, and uvicorn in a
subprocess on a free port. Nothing is rolled back behind the server's back: what it commits
is committed, what it refuses is rolled back by its own request boundary.

``LIFECERT_DATABASE_URL`` decides the kind (CI runs the suite on PostgreSQL); the database is
named after the suite's (``<db>_live_<name>``) and dropped at the end.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from lifecert.core import migrate
from lifecert.core.db import build_engine
from lifecert.core.settings import get_settings
from tests.web.browser import free_port, uvicorn_command

T = TypeVar("T")


@dataclass
class LiveServer:
    base: str
    engine: Engine  # the test's own connection to the server's database
    log: Path

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=120, **kwargs)  # type: ignore[arg-type]

    def health_ms(self) -> float:
        started = time.perf_counter()
        response = httpx.get(f"{self.base}/api/health", timeout=30)
        assert response.status_code == 200
        return (time.perf_counter() - started) * 1000


@contextmanager
def _fresh_database(name: str, folder: Path) -> Iterator[str]:
    suite_url = get_settings().effective_database_url
    if not suite_url.startswith("postgresql"):
        yield f"sqlite:///{folder / f'live-{name}.sqlite3'}"
        return
    url = make_url(suite_url)
    database = f"{url.database}_live_{name}"[:63]
    admin = build_engine(suite_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        yield url.set(database=database).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def live_server(
    name: str,
    folder: Path,
    seed: Callable[[Session], T],
    env: dict[str, str] | None = None,
    port: int | None = None,
) -> Iterator[tuple[LiveServer, T]]:
    """Migrate a fresh database, run ``seed`` in a committed transaction, start the server
    (on ``port`` when given: a server that must tell another process its own address)."""
    with _fresh_database(name, folder) as url:
        migrate.upgrade(url=url)
        engine = build_engine(url)
        with Session(engine, expire_on_commit=False) as session:
            seeded = seed(session)
            session.commit()
        port, log = port or free_port(), folder / f"server-{name}.log"
        server_env = {
            **os.environ,
            "LIFECERT_DATABASE_URL": url,
            "LIFECERT_ENV": "test",
            "LIFECERT_DATA_DIR": str(get_settings().data_dir),
            "LIFECERT_QUEUE__INLINE": "true",
            **(env or {}),
        }
        with log.open("wb") as out:
            process = subprocess.Popen(
                uvicorn_command(port, "--log-level", "warning"),
                env=server_env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            server = LiveServer(f"http://127.0.0.1:{port}", engine, log)
            try:
                _wait_healthy(server, process)
                yield server, seeded
            finally:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()  # a hung server is itself a failure the test reports
                    process.wait(timeout=10)
                engine.dispose()


def _wait_healthy(server: LiveServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {server.log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{server.base}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("server did not start")


class HealthProbe:
    """Polls ``/api/health`` in a thread while something else runs; keeps every latency."""

    def __init__(self, server: LiveServer, every_s: float = 0.1) -> None:
        import threading

        self.server, self.every_s = server, every_s
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self._stop.is_set():
                started = time.perf_counter()
                client.get(f"{self.server.base}/api/health")
                self.samples.append((time.perf_counter() - started) * 1000)
                self._stop.wait(self.every_s)

    def __enter__(self) -> HealthProbe:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self.samples and time.monotonic() < deadline:  # probing before work starts
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    @property
    def worst_ms(self) -> float:
        return max(self.samples, default=0.0)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) if self.samples else 0.0
