"""Shared helpers for the browser tests: find (or install) Chromium, run the app in a
subprocess on a free port, wait until it answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine

from lifecert.core import migrate
from lifecert.core.settings import get_settings
from tests.system_packages import debian_binary


def chromium() -> str:
    """Debian's Chromium; installed with apt-get when missing and allowed, else a skip."""
    return debian_binary("chromium")


def real_face_env(embedder: str) -> dict[str, str]:
    """Settings that give a server subprocess the real face backends (with active liveness),
    the same ones the test process enrols with: ``embedder`` is that engine's embedder."""
    return {"LIFECERT_FACE__DETECTOR": "blazeface", "LIFECERT_FACE__FALLBACK_DETECTOR": "dlib_hog",
            "LIFECERT_FACE__LANDMARKER": "facemesh", "LIFECERT_FACE__ALIGNER": "dlib5",
            "LIFECERT_FACE__EMBEDDER": embedder, "LIFECERT_FACE__LIVENESS": "active"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def uvicorn_command(port: int, *extra: str) -> list[str]:
    """The app under uvicorn on 127.0.0.1:``port``, as a subprocess's argv."""
    return [sys.executable, "-m", "uvicorn", "lifecert.app:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(port), *extra]


def wait_healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise RuntimeError(f"server exited: {output[-3000:]}")
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise RuntimeError("server did not start")


@contextmanager
def running_server(env: dict[str, str]) -> Iterator[str]:
    """``lifecert.app`` under uvicorn with ``env`` added to this environment; yields its URL."""
    port = free_port()
    process = subprocess.Popen(
        uvicorn_command(port),
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory, name: str) -> str:
    """A fresh SQLite database, migrated, in its own temporary folder: the URL for ``serving``."""
    url = f"sqlite:///{tmp_path_factory.mktemp(name) / 'browser.sqlite3'}"
    migrate.upgrade(url=url)
    return url


@contextmanager
def serving(url: str, engine: Engine) -> Iterator[str]:
    """The app on the database at ``url`` (test settings, inline queue); yields its URL and
    disposes of ``engine``, the test's own connection to that database, at the end."""
    env = {
        "LIFECERT_DATABASE_URL": url,
        "LIFECERT_ENV": "test",
        "LIFECERT_DATA_DIR": str(get_settings().data_dir),
        "LIFECERT_QUEUE__INLINE": "true",
    }
    try:
        with running_server(env) as base:
            yield base
    finally:
        engine.dispose()


def screenshot_dir() -> Path:
    """Where browser tests write screenshots (CI keeps them as artefacts):
    ``$LIFECERT_ARTIFACTS/screenshots``, else ``var/screenshots`` in the repository."""
    root = os.environ.get("LIFECERT_ARTIFACTS")
    base = Path(root) if root else Path(__file__).resolve().parents[2] / "var"
    folder = base / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
def wait_until(page: object, expression: str, *, timeout_s: float = 20.0) -> object:
    """Poll a JavaScript expression until it is truthy. Unlike ``wait_for_function`` this works
    under the app's Content-Security-Policy (no 'unsafe-eval'), which browser tests keep on."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = page.evaluate(expression)  # type: ignore[attr-defined]
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{expression!r} still false after {timeout_s} s")
        time.sleep(0.1)
