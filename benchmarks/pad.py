"""Passive PAD (issues 10, 25) on DIR's nuaa/ and video/, out of sample.

    .venv/bin/python benchmarks/pad.py [--data DIR] [--json PATH] [--png PATH] [--no-nested]

Headline (``shipped``): the shipped model and thresholds as they are, on the people outside
their calibration split (pad/thresholds.json ``_calibration_split``: NUAA subjects and video
identities that fitted the model and chose its thresholds; on another folder every person not
named there): NUAA frames APCER/BPCER at the review threshold, and the whole backend (texture
+ multi-face + rigid motion) on each video at 8 fps as the phone sends it. The calibration
people follow, labelled in sample. Then, refitted and labelled so, the training procedure of
training/train_pad.py run once per held-out person (nested: the model and its thresholds never
see that person): ROC, EER, per subject, per video. Several minutes on 2 cores (16 x 16 fits).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from _common import (
    base_parser,
    output_paths,
    print_table,
    require_folder,
    shipped_engine,
    write_json,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # training/ is not installed
from training.pad_data import Samples, load_samples
from training.pad_eval import nuaa_report, real_frames_flagged, split_report, video_report
from training.pad_fit import nested
from training.train_pad import CROPS, fitter

from lifecert.face_engine.pad.check import ColourTexturePad
from lifecert.face_engine.pad.model import THRESHOLDS_PATH, calibration_groups, load_thresholds


def shipped_report(data: Path, samples: Samples) -> dict[str, Any]:
    """The shipped model and thresholds applied as they are, nothing refitted (the engine's
    own PAD backend): NUAA frames at the review threshold, and the whole backend on each video
    at the phone's frame rate. Headline: the people outside the model's calibration split
    (pad/thresholds.json ``_calibration_split``), never seen by the model or its thresholds;
    the calibration people follow under ``in_sample``, labelled so."""
    backend = shipped_engine().pad_check
    assert isinstance(backend, ColourTexturePad)
    split = split_report(data, samples, backend, calibration_groups(backend.model.model_id))
    return {
        "model_id": backend.model.model_id,
        "review_threshold": backend.limits.review,
        **split["report"],
        "in_sample": split["calibration"],
        "calibration_split": load_split(backend.model.model_id),
        "note": "headline: people outside the calibration split (out of sample); in_sample: "
        "the calibration people, whose frames fitted the model and chose its thresholds",
    }


def load_split(model_id: str) -> dict[str, Any]:
    entry = json.loads(THRESHOLDS_PATH.read_text(encoding="utf-8"))["models"][model_id]
    return dict(entry.get("_calibration_split", {}))


def plot(curve: dict[str, Any], eer: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(5, 5))
    axis.plot(curve["bpcer"], 1 - curve["apcer"], label=f"colour-texture LBP (EER {eer:.1%})")
    axis.set_xlabel("BPCER (real frames flagged)")
    axis.set_ylabel("1 - APCER (print frames caught)")
    axis.set_xscale("symlog", linthresh=0.01)
    axis.set_title("NUAA, leave-one-subject-out")
    axis.grid(True, alpha=0.3)
    axis.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    print(f"PNG: {path}")


def main() -> None:
    parser = base_parser(__doc__.split("\n")[0])
    parser.add_argument("--no-nested", action="store_true", help="the shipped model only")
    args = parser.parse_args()
    for folder in ("nuaa", "video"):
        require_folder(args.data / folder)
    json_path, png_path = output_paths(args, "pad")
    samples = load_samples(args.data, CROPS)
    as_shipped = shipped_report(args.data, samples)
    print_shipped(as_shipped)
    payload: dict[str, Any] = {"shipped": as_shipped}
    if not args.no_nested:
        payload["refitted_nested"] = nested_report(args.data, samples, png_path)
    write_json(json_path, payload)


def print_shipped(report: dict[str, Any]) -> None:
    keys = ("apcer", "bpcer", "real_videos_refused", "real_videos_uncertain",
            "real_videos", "attack_videos_live", "attack_videos")  # fmt: skip
    print_table(
        "Shipped model as it is (headline: people outside its calibration split)",
        ["people", "groups", *keys],
        [
            ["report (out of sample)", len(report["groups"]), *(report[k] for k in keys)],
            ["calibration (in sample)", len(report["in_sample"]["groups"]),
             *(report["in_sample"][k] for k in keys)],
        ],
    )  # fmt: skip


def nested_report(data: Path, samples: Samples, png_path: Path) -> dict[str, Any]:
    """Refitted, labelled so: the training procedure run once per held-out person."""
    held = nested(samples, fitter)
    shipped = load_thresholds()
    nuaa = nuaa_report(samples, held, shipped.review)
    videos = video_report(data, held, shipped)
    flagged = real_frames_flagged(samples, held)
    at = nuaa["at_threshold"]
    rows = [["NUAA frames", nuaa["frames"], "EER", nuaa["eer"], "", ""]]
    rows += [["APCER @ BPCER", k, "", v, "", ""] for k, v in nuaa["apcer_at_bpcer"].items()]
    rows.append(["at threshold (nested)", "all", "APCER", at["apcer"], "BPCER", at["bpcer"]])
    rows += [
        ["subject", s, "APCER", r["apcer"], "BPCER", r["bpcer"]]
        for s, r in nuaa["per_subject"].items()
    ]
    rows += [["real video frames flagged", k, "", v, "", ""] for k, v in flagged.items()]
    rows += [
        ["video", name, r["label"], r["decision"], r["score"], ",".join(r["reasons"]) or "-"]
        for name, r in videos.items()
    ]
    print_table(
        "Refitted, nested leave-one-person-out (not the shipped model)",
        ["what", "which", "", "value", "", ""],
        rows,
    )
    plot(nuaa["curve"], nuaa["eer"], png_path)
    return {
        "eer": nuaa["eer"],
        "apcer_at_bpcer": nuaa["apcer_at_bpcer"],
        "at_threshold": at,
        "real_video_frames_flagged": flagged["all"],
        "real_video_frames_flagged_per_video": flagged,
        "videos": videos,
        "per_subject": nuaa["per_subject"],
        "held_out_thresholds": {g: [h.review, h.attack] for g, h in held.items()},
        "protocol": "nested leave-one-person-out: each person's model and thresholds are "
        "fitted without them (training/train_pad.py procedure); refitted, not the shipped model",
    }


if __name__ == "__main__":
    main()
