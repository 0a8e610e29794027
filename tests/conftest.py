"""Test database built from the migrations; every test runs in a transaction rolled back after.

SQLite (a temporary file) by default; set LIFECERT_DATABASE_URL to run on PostgreSQL.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_tmp = Path(tempfile.mkdtemp(prefix="lifecert-test-"))
os.environ.setdefault("LIFECERT_ENV", "test")
os.environ.setdefault("LIFECERT_DATA_DIR", str(_tmp))
os.environ.setdefault("LIFECERT_DATABASE_URL", f"sqlite:///{_tmp / 'test.sqlite3'}")
os.environ.setdefault("LIFECERT_LOG_JSON", "true")
os.environ["LIFECERT_QUEUE__INLINE"] = "true"
# Domain tests use the deterministic fake face engine; tests of real faces build a real engine.
for _kind in ("DETECTOR", "LANDMARKER", "ALIGNER", "EMBEDDER", "LIVENESS"):
    os.environ[f"LIFECERT_FACE__{_kind}"] = "fake"
os.environ["LIFECERT_FACE__FALLBACK_DETECTOR"] = ""

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from lifecert.core import db as db_module  # noqa: E402
from lifecert.core import migrate  # noqa: E402
from lifecert.core.db import build_engine, get_session  # noqa: E402
from lifecert.core.settings import get_settings  # noqa: E402


def _reset_schema(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    url = get_settings().effective_database_url
    eng = build_engine(url)
    _reset_schema(eng)
    with eng.begin() as conn:
        migrate.upgrade(conn)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    with engine.connect() as conn:
        outer = conn.begin()
        # Service code may call commit(): it releases a savepoint; the outer transaction still
        # rolls everything back when the test ends. Jobs run inline open their own sessions:
        # they join the same connection, so they see (and roll back with) the test's data.
        factory = sessionmaker(bind=conn, join_transaction_mode="create_savepoint",
                               expire_on_commit=False)
        monkeypatch.setattr(db_module, "get_sessionmaker", lambda: factory)
        db = factory()
        try:
            yield db
        finally:
            db.close()
            outer.rollback()


@pytest.fixture(autouse=True)
def _fresh_face_index() -> Iterator[None]:
    # The 1:N index is a per-process cache of the templates; each test's data is rolled back.
    from lifecert.fraud.index import reset_indexes

    reset_indexes(delete_files=True)
    yield
    reset_indexes(delete_files=True)


@pytest.fixture
def client(session: Session) -> Iterator[TestClient]:
    from lifecert.app import create_app

    app = create_app()

    def request_session() -> Iterator[Session]:
        yield session
        session.flush()  # as a commit would: later requests' own transactions see the rows

    app.dependency_overrides[get_session] = request_session
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder browser tests write their screenshots to (see tests/web/browser.py)."""
    from tests.web.browser import screenshot_dir

    return screenshot_dir()
