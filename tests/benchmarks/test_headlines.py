"""The PAD and liveness headlines hold only people outside the thresholds' calibration split,
and the model card says which figure is out of sample (no face data needed)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))

import liveness_videos
import model_cards
from lifecert.face_engine import FaceEngine, FaceEngineConfig
from lifecert.face_engine.liveness.check import THRESHOLDS_PATH


def _clip(video: str, identity: str, label: str, passed: bool, pad: str) -> dict[str, object]:
    return {
        "video": video,
        "identity": identity,
        "label": label,
        "challenges_passed": ["blink,turn_left"] if passed else [],
        "pad": pad,
        "action_clip": label == "real",
    }


def test_liveness_headline_is_the_people_outside_the_calibration_split() -> None:
    split = json.loads(THRESHOLDS_PATH.read_text())["_calibration_split"]
    inside, outside = split["calibration_identities"][0], "someone_new"
    rows = [
        _clip("a.mp4", inside, "real", True, "live"),
        _clip("b.mp4", outside, "real", False, "live"),
        _clip("c.mp4", outside, "screen_replay", True, "live"),
        _clip("d.mp4", outside, "screen_replay", False, "attack"),
    ]
    summary = liveness_videos.shipped_summary(rows, FaceEngine(FaceEngineConfig.fake()))
    assert summary["clips"] == ["b.mp4", "c.mp4", "d.mp4"]
    assert summary["genuine_pass"] == 0.0  # the calibration person's pass is not counted
    assert summary["replay_accepted"] == 0.5
    in_sample: Any = summary["in_sample"]
    assert in_sample["clips"] == ["a.mp4"] and in_sample["genuine_pass"] == 1.0


def _pad_part(groups: list[str], apcer: float) -> dict[str, object]:
    return {
        "groups": groups,
        "apcer": apcer,
        "bpcer": 0.0,
        "real_videos_refused": 0,
        "real_videos_uncertain": 0,
        "real_videos": 1,
        "attack_videos_live": 0,
        "attack_videos": 1,
        "videos": {"r.mp4": {"label": "screen_replay", "decision": "attack", "score": 0.9,
                             "reasons": ["texture_attack"]}},
    }  # fmt: skip


def test_card_names_the_pad_headline_out_of_sample() -> None:
    shipped = {
        "model_id": "pad-x",
        **_pad_part(["nuaa:0005"], 0.25),
        "in_sample": _pad_part(["nuaa:0001"], 0.01),
        "calibration_split": {"data": "nuaa", "command": "train"},
    }
    text = "\n".join(model_cards.pad_section({"shipped": shipped}))
    assert "nuaa:0005; headline, out of sample): NUAA frames APCER 25.0%" in text
    assert "nuaa:0001; in sample): NUAA frames APCER 1.0%" in text
    assert "r.mp4 (screen_replay): attack" in text
