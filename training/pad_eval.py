"""Person-disjoint evaluation of the PAD procedure (used by train_pad.py and benchmarks/pad.py).

Every score comes from a model that never saw the person, compared with thresholds chosen on
the other people's out-of-fold scores: the procedure that made the shipped model, run once per
held-out person. NUAA: per-frame APCER/BPCER, ROC, EER, per subject. Dev videos: the whole
backend (texture + multi-face + rigid motion) on each video's frames as the phone sends them.
"""

from __future__ import annotations

import csv
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from lifecert.face_engine.pad.check import ColourTexturePad
from lifecert.face_engine.pad.model import PadThresholds
from training.pad_data import Samples, as_sent, detection_engine, video_frames, video_rows
from training.pad_fit import HeldOut

CHALLENGE_FPS = 8.0  # web/static/certify.js
BPCER_POINTS = (0.01, 0.05, 0.1)


def held_out_scores(samples: Samples, held: dict[str, HeldOut]) -> tuple[np.ndarray, np.ndarray]:
    """(score, review threshold) of every frame, from its person's held-out model."""
    scores, review = np.zeros(len(samples.labels)), np.zeros(len(samples.labels))
    for group, fold in held.items():
        mask = samples.groups == group
        scores[mask] = fold.model.scores(samples.features[mask])
        review[mask] = fold.review
    return scores, review


def roc(scores: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
    """APCER and BPCER at every threshold (attack when score >= threshold)."""
    thresholds = np.concatenate([np.unique(scores), [np.inf]])
    attack, real = np.sort(scores[labels == 1]), np.sort(scores[labels == 0])
    apcer = np.searchsorted(attack, thresholds, side="left") / len(attack)
    bpcer = 1.0 - np.searchsorted(real, thresholds, side="left") / len(real)
    return {"thresholds": thresholds, "apcer": apcer, "bpcer": bpcer}


def eer(curve: dict[str, np.ndarray]) -> float:
    gap = np.abs(curve["apcer"] - curve["bpcer"])
    index = int(np.argmin(gap))
    return float((curve["apcer"][index] + curve["bpcer"][index]) / 2)


def apcer_at_bpcer(curve: dict[str, np.ndarray], target: float) -> float:
    allowed = curve["bpcer"] <= target + 1e-12
    return float(curve["apcer"][allowed].min())


def rates(scores: np.ndarray, labels: np.ndarray, thresholds: np.ndarray) -> dict[str, float]:
    flagged = scores >= thresholds
    return {
        "apcer": float(np.mean(~flagged[labels == 1])) if np.any(labels == 1) else float("nan"),
        "bpcer": float(np.mean(flagged[labels == 0])) if np.any(labels == 0) else float("nan"),
    }


def nuaa_report(samples: Samples, held: dict[str, HeldOut], shipped: float) -> dict[str, Any]:
    """``shipped``: the shipped review threshold, also applied to the held-out scores (it was
    chosen on out-of-fold scores of all people, so that row is slightly optimistic)."""
    scores, review = held_out_scores(samples, held)
    nuaa = samples.sources == "nuaa"
    curve = roc(scores[nuaa], samples.labels[nuaa])
    per_subject = {}
    for group in sorted(set(samples.groups[nuaa])):
        mask = samples.groups == group
        per_subject[group.split(":")[1]] = {
            **rates(scores[mask], samples.labels[mask], review[mask]),
            "threshold": float(review[mask][0]),
            "frames": int(mask.sum()),
        }
    return {
        "eer": eer(curve),
        "apcer_at_bpcer": {str(t): apcer_at_bpcer(curve, t) for t in BPCER_POINTS},
        "at_threshold": rates(scores[nuaa], samples.labels[nuaa], review[nuaa]),
        "at_shipped_threshold": rates(
            scores[nuaa], samples.labels[nuaa], np.full(int(nuaa.sum()), shipped)
        ),
        "per_subject": per_subject,
        "curve": curve,
        "frames": int(nuaa.sum()),
    }


def real_frames_flagged(samples: Samples, held: dict[str, HeldOut]) -> dict[str, float]:
    """Share of real dev-video frames (5 fps) scoring >= their review threshold: "all" and
    per video."""
    scores, review = held_out_scores(samples, held)
    mask = (samples.sources == "video") & (samples.labels == 0)
    shares = {"all": float(np.mean(scores[mask] >= review[mask]))}
    for clip in sorted(set(samples.clips[mask])):
        frames = samples.clips == clip
        shares[clip.split(":", 1)[1]] = float(np.mean(scores[frames] >= review[frames]))
    return shares


def video_report(data: Path, held: dict[str, HeldOut], rules: PadThresholds) -> dict[str, Any]:
    """The whole backend on each dev video (up to 30 s at 8 fps), with its person held out."""
    engine = detection_engine()
    videos = {}
    for video in video_rows(data):
        fold = held[f"video:{video['identity']}"]
        limits = replace(
            rules, model_id=fold.model.model_id, review=fold.review, attack=fold.attack
        )
        backend = ColourTexturePad(engine.detector, fold.model, limits)
        result = backend.check(video_frames(data / "video" / video["file"], CHALLENGE_FPS))
        videos[video["file"]] = {
            "label": video["label"],
            "decision": result.decision,
            "passes": result.decision == "live",
            "correct": (result.decision == "live") == (video["label"] == "real"),
            "score": result.texture_score,
            "reasons": list(result.reasons),
            "multi_face_fraction": result.multi_face_fraction,
            "rigid_agreement": result.rigid_agreement,
            "moving_pairs": result.moving_pairs,
            "thresholds": {"review": fold.review, "attack": fold.attack},
        }
    return videos


def stills_report(data: Path, backend: ColourTexturePad) -> dict[str, Any]:
    """The shipped backend on spoof_stills (never trained on): each photo as a 6-frame still."""
    engine = detection_engine()
    stills = {}
    with (data / "spoof_stills" / "labels.csv").open() as fh:
        for row in csv.DictReader(fh):
            image = as_sent(engine.load(data / "spoof_stills" / row["path"]))
            result = backend.check([(image, i / CHALLENGE_FPS) for i in range(6)])
            stills[row["path"]] = {
                "label": row["attack"] or row["label"],
                "decision": result.decision,
                "score": result.texture_score,
            }
    return stills


def _share(flags: np.ndarray) -> float | None:
    return float(np.mean(flags)) if len(flags) else None


def _split_part(
    data: Path, samples: Samples, backend: ColourTexturePad, groups: set[str]
) -> dict[str, Any]:
    """One side of the split: NUAA frames at the backend's review threshold, and the whole
    backend on each video of these people at the phone's frame rate."""
    mask = np.isin(samples.groups, sorted(groups)) & (samples.sources == "nuaa")
    flagged = backend.model.scores(samples.features[mask]) >= backend.limits.review
    labels = samples.labels[mask]
    videos = {}
    for video in video_rows(data):
        if f"video:{video['identity']}" in groups:
            frames = video_frames(data / "video" / video["file"], CHALLENGE_FPS)
            result = backend.check(frames)
            videos[video["file"]] = {
                "label": video["label"],
                "identity": video["identity"],
                "decision": result.decision,
                "score": result.texture_score,
                "reasons": list(result.reasons),
            }
    real = [v for v in videos.values() if v["label"] == "real"]
    attacks = [v for v in videos.values() if v["label"] != "real"]
    return {
        "groups": sorted(groups),
        "apcer": _share(~flagged[labels == 1]),
        "bpcer": _share(flagged[labels == 0]),
        "attack_frames": int(np.sum(labels == 1)),
        "real_frames": int(np.sum(labels == 0)),
        "real_videos_refused": sum(v["decision"] == "attack" for v in real),
        "real_videos_uncertain": sum(v["decision"] == "uncertain" for v in real),
        "real_videos": len(real),
        "attack_videos_live": sum(v["decision"] == "live" for v in attacks),
        "attack_videos": len(attacks),
        "videos": videos,
    }


def split_report(
    data: Path, samples: Samples, backend: ColourTexturePad, calibration: Collection[str]
) -> dict[str, Any]:
    """A fitted model and its thresholds as they are, with nothing refitted: ``report``, the
    people not in ``calibration`` (never seen by the model or its thresholds: out of sample),
    and ``calibration``, the people that chose them (in sample, labelled so)."""
    people = {str(g) for g in samples.groups}
    people |= {f"video:{v['identity']}" for v in video_rows(data)}
    chosen = people & set(calibration)
    return {
        "report": _split_part(data, samples, backend, people - chosen),
        "calibration": _split_part(data, samples, backend, chosen),
    }
