"""The PAD model card (markdown beside the parameters), written from the measured numbers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lifecert.face_engine.pad.features import Crop
from lifecert.face_engine.pad.model import PadThresholds
from training.pad_data import Samples
from training.pad_fit import L2

NOT_COVERED = """\
## What it cannot be trusted against

* **Modern screens and tablets.** The only replays it has seen are two phone/laptop recordings
  of two people. High-resolution OLED phones, tablets and monitors at other distances, angles
  and brightness are untested; expect misses.
* **Prints seen by a modern phone camera**: every training print comes from NUAA's one 2010
  webcam; see the out-of-sample phone photo of a print above.
* **Masks** (paper, silicone, 3D-printed) and **make-up**: never seen, no claim.
* **Virtual cameras and injected video** (OBS, emulators, a hacked browser): the frames never
  pass through a camera, so nothing here can see them. Only server-side challenge freshness
  (nonce, timing) and device attestation address that.
* **Deepfakes / face swaps played live**: not covered.
* **Elderly subjects**: NO training or test subject is elderly except one GRID speaker; skin
  texture of 70-90-year-olds (wrinkles, spots, thinner skin), reading glasses and dim home
  lighting are untested.
* **Phones and rooms unlike the training ones**: a new phone, a beauty filter or a dim room
  may push a real elder over the threshold (that sends the check to a person, never to a
  refusal). Held out, the real videos with frames above their review threshold: {near_misses}.
* **Some print sessions**: held out, NUAA subject {worst_subject}'s prints pass at
  {worst_apcer} of frames (see the per-subject table): a careful print attack on one person is
  not reliably stopped by texture alone.
* **Other cameras and compression**: trained on NUAA's 2010 webcam and seven dev videos, all
  reduced to 320 px JPEG quality 75 as the phone page sends them; other pipelines shift scores.
* **The rules**: a second face may be a helping relative (a real person), and a phone held by a
  helper who moves it with the elder may look rigid; both only send the check to a person.
"""

HISTORY = """\
## Versions

* `pad-lbpcolour-v1`: face crop 64 px + 2.2x crop 96 px. Held out, the real close-up video
  turns_real.mp4 scored 0.78 (review), failing "every real dev video passes": a 2.2x square
  does not fit in a close-up selfie, so it was clamped to the frame and its content depended
  on how the phone was held. Retired; its decisions keep their model id in the evidence.
* `pad-lbpcolour-v2`: face crop and a 1.5x crop, both 96 px. `training/pad_explore.py` prints
  the layouts compared (same nested procedure). Fitted on all 16 people, so the shipped model
  had no out-of-sample figure on shared/data. Retired.
* `pad-lbpcolour-v3` (issue 25): v2's features and procedure, fitted (model and thresholds) on
  the calibration people only; the report people are its out-of-sample test.
"""

LIMITS = """\
## Limits and how it is used

* 16 people in all (7 NUAA subjects, 9 dev-video identities). Frame-level numbers count frames
  of the same clip as separate samples; they are far more precise-looking than they are.
* The shipped model and thresholds see only the calibration people; the report people are
  their out-of-sample test (few: 3 NUAA subjects, 2 video identities, one replay). The nested
  rates come from a leave-one-person-out run (each person's model AND thresholds never saw
  that person).
  Feature choices (crop sizes, colour spaces) were made while looking at these same dev
  results, so the dev numbers are not a clean test set either.
* In certification PAD is one signal: a confident attack is not certified and goes to a
  reviewer with the evidence; an uncertain score goes to a reviewer; PAD alone never refuses a
  retiree or stops a pension.
"""


def _pct(value: float | None) -> str:
    return "n/a" if value is None or np.isnan(value) else f"{100 * value:.1f}%"


def _weak_spots(evaluation: dict[str, Any]) -> dict[str, str]:
    """The measured numbers behind two "cannot be trusted" bullets, so a retrain updates them."""
    if "nuaa" not in evaluation:  # no nested run: the shipped model on its report people
        report = evaluation["split"]["report"]
        near = [
            f"{name} ({row['decision']}, clip score {row['score']})"
            for name, row in report["videos"].items()
            if row["label"] == "real" and row["decision"] != "live"
        ]
        return {
            "near_misses": "; ".join(near) or "none among the report people",
            "worst_subject": "(nested run not made)",
            "worst_apcer": "n/a",
        }
    flagged = evaluation["real_video_frames_flagged"]
    near = [
        f"{name} (clip score {row['score']} vs {row['thresholds']['review']}, "
        f"{_pct(flagged[name])} of frames)"
        for name, row in evaluation["videos"].items()
        if row["label"] == "real" and flagged.get(name, 0.0) > 0
    ]
    subjects = evaluation["nuaa"]["per_subject"]
    worst = max(subjects, key=lambda subject: subjects[subject]["apcer"])
    return {
        "near_misses": "; ".join(near) or "none",
        "worst_subject": worst,
        "worst_apcer": _pct(subjects[worst]["apcer"]),
    }


def _split_lines(split: dict[str, Any]) -> list[str]:
    """The shipped model as it is on the people it never saw (headline), then in sample."""
    lines = [
        "## Shipped model, calibration split",
        "",
        "The shipped weights and thresholds are fitted on the calibration people only ("
        + ", ".join(split["calibration"]["groups"])
        + "); the report people ("
        + ", ".join(split["report"]["groups"])
        + ") are never seen by them. `benchmarks/pad.py` reports the same figures.",
        "",
        "| people | NUAA APCER | NUAA BPCER | real videos decided attack | uncertain "
        "| replays passed live |",
        "|---|---|---|---|---|---|",
    ]
    for part, label in (("report", "report (out of sample)"), ("calibration", "calibration "
                        "(in sample)")):  # fmt: skip
        row = split[part]
        lines.append(
            f"| {label} | {_pct(row['apcer'])} | {_pct(row['bpcer'])} | "
            f"{row['real_videos_refused']}/{row['real_videos']} | "
            f"{row['real_videos_uncertain']}/{row['real_videos']} | "
            f"{row['attack_videos_live']}/{row['attack_videos']} |"
        )
    return [*lines, ""]


def _nested_lines(evaluation: dict[str, Any], limits: PadThresholds) -> list[str]:
    """The refitted procedure, nested leave-one-person-out (when it was run)."""
    if "nuaa" not in evaluation:
        return [
            "## Measured, refitted (nested leave-one-person-out)",
            "",
            "Not run for this card (`--no-nested`): `benchmarks/pad.py` without `--no-nested` "
            "prints it. The nested procedure does not depend on the calibration split (every "
            "person is left out in turn): the figures of pad-lbpcolour-v2's card (git history) "
            "hold.",
            "",
        ]
    nuaa, videos = evaluation["nuaa"], evaluation["videos"]
    lines = [
        "## Measured, refitted (nested leave-one-person-out over all 16 people: the procedure "
        "that made the shipped model, run once per person; no score from a model or threshold "
        "that saw the person)",
        "",
        f"* NUAA frames ({nuaa['frames']}): EER {_pct(nuaa['eer'])}; APCER at BPCER "
        + ", ".join(f"{float(k):.0%}: {_pct(v)}" for k, v in nuaa["apcer_at_bpcer"].items()),
        f"* NUAA at the review threshold (chosen on training folds): APCER "
        f"{_pct(nuaa['at_threshold']['apcer'])}, BPCER {_pct(nuaa['at_threshold']['bpcer'])}",
        f"* NUAA at the shipped review threshold {limits.review} (chosen on the calibration "
        f"people's out-of-fold scores, so in sample for them here): APCER "
        f"{_pct(nuaa['at_shipped_threshold']['apcer'])}, BPCER "
        f"{_pct(nuaa['at_shipped_threshold']['bpcer'])}",
        "* Real dev-video frames (5 fps) flagged (score >= review): "
        + ", ".join(f"{k} {_pct(v)}" for k, v in evaluation["real_video_frames_flagged"].items()),
        "",
        "| NUAA subject | APCER | BPCER | threshold |",
        "|---|---|---|---|",
    ]
    for subject, row in nuaa["per_subject"].items():
        lines.append(
            f"| {subject} | {_pct(row['apcer'])} | {_pct(row['bpcer'])} | {row['threshold']} |"
        )
    lines += [
        "",
        "| dev video | label | decision | texture score | reasons |",
        "|---|---|---|---|---|",
    ]
    for name, row in videos.items():
        reasons = ", ".join(row["reasons"]) or "-"
        lines.append(
            f"| {name} | {row['label']} | {row['decision']} | {row['score']} | {reasons} |"
        )
    wrong = [n for n, r in videos.items() if not r["correct"]]
    lines += [
        "",
        "Videos decided wrongly: " + (", ".join(wrong) if wrong else "none") + ".",
        "",
        "",
    ]
    return lines


def write_card(
    path: Path,
    samples: Samples,
    limits: PadThresholds,
    crops: Sequence[Crop],
    evaluation: dict[str, Any],
) -> None:
    people = {
        source: len(set(samples.groups[samples.sources == source])) for source in ("nuaa", "video")
    }
    counts = {
        (source, label): int(np.sum((samples.sources == source) & (samples.labels == label)))
        for source in ("nuaa", "video")
        for label in (0, 1)
    }
    lines = [
        f"# Model card: {limits.model_id}",
        "",
        "Passive presentation-attack detection for LifeCert face checks (issue 10). Written by",
        "`training/train_pad.py`; re-running it reproduces this file and the parameters.",
        "",
        "## Model",
        "",
        "* Per frame: uniform LBP(8,1) histograms (square-rooted) of the H, S, V, Y, Cr, Cb",
        "  channels of each face crop: "
        + ", ".join(f"{factor:g}x the face box at {size} px" for factor, size in crops)
        + " (skin texture, print dots, screen moire; the wider one shows photo or phone edges",
        "  and fingers).",
        f"* L2-regularised logistic regression (lambda {L2}) on standardised features, fitted by",
        "  Newton's method in NumPy; served with NumPy from the JSON beside this card.",
        "* Clip score: mean attack probability of up to 16 frames spread over the check.",
        "* Rules: multi-face (second face in the frame) and rigid motion (face moving with its",
        "  surroundings, camera motion removed): see `thresholds.json`.",
        f"* Thresholds: review {limits.review}, attack {limits.attack} (texture score); "
        f"multi-face fraction {limits.multi_face_fraction}; rigid agreement "
        f"{limits.rigid_agreement} over >= {limits.rigid_min_pairs} moving pairs.",
        "",
        "## Training data (the shipped model: calibration people only)",
        "",
        f"* NUAA photograph-imposter set (`shared/data/nuaa`): {people['nuaa']} subjects, "
        f"{counts['nuaa', 0]} real and {counts['nuaa', 1]} printed-photo frames with a face.",
        f"* Dev videos (`shared/data/video`) at 5 fps: {counts['video', 0]} real frames "
        f"({people['video']} people) and {counts['video', 1]} screen-replay frames",
        "  (young_man's laptop replay; man_b's phone replay is in the report split).",
        "* Every frame is scaled to 320 px and JPEG-compressed (quality 75), as the phone page",
        "  does.",
        "* Each clip weighs the same within its source and class; splits never cut a person.",
        "",
        *_split_lines(evaluation["split"]),
        "## Attacks covered",
        "",
        "* Printed photos held (NUAA: flat, bent, moved), under office light and a 2010 webcam.",
        "* A phone or laptop screen replaying a video of the person (two dev videos only).",
        "* A second face in the frame; a photo or phone moved rigidly in front of the camera.",
        "",
    ]
    lines += _nested_lines(evaluation, limits)
    lines += [
        "Out of sample (`spoof_stills`, phone photos never trained on; the shipped model):",
        "",
    ]
    lines += [
        f"* {name} ({row['label']}): {row['decision']}, texture score {row['score']}"
        for name, row in evaluation["stills"].items()
    ]
    lines += [
        "",
        NOT_COVERED.format(**_weak_spots(evaluation)),
        HISTORY,
        LIMITS,
    ]
    path.write_text("\n".join(lines))
