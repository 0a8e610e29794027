"""Every face benchmark runs on a second folder laid out like shared/data (``--data``) and
writes the keys its headline needs; the shipped model's splits are applied by person on any
folder (issue 25). The folder is a small copy of shared/data in a temporary directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lifecert.face_engine.messages import QUALITY_REASONS
from lifecert.face_engine.shared_data import default_data_dir, repo_root
from tests.benchmarks import mini_data

pytestmark = pytest.mark.slow
BANDS = ("genuine_refused", "genuine_review", "genuine_auto", "impostor_auto", "impostor_review")


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = default_data_dir()
    if not source.is_dir():
        pytest.skip(
            f"shared data not found at {source}: set LIFECERT_SHARED_DATA to run the benchmarks "
            "on a second folder"
        )
    return mini_data.build(source, tmp_path_factory.mktemp("data"))


def run(name: str, data: Path, out: Path, *extra: str) -> dict[str, Any]:
    """The benchmark's main, as a user runs it, on ``data``; its JSON."""
    root = repo_root()
    target = out / f"{name}.json"
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    command = [sys.executable, str(root / "benchmarks" / f"{name}.py"), "--data", str(data)]
    command += ["--json", str(target), *extra]
    done = subprocess.run(
        command, cwd=root, env=env, capture_output=True, text=True, timeout=1200, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result: dict[str, Any] = json.loads(target.read_text())
    return result


def test_verify_lfw(mini: Path, tmp_path: Path) -> None:
    result = run("verify_lfw", mini, tmp_path)
    assert (
        result["pairs"] == mini_data.LFW_FOLDS * 2 * mini_data.LFW_PAIRS
    )  # this folder's pairs, not a cache's
    shipped = result["shipped"]
    assert 0.0 <= shipped["accuracy"] <= 1.0
    assert set(shipped["tar_at_far"]) == {"0.01", "0.001"}
    assert len(result["nested"]["views"]["chosen"]) == mini_data.LFW_FOLDS


def test_verify_cross_age(mini: Path, tmp_path: Path) -> None:
    result = run("verify_cross_age", mini, tmp_path)
    assert set(result["shipped"]["tar_at_far"]) == {"0.01", "0.001"}
    # report identities only: each has young x old genuine pairs
    assert 0 < result["shipped"]["genuine_pairs"] < 200
    first = result["bands_first_certification"]
    assert set(BANDS) <= set(first)
    assert first["genuine_auto"] + first["genuine_review"] + first["genuine_refused"] == (
        pytest.approx(1.0)
    )


def test_pad(mini: Path, tmp_path: Path) -> None:
    result = run("pad", mini, tmp_path)
    shipped = result["shipped"]
    for key in ("apcer", "bpcer", "real_videos_refused"):
        assert key in shipped
    # The headline holds only people the shipped model never saw; the rest is in sample.
    assert shipped["groups"] == ["nuaa:0005", "video:grid_older_woman", "video:man_b"]
    assert shipped["in_sample"]["groups"] == ["nuaa:0001", "video:grid_c"]
    assert shipped["real_videos"] == 2 and shipped["attack_videos"] == 1
    assert shipped["real_frames"] + shipped["attack_frames"] <= 2 * mini_data.NUAA_FRAMES
    assert "eer" in result["refitted_nested"]


def test_liveness_videos(mini: Path, tmp_path: Path) -> None:
    result = run("liveness_videos", mini, tmp_path, "--phone-fps", "8")
    shipped = result["shipped"]
    assert "genuine_pass" in shipped and "replay_accepted" in shipped
    assert shipped["clips"] == ["grid_lwbsza.mpg", "static_real.mp4", "static_replay.mp4"]
    assert "grid_lbax4n.mpg" in shipped["in_sample"]["clips"]
    assert shipped["attack_clips"] == 1


def test_search_1n(mini: Path, tmp_path: Path) -> None:
    result = run("search_1n", mini, tmp_path, "--sizes", "3000", "--exact-latency-queries", "5")
    assert set(result["real_identities_per_dataset"]) == {"lfw", "lag", "elderly_60plus"}
    assert result["real_identities"] < 200  # the copied people, not shared/data's
    assert "NOT reachable" in result["real_identities_note"]
    row = result["results"][0]
    assert row["gallery"] == 3000 and 0.0 <= row["recall_at_threshold_vs_exact"] <= 1.0
    assert result["verify_path"]["queries"] == result["queries"] > 0


def test_elderly(mini: Path, tmp_path: Path) -> None:
    result = run("elderly", mini, tmp_path)
    assert result["faces"] == 3 * mini_data.ELDERLY_PER_BAND
    for block in (result, *result["per_age_band"].values()):
        assert 0.0 <= block["found_rate"] <= 1.0 and 0.0 <= block["accepted_rate"] <= 1.0
        assert set(block["reason_rates"]) == set(QUALITY_REASONS)  # zeros listed too
    assert set(result["per_age_band"]) == {"60-69", "70-79", "80+"}
