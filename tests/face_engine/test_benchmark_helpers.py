"""The benchmarks' own logic: data-keyed caches, misses, identity split, bands through the
decision code, elderly summaries (no face data needed)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))

import _bands
import elderly
from _common import pair_distances
from lifecert.face_engine.messages import QUALITY_REASONS
from lifecert.face_engine.shared_data import data_fingerprint
from lifecert.face_engine.types import Thresholds


def test_fingerprint_changes_with_folder_and_content(tmp_path: Path) -> None:
    one, two = tmp_path / "a", tmp_path / "b"
    for folder in (one, two):
        folder.mkdir()
        (folder / "x.png").write_bytes(b"same")
    assert data_fingerprint(one) != data_fingerprint(two)  # another folder, another cache
    before = data_fingerprint(one)
    (one / "x.png").write_bytes(b"changed")
    assert data_fingerprint(one) != before


def test_undetected_face_makes_a_pair_a_miss() -> None:
    vectors = {"a": np.zeros(2), "b": np.ones(2)}
    d = pair_distances([("a", "b"), ("a", "missing")], vectors)
    assert d[0] == pytest.approx(np.sqrt(2)) and np.isinf(d[1])


ROWS = [(f"{p}/{g}{i}", p, g) for p in ("ann", "bob", "cy", "dee") for g in ("young", "old")
        for i in range(2)]  # fmt: skip


def test_split_is_disjoint_and_pairs_stay_inside_it() -> None:
    splits = {_bands.split_of(p) for _, p, _ in ROWS}
    assert splits <= {"calibration", "report"}
    for split in ("calibration", "report"):
        genuine, impostor = _bands.cross_pairs(ROWS, split)
        people = {x.split("/")[0] for pair in genuine + impostor for x in pair}
        assert all(_bands.split_of(p) == split for p in people)
        assert all(a.split("/")[0] == b.split("/")[0] for a, b in genuine)
    genuine, _ = _bands.cross_pairs(ROWS, None)
    assert len(genuine) == 4 * 2 * 2  # young x old per person
    old_genuine, _ = _bands.cross_pairs(ROWS, None, old_vs_old=True)
    assert len(old_genuine) == 4  # the two old photos of each person, once


def test_tuned_bands_meet_their_targets_on_the_calibration_data() -> None:
    rng = np.random.default_rng(0)
    genuine, impostor = rng.normal(0.45, 0.08, 4000), rng.normal(0.75, 0.08, 40000)
    accept, review = _bands.tune_bands(genuine, impostor)
    assert np.mean(impostor <= accept) <= _bands.AUTO_FAR
    assert np.mean(genuine > review) <= _bands.REFUSE_SHARE + 1e-3


def test_band_rates_go_through_the_decision_code() -> None:
    limits = Thresholds("m", 0.4, 0.6)
    rates = _bands.band_rates(np.array([0.3, 0.5, 0.7, np.inf]), np.array([0.35, 0.9]), limits)
    assert rates["genuine_auto"] == 0.25 and rates["genuine_review"] == 0.25
    assert rates["genuine_refused"] == 0.5  # a mismatch and an undetected face: retry
    assert rates["impostor_auto"] == 0.5 and rates["impostor_review"] == 0.0


def test_elderly_summary_lists_every_reason_with_zeros() -> None:
    records = [
        {"found": True, "accepted": True, "reasons": [], "band": "60-69"},
        {"found": True, "accepted": False, "reasons": ["too_blurry"], "band": "80+"},
        {"found": False, "accepted": False, "reasons": ["no_face"], "band": "80+"},
    ]
    result = elderly.summary(records, np.random.default_rng(0))
    assert set(result["reason_rates"]) == set(QUALITY_REASONS)
    assert result["reason_rates"]["eyes_closed"] == 0.0
    assert result["found_rate"] == pytest.approx(2 / 3)
    assert result["accepted_ci95"][0] <= 1 / 3 <= result["accepted_ci95"][1]
    assert [elderly.age_band(a) for a in (60, 79, 80, 101)] == ["60-69", "70-79", "80+", "80+"]


def test_impostor_sampling_ends_on_a_small_folder() -> None:
    import verify_cross_age

    rows = [(f"{p}/{g}", p, g) for p in ("ann", "bob") for g in ("young", "adult_or_old")]
    genuine, impostor = verify_cross_age.make_pairs(rows, ratio=20)  # wants 40, only 2 exist
    assert len(genuine) == 2
    assert impostor == [("ann/young", "bob/adult_or_old"), ("bob/young", "ann/adult_or_old")]
