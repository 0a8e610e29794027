"""Where the research data lives (tests and benchmarks only; never shipped, never copied)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

ENV_VAR = "LIFECERT_SHARED_DATA"


def repo_root() -> Path:
    # src/lifecert/face_engine/shared_data.py -> repo root is three levels above "lifecert".
    return Path(__file__).resolve().parents[3]


def default_data_dir() -> Path:
    """$LIFECERT_SHARED_DATA, else ``<repo>/../shared/data``."""
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else repo_root().parent / "shared" / "data"


def data_fingerprint(*folders: Path) -> str:
    """Content hash of data folders: where they are, and every file's name and bytes. Caches
    of features computed from a folder carry it, so another folder never reuses them."""
    digest = hashlib.sha256()
    for root in folders:
        digest.update(str(root.resolve()).encode())
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]
