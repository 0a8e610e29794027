"""Where the research data lives (tests and benchmarks only; never shipped, never copied)."""

from __future__ import annotations

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
