"""Every shipped threshold says which data, which people and which command chose it, and the
PAD and liveness splits leave people out for the benchmarks to report on (issue 25)."""

from __future__ import annotations

import json

import numpy as np
from training.train_pad import CALIBRATION_GROUPS, calibration_part

from lifecert.face_engine.liveness.check import THRESHOLDS_PATH as LIVENESS_PATH
from lifecert.face_engine.matching import DEFAULT_THRESHOLDS_PATH
from lifecert.face_engine.pad import model as pad_model
from tests.face_engine.test_pad_training import build_samples


def test_every_matching_threshold_names_its_calibration() -> None:
    models = json.loads(DEFAULT_THRESHOLDS_PATH.read_text())["models"]
    for model_id, entry in models.items():
        texts = [entry["calibration"]]
        texts += [band["calibration"] for band in entry.get("bands", {}).values()]
        for text in texts:
            assert text.strip(), model_id
            if model_id != "fake-v1":  # the test backend has no data
                assert ".py" in text, f"{model_id}: no command in {text!r}"


def test_shipped_pad_model_names_a_disjoint_split_and_its_command() -> None:
    entry = json.loads(pad_model.THRESHOLDS_PATH.read_text())["models"][pad_model.DEFAULT_MODEL_ID]
    split = entry["_calibration_split"]
    calibration, report = set(split["calibration_groups"]), set(split["report_groups"])
    assert calibration and report and not calibration & report
    assert calibration == set(CALIBRATION_GROUPS) == set(pad_model.calibration_groups())
    # NUAA subjects and video people on the report side, so both are scored out of sample
    assert {g.split(":")[0] for g in report} == {"nuaa", "video"}
    assert "train_pad" in split["command"] and "pad.py" in split["reported_by"]
    assert pad_model.load_model().model_id == pad_model.DEFAULT_MODEL_ID


def test_pad_calibration_part_keeps_only_calibration_people() -> None:
    samples = build_samples(people=3)
    groups = samples.groups.astype("<U32")  # room for the longer name
    groups[groups == "nuaa:0"] = CALIBRATION_GROUPS[0]
    samples = type(samples)(**{**samples.__dict__, "groups": groups})
    kept = calibration_part(samples)
    assert set(kept.groups) == {CALIBRATION_GROUPS[0]}
    assert len(kept.labels) == int(np.sum(groups == CALIBRATION_GROUPS[0]))


def test_liveness_split_is_by_identity_and_disjoint() -> None:
    split = json.loads(LIVENESS_PATH.read_text())["_calibration_split"]
    calibration = set(split["calibration_identities"])
    report = set(split["report_identities"])
    assert calibration and report and not calibration & report
    assert "liveness_videos.py" in split["command"] and split["data"]
