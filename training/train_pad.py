"""Train the passive PAD model (issue 10) and write what the project ships.

    .venv/bin/python -m training.train_pad [--data DIR] [--no-write]

Deterministic (Newton's method on a convex problem, no random start, frames in file order):
re-running writes the same files. Trains on shared/data/nuaa and the dev videos' frames
(5 fps, as the phone sends them) of the CALIBRATION people only (CALIBRATION_GROUPS): the
REPORT people are never seen by the shipped model or its thresholds, and benchmarks/pad.py
scores the shipped model on them (its headline). Writes
src/lifecert/face_engine/pad/pad-lbpcolour-v3.json (crops and weights), its entry in
pad/thresholds.json (thresholds chosen on out-of-fold scores of the calibration people: each
scored by a model that never saw them; the split recorded beside them) and the model card
pad-lbpcolour-v3.md with the shipped model on the report people and the person-disjoint
evaluation of the whole procedure (nested over all people: thresholds never see the scored
person either). Takes a few minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from lifecert.face_engine.pad.check import ColourTexturePad
from lifecert.face_engine.pad.features import Crop
from lifecert.face_engine.pad.model import (
    DEFAULT_MODEL_ID,
    THRESHOLDS_PATH,
    LinearModel,
    PadThresholds,
    model_path,
)
from lifecert.face_engine.shared_data import default_data_dir
from training.pad_card import write_card
from training.pad_data import Samples, detection_engine, load_samples
from training.pad_eval import (
    nuaa_report,
    real_frames_flagged,
    split_report,
    stills_report,
    video_report,
)
from training.pad_fit import (
    ATTACK_BPCER,
    L2,
    REVIEW_BPCER,
    choose_thresholds,
    fit,
    nested,
    out_of_fold,
)

MODEL_ID = DEFAULT_MODEL_ID
# Face crops (side over the face box's larger side, pixels): the face itself and 1.5x around it.
# v1 used (1.0, 64) + (2.2, 96); a 2.2x square does not fit in a close-up selfie, so it was
# clamped to the frame and its content depended on framing: held out, the real close-up
# turns_real.mp4 scored as an attack. training/pad_explore.py compares the layouts tried.
CROPS: tuple[Crop, ...] = ((1.0, 96), (1.5, 96))
# The two rules are set from what they measure, not fitted (see thresholds.json "_rules").
RULES: dict[str, Any] = {
    "min_faces": 3,
    "multi_face_fraction": 0.3,
    "second_face_size": 0.5,
    "rigid_min_pairs": 2,
    "rigid_min_motion": 0.015,
    "rigid_agreement": 0.6,
}
RULES_DOC = (
    "Rules set a priori, not fitted: multi_face fires when a second face at least half the main "
    "face's size is in >= 30% of the checked frames; rigid_motion fires when, in >= 2 frame "
    "pairs where the face moves >= 1.5% of its width relative to the background, the median "
    "share of corners in the ring around the face that move with it is >= 0.6 (a majority of "
    "the surroundings carried along, as a held photo or phone does; a head leaves the wall)."
)


# The calibration split (issue 25), fixed before fitting: the shipped model and its thresholds
# see only these people. The report side keeps people of every kind the benchmark must judge:
# NUAA subjects with real and printed frames, the older GRID speaker, and a person with both a
# real video and a screen replay (man_b), so the shipped model meets a replay of someone new.
CALIBRATION_GROUPS: tuple[str, ...] = (
    "nuaa:0001",
    "nuaa:0002",
    "nuaa:0003",
    "nuaa:0004",
    "video:grid_a",
    "video:grid_b",
    "video:grid_c",
    "video:grid_d",
    "video:mouth_man",
    "video:app_man",
    "video:young_man",
)
TRAIN_COMMAND = ".venv/bin/python -m training.train_pad (shared/data)"


def calibration_part(samples: Samples) -> Samples:
    return samples.subset(np.isin(samples.groups, CALIBRATION_GROUPS))


def fitter(samples: Samples) -> LinearModel:
    return fit(samples, MODEL_ID, CROPS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--no-write", action="store_true", help="evaluate only")
    parser.add_argument(
        "--no-nested", action="store_true", help="card without the nested refit (16 x 16 fits)"
    )
    args = parser.parse_args()
    samples = load_samples(args.data, CROPS)
    calibration = calibration_part(samples)
    model = fitter(calibration)
    review, attack = choose_thresholds(calibration, out_of_fold(calibration, fitter))
    print(f"shipped thresholds (out-of-fold, calibration people): review {review}, attack {attack}")
    rules = PadThresholds(model_id=MODEL_ID, review=review, attack=attack, **RULES)
    path = model_path(MODEL_ID)
    if not args.no_write:
        payload = {
            **model.to_json(),
            "features": "sqrt of uniform LBP(8,1) histograms of H,S,V,Y,Cr,Cb of each crop "
            "[side over the face box, pixels] in 'crops' (pad/features.py)",
            "trained_by": "training/train_pad.py",
            "l2": L2,
        }
        path.write_text(json.dumps(payload, indent=1) + "\n")
        write_thresholds(rules, samples)
        print(f"wrote {path} and its thresholds")
    backend = ColourTexturePad(detection_engine().detector, model, rules)
    evaluation: dict[str, Any] = {
        "split": split_report(args.data, samples, backend, CALIBRATION_GROUPS),
        "stills": stills_report(args.data, backend),
    }
    if not args.no_nested:
        held = nested(samples, fitter)
        evaluation["nuaa"] = nuaa_report(samples, held, review)
        evaluation["videos"] = video_report(args.data, held, rules)
        evaluation["real_video_frames_flagged"] = real_frames_flagged(samples, held)
    if not args.no_write:
        write_card(path.with_suffix(".md"), calibration, rules, CROPS, evaluation)
        print(f"wrote the model card {path.with_suffix('.md')}")


def calibration_record(samples: Samples) -> dict[str, Any]:
    """Which data chose the shipped model and thresholds, and which is left to report on."""
    groups = sorted(set(samples.groups))
    return {
        "calibration_groups": list(CALIBRATION_GROUPS),
        "report_groups": [g for g in groups if g not in CALIBRATION_GROUPS],
        "data": "shared/data nuaa/ (frames) and video/ (5 fps, as sent); a group is one NUAA "
        "subject or one video identity (labels.csv)",
        "command": TRAIN_COMMAND,
        "reported_by": "benchmarks/pad.py: 'shipped' scores only the report groups (any group "
        "named in calibration_groups is left out of the headline, on any folder)",
    }


def write_thresholds(limits: PadThresholds, samples: Samples) -> None:
    stored = json.loads(THRESHOLDS_PATH.read_text()) if THRESHOLDS_PATH.exists() else {}
    models = {k: v for k, v in stored.get("models", {}).items() if model_path(k).exists()}
    models[limits.model_id] = {
        **limits.as_dict(),
        "_texture": f"review: {REVIEW_BPCER:.0%} and attack: {ATTACK_BPCER:.0%} of real "
        "calibration frames (each clip weighing the same) score above them, on out-of-fold "
        "scores (leave-one-person-out over the calibration groups only)",
        "_rules": RULES_DOC,
        "_calibration_split": calibration_record(samples),
    }
    document = {
        "_doc": "Passive PAD thresholds per model id, written by training/train_pad.py. "
        "texture score = mean per-frame attack probability over the checked frames.",
        "models": models,
    }
    THRESHOLDS_PATH.write_text(json.dumps(document, indent=2) + "\n")


if __name__ == "__main__":
    main()
