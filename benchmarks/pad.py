"""Passive PAD (issue 10) scored person-disjointly on DIR's nuaa/ and video/.

    .venv/bin/python benchmarks/pad.py [--data DIR] [--json PATH] [--png PATH]

Runs the training procedure of training/train_pad.py once per held-out person (7 NUAA
subjects, 9 dev-video identities): the model and its thresholds never see that person. NUAA:
per-frame APCER/BPCER, ROC, EER, per subject, and the rates at the threshold the procedure
chose. Videos: the whole backend (texture + multi-face + rigid motion) on each video at 8 fps
as the phone sends it: one decision per video, and the share of real-video frames flagged.
Takes several minutes on 2 cores (16 x 16 model fits).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

from _common import (
    base_parser,
    output_paths,
    print_table,
    require_folder,
    shipped_engine,
    write_json,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # training/ is not installed
from training.pad_data import Samples, load_samples, video_frames, video_rows
from training.pad_eval import CHALLENGE_FPS, nuaa_report, real_frames_flagged, video_report
from training.pad_fit import nested
from training.train_pad import CROPS, fitter

from lifecert.face_engine.pad.model import load_model, load_thresholds


def shipped_report(data: Path, samples: Samples) -> dict[str, Any]:
    """The shipped model and thresholds applied as they are, nothing refitted: NUAA frames
    at the review threshold, and the whole backend (engine.check_presentation) on each video
    at the phone's frame rate. On shared/data this is in sample (the shipped model was trained
    on these people); on any other folder it is the out-of-sample figure."""
    limits = load_thresholds()
    scores = load_model(limits.model_id).scores(samples.features)
    nuaa = samples.sources == "nuaa"
    flagged = scores >= limits.review
    engine = shipped_engine()
    videos = {}
    for video in video_rows(data):
        result = engine.check_presentation(
            video_frames(data / "video" / video["file"], CHALLENGE_FPS)
        )
        videos[video["file"]] = {"label": video["label"], "decision": result.decision}
    real = [v for v in videos.values() if v["label"] == "real"]
    attacks = [v for v in videos.values() if v["label"] != "real"]
    return {
        "model_id": limits.model_id,
        "review_threshold": limits.review,
        "apcer": float(np.mean(~flagged[nuaa & (samples.labels == 1)])),
        "bpcer": float(np.mean(flagged[nuaa & (samples.labels == 0)])),
        "real_videos_refused": sum(v["decision"] == "attack" for v in real),
        "real_videos_uncertain": sum(v["decision"] == "uncertain" for v in real),
        "real_videos": len(real),
        "attack_videos_live": sum(v["decision"] == "live" for v in attacks),
        "attack_videos": len(attacks),
        "videos": videos,
        "note": "in sample on shared/data (the shipped model was fitted on NUAA and these "
        "videos); the nested leave-one-person-out figures are the out-of-sample estimate",
    }


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
    args = base_parser(__doc__.split("\n")[0]).parse_args()
    for folder in ("nuaa", "video"):
        require_folder(args.data / folder)
    json_path, png_path = output_paths(args, "pad")
    samples = load_samples(args.data, CROPS)
    held = nested(samples, fitter)
    shipped = load_thresholds()
    nuaa = nuaa_report(samples, held, shipped.review)
    as_shipped = shipped_report(args.data, samples)
    videos = video_report(args.data, held, shipped)
    flagged = real_frames_flagged(samples, held)
    rows = [["NUAA frames", nuaa["frames"], "EER", nuaa["eer"], "", ""]]
    rows += [["APCER @ BPCER", k, "", v, "", ""] for k, v in nuaa["apcer_at_bpcer"].items()]
    at = nuaa["at_threshold"]
    rows.append(["at threshold (nested)", "all", "APCER", at["apcer"], "BPCER", at["bpcer"]])
    ship = nuaa["at_shipped_threshold"]
    rows.append(
        ["at shipped threshold", shipped.review, "APCER", ship["apcer"], "BPCER", ship["bpcer"]]
    )
    rows += [
        ["subject", s, "APCER", r["apcer"], "BPCER", r["bpcer"]]
        for s, r in nuaa["per_subject"].items()
    ]
    rows += [["real video frames flagged", k, "", v, "", ""] for k, v in flagged.items()]
    rows += [
        ["video", name, r["label"], r["decision"], r["score"], ",".join(r["reasons"]) or "-"]
        for name, r in videos.items()
    ]
    print_table("Passive PAD, person-disjoint", ["what", "which", "", "value", "", ""], rows)
    print_table(
        "Shipped model as it is (in sample on shared/data)",
        ["APCER", "BPCER", "real videos refused", "real uncertain", "attack videos live"],
        [[as_shipped[k] for k in ("apcer", "bpcer", "real_videos_refused",
                                  "real_videos_uncertain", "attack_videos_live")]],
    )  # fmt: skip
    plot(nuaa["curve"], nuaa["eer"], png_path)
    write_json(
        json_path,
        {
            "shipped": as_shipped,
            "eer": nuaa["eer"],
            "apcer_at_bpcer": nuaa["apcer_at_bpcer"],
            "real_video_frames_flagged": flagged["all"],
            "real_video_frames_flagged_per_video": flagged,
            "at_shipped_threshold": ship,
            "videos": {
                n: {"decision": r["decision"], "score": r["score"], **r} for n, r in videos.items()
            },
            "at_threshold": at,
            "per_subject": nuaa["per_subject"],
            "shipped_model": shipped.model_id,
            "shipped_thresholds": shipped.as_dict(),
            "held_out_thresholds": {g: [h.review, h.attack] for g, h in held.items()},
            "protocol": "nested leave-one-person-out: each person's model and thresholds are "
            "fitted without them (training/train_pad.py procedure)",
        },
    )


if __name__ == "__main__":
    main()
