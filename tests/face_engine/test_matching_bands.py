"""Per-model bands in thresholds.json: the aged-reference band and its fallback."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lifecert.face_engine.errors import FaceEngineError
from lifecert.face_engine.matching import AGED_REFERENCE, band_key, compare, load_thresholds
from lifecert.face_engine.types import Embedding


def _write(tmp_path: Path, entry: dict[str, object]) -> Path:
    path = tmp_path / "thresholds.json"
    path.write_text(json.dumps({"models": {"m1": entry}}), encoding="utf-8")
    return path


def test_band_is_loaded_and_used_only_when_asked(tmp_path: Path) -> None:
    bands = {AGED_REFERENCE: {"accept": 0.5, "review": 0.8, "calibration": "split A"}}
    table = load_thresholds(_write(tmp_path, {"accept": 0.3, "review": 0.4, "bands": bands}))
    assert table[band_key("m1", AGED_REFERENCE)].accept == 0.5
    a = Embedding(np.zeros(4, dtype=np.float32), "m1")
    b = Embedding(np.array([0.45, 0, 0, 0], dtype=np.float32), "m1")
    assert compare(a, b, table).decision == "reject"
    assert compare(a, b, table, AGED_REFERENCE).decision == "accept"
    assert compare(a, b, table, "unknown_band").decision == "reject"  # default band


def test_band_must_be_ordered(tmp_path: Path) -> None:
    bands = {AGED_REFERENCE: {"accept": 0.9, "review": 0.8}}
    with pytest.raises(FaceEngineError, match="aged_reference"):
        load_thresholds(_write(tmp_path, {"accept": 0.3, "review": 0.4, "bands": bands}))


def test_shipped_aged_band_names_its_calibration_split() -> None:
    raw = json.loads(
        (Path(__file__).parents[2] / "src/lifecert/face_engine/thresholds.json").read_text()
    )
    shipped = raw["models"]["dlib-resnet-v1+jitter6"]
    band = shipped["bands"][AGED_REFERENCE]
    assert "calibration split" in band["calibration"]
    assert shipped["accept"] <= band["accept"] <= band["review"]
