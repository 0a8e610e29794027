"""Active liveness on the real and replay videos (and NUAA print attacks) of shared/data.

    .venv/bin/python benchmarks/liveness_videos.py [--data DIR] [--json PATH] [--signals]

For each video: every action found (with times), and which 2-action challenges it would pass.
``--signals`` also stores the per-frame measures (used to calibrate liveness/thresholds.json).
"""

from __future__ import annotations

import csv
import glob
import json
import re
import sys
from itertools import permutations
from pathlib import Path

import numpy as np

from _common import (
    base_parser,
    make_engine,
    output_paths,
    print_table,
    require_folder,
    shipped_engine,
    write_json,
)
from lifecert.face_engine import FaceEngine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # training/ is not installed
from training.pad_data import as_sent

from lifecert.face_engine.interfaces import TimedFrame
from lifecert.face_engine.liveness.actions import baseline, find_action
from lifecert.face_engine.liveness.challenge import challenge_from_names
from lifecert.face_engine.liveness.check import THRESHOLDS_PATH, ActiveLivenessCheck
from lifecert.face_engine.liveness.plan import track_sparse
from lifecert.face_engine.liveness.signals import FrameSignal, track_face
from lifecert.face_engine.types import ALL_ACTIONS
from lifecert.face_engine.video import read_video

EPISODE_GAP = 0.5  # seconds
PHONE_FPS = 8.0  # web/static/certify.js sends about this many frames a second
# Words of labels.csv "content" naming a challenge action: a clip naming two or more can pass
# a 2-action challenge; a speaking or static clip cannot, and is not counted as a genuine miss.
ACTION_WORDS = {"blink": "blink", "mouth": "open_mouth", "turn": "turn", "up/down": "nod"}


def clip_actions(content: str) -> set[str]:
    return {action for word, action in ACTION_WORDS.items() if word in content.lower()}


def pad_decision(engine: FaceEngine, frames: list[TimedFrame]) -> str:
    """The passive PAD decision on the frames as the phone sends them (about PHONE_FPS,
    320 px wide, JPEG quality 75: training/pad_data.as_sent)."""
    picked: list[TimedFrame] = []
    for frame in frames:
        if not picked or frame[1] - picked[-1][1] >= 1 / PHONE_FPS - 1e-6:
            picked.append(frame)
    return str(engine.check_presentation([(as_sent(i), t) for i, t in picked]).decision)


CHALLENGES = [
    pair for pair in permutations(ALL_ACTIONS, 2) if set(pair) != {"turn_left", "turn_right"}
]


def all_occurrences(
    signals: list[FrameSignal], check: ActiveLivenessCheck
) -> list[dict[str, object]]:
    """Every episode of every action, in time order (independent of any challenge).

    A held pose satisfies the detector on many consecutive frames: detections of one action
    closer than ``EPISODE_GAP`` seconds are merged into one episode.
    """
    base = baseline(signals)
    found: list[dict[str, object]] = []
    for action in ALL_ACTIONS:
        position, last_end = 0, -1e9
        while position < len(signals):
            evidence = find_action(action, signals, position, base, check.limits)
            if not evidence.passed:
                break
            start, end = float(evidence.start_time or 0), float(evidence.end_time or 0)
            if start - last_end < EPISODE_GAP and found and found[-1]["action"] == action:
                found[-1]["end"] = end
            else:
                found.append(
                    {"action": action, "start": start, "end": end, "values": dict(evidence.values)}
                )
            last_end = end
            after = (evidence.end_frame or 0) + 1
            position = next((i for i, s in enumerate(signals) if s.index > after), len(signals))
    return sorted(found, key=lambda f: float(f["start"]))  # type: ignore[arg-type]


def passing_challenges(signals: list[FrameSignal], check: ActiveLivenessCheck) -> list[str]:
    passed = []
    for pair in CHALLENGES:
        evidence = check.find_sequence(signals, challenge_from_names(list(pair)))
        if len(evidence) == len(pair) and all(e.passed for e in evidence):
            passed.append(",".join(pair))
    return passed


def as_phone_sends(frames: list[TimedFrame], fps: float) -> list[TimedFrame]:
    """The frames as the phone page sends them: ``fps`` a second, 320 px wide JPEG (q 75)."""
    import cv2

    result, next_t = [], frames[0][1] if frames else 0.0
    for image, t in frames:
        if t + 1e-9 < next_t:
            continue
        next_t += 1.0 / fps
        height = round(image.shape[0] * 320 / image.shape[1])
        small = cv2.resize(image, (320, height), interpolation=cv2.INTER_AREA)
        data = cv2.imencode(".jpg", small[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 75])[1]
        result.append((cv2.imdecode(data, cv2.IMREAD_COLOR)[:, :, ::-1].copy(), t))
    return result


def budget_passes(
    frames: list[TimedFrame], engine: FaceEngine, stride: int, full: list[FrameSignal]
) -> tuple[list[str], int]:
    """Challenges passed with the frame budget (sparse landmarks, every frame only when the
    sparse series does not show the challenge, as ActiveLivenessCheck.check does), and the
    landmark frames the sparse pass measured."""
    check = engine.liveness_check
    assert isinstance(check, ActiveLivenessCheck)
    sparse = [
        s
        for s in track_sparse(frames, engine.detector, engine.landmarker, stride)
        if s.landmarks is not None
    ]
    passed = set(passing_challenges(sparse, check)) if len(sparse) >= 2 else set()
    return sorted(passed | set(passing_challenges(full, check))), len(sparse)


def analyse(
    name: str,
    label: str,
    frames: list[TimedFrame],
    engine: FaceEngine,
    keep_signals: bool,
    stride: int = 1,
) -> dict[str, object]:
    check = engine.liveness_check
    assert isinstance(check, ActiveLivenessCheck)
    tracked = [
        s for s in track_face(frames, engine.detector, engine.landmarker) if s.landmarks is not None
    ]
    row: dict[str, object] = {
        "video": name,
        "label": label,
        "frames": len(frames),
        "tracked": len(tracked),
    }
    if len(tracked) < 2:
        return {**row, "actions": [], "challenges_passed": []}
    row["identity_spread"] = check._identity_spread(frames, tracked)
    row["actions"] = all_occurrences(tracked, check)
    row["challenges_passed"] = passing_challenges(tracked, check)
    if stride > 1:
        row["challenges_passed_budget"], row["measured_budget"] = budget_passes(
            frames, engine, stride, tracked
        )
    if keep_signals:
        row["signals"] = [
            {
                "t": round(s.time, 3),
                "ear": round(s.eye_aspect, 4),
                "mouth": round(s.mouth_open, 4),
                "yaw": round(s.yaw, 2),
                "pitch": round(s.pitch, 2),
            }
            for s in tracked
        ]
    return row


def nuaa_sequences(data: Path, per_subject: int = 1) -> list[tuple[str, list[TimedFrame]]]:
    groups: dict[str, list[tuple[int, str]]] = {}
    for path in glob.glob(str(data / "nuaa" / "ImposterRaw" / "*" / "*.jpg")):
        match = re.match(r"(.*)_(\d+)\.jpg$", Path(path).name)
        if match:
            groups.setdefault(match.group(1), []).append((int(match.group(2)), path))
    chosen: dict[str, int] = {}
    result = []
    engine = make_engine(None)
    for key, items in sorted(groups.items()):
        subject = key[:4]
        if len(items) < 10 or chosen.get(subject, 0) >= per_subject:
            continue
        chosen[subject] = chosen.get(subject, 0) + 1
        result.append((f"nuaa/{key}", [(engine.load(p), n / 20.0) for n, p in sorted(items)]))
    return result


def main() -> None:
    parser = base_parser(__doc__.split("\n")[0])
    parser.add_argument("--signals", action="store_true", help="store per-frame measures")
    parser.add_argument(
        "--phone-fps", type=float, default=0, help="resample as the phone sends (e.g. 8)"
    )
    parser.add_argument(
        "--stride", type=int, default=1, help="also judge with the frame budget's landmark stride"
    )
    args = parser.parse_args()
    require_folder(args.data / "video")
    json_path, png_path = output_paths(args, "liveness_videos")
    engine = make_engine(args.embedder, args.augment) if args.embedder else shipped_engine()
    rows = []
    with (args.data / "video" / "labels.csv").open(newline="") as handle:
        for item in csv.DictReader(handle):
            frames = read_video(args.data / "video" / item["file"])
            frames = as_phone_sends(frames, args.phone_fps) if args.phone_fps else frames
            rows.append(
                analyse(item["file"], item["label"], frames, engine, args.signals, args.stride)
            )
            rows[-1]["pad"] = pad_decision(engine, frames)
            rows[-1]["identity"] = item["identity"]
            rows[-1]["action_clip"] = len(clip_actions(item.get("content", ""))) >= 2
            print(f"  {item['file']}: {len(rows[-1]['actions'])} actions", file=sys.stderr)  # type: ignore[arg-type]
    for name, frames in nuaa_sequences(args.data):
        frames = as_phone_sends(frames, args.phone_fps) if args.phone_fps else frames
        rows.append(analyse(name, "print_attack", frames, engine, args.signals, args.stride))
        rows[-1]["pad"] = pad_decision(engine, frames)
        rows[-1]["identity"] = f"nuaa:{name.split('/')[1][:4]}"
    table = [
        [
            r["video"],
            r["label"],
            _actions_text(r),
            f"{len(r['challenges_passed'])}/{len(CHALLENGES)}",  # type: ignore[arg-type]
            " ".join(r["challenges_passed"][:3])
            + (" ..." if len(r["challenges_passed"]) > 3 else ""),
        ]  # type: ignore[index,arg-type]
        for r in rows
    ]
    print_table(
        "Active liveness per video (actions found, 2-action challenges passed)",
        ["video", "label", "actions (start s)", "passed", "examples"],
        table,
    )
    _summary(rows)
    plot(png_path, rows)
    write_json(
        json_path,
        {
            "shipped": shipped_summary(rows, engine),
            "challenges": [",".join(c) for c in CHALLENGES],
            "videos": rows,
        },
    )


def shipped_summary(rows: list[dict[str, object]], engine: FaceEngine) -> dict[str, object]:
    """The shipped thresholds as they are: share of real clips performing two or more actions
    that pass at least one 2-action challenge; share of replay / print clips that pass one
    and are judged live by passive PAD. Headline: clips of people outside the thresholds'
    calibration split (liveness/thresholds.json ``_calibration_split``, by identity, on any
    folder; None where no such real clip performs two actions); the calibration people's
    clips follow under ``in_sample``."""
    split = json.loads(THRESHOLDS_PATH.read_text(encoding="utf-8"))["_calibration_split"]
    calibration = set(split["calibration_identities"])
    result: dict[str, object] = {"liveness": engine.config.liveness}
    for name, subset in (
        ("held_out", [r for r in rows if r["identity"] not in calibration]),
        ("in_sample", [r for r in rows if r["identity"] in calibration]),
    ):
        real = [r for r in subset if r["label"] == "real" and r.get("action_clip")]
        attacks = [r for r in subset if r["label"] != "real"]
        # Accepted = passes a challenge and passive PAD says live (the product's rule: a PAD
        # attack or uncertain score sends the check to a person, never to auto-acceptance).
        accepted = [r for r in attacks if r["challenges_passed"] and r.get("pad") == "live"]
        shares = {
            "genuine_pass": sum(bool(r["challenges_passed"]) for r in real) / len(real)
            if real
            else None,
            "replay_accepted": len(accepted) / len(attacks) if attacks else None,
            "replay_passing_liveness_alone": sum(bool(r["challenges_passed"]) for r in attacks)
            / len(attacks)
            if attacks
            else None,
            "real_action_clips": len(real),
            "attack_clips": len(attacks),
            "clips": [str(r["video"]) for r in subset],
        }
        if name == "held_out":
            result.update(shares)
        else:
            result[name] = shares
    result["calibration_split"] = split
    return result


def _actions_text(row: dict[str, object]) -> str:
    actions = row["actions"]
    assert isinstance(actions, list)
    return (
        ", ".join(f"{a['action']}@{float(a['start']):.1f}-{float(a['end']):.1f}" for a in actions)
        or "-"
    )


def _summary(rows: list[dict[str, object]]) -> None:
    for label in ("real", "screen_replay", "print_attack"):
        subset = [r for r in rows if r["label"] == label]
        passing = sum(1 for r in subset if r["challenges_passed"])
        print(f"{label}: {passing}/{len(subset)} clips pass at least one 2-action challenge")
        if subset and "challenges_passed_budget" in subset[0]:
            budget = sum(1 for r in subset if r["challenges_passed_budget"])
            pairs = sum(len(r["challenges_passed"]) for r in subset)  # type: ignore[arg-type]
            pairs_b = sum(len(r["challenges_passed_budget"]) for r in subset)  # type: ignore[arg-type]
            frames = sum(int(r["frames"]) for r in subset)  # type: ignore[call-overload]
            measured = sum(int(r.get("measured_budget", 0)) for r in subset)  # type: ignore[call-overload]
            print(
                f"  with the frame budget: {budget}/{len(subset)} clips, challenges passed "
                f"{pairs_b} (every frame: {pairs}); sparse landmarks on {measured}/{frames} frames"
            )


def plot(png: Path, rows: list[dict[str, object]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 0.4 * len(rows) + 1))
    colours = dict(zip(ALL_ACTIONS, plt.get_cmap("tab10").colors, strict=False))
    for y, row in enumerate(rows):
        for a in row["actions"]:  # type: ignore[attr-defined]
            ax.plot(
                [a["start"], max(a["end"], a["start"] + 0.1)],
                [y, y],
                lw=6,
                color=colours[a["action"]],
            )
    ax.set_yticks(np.arange(len(rows)), [f"{r['video']} ({r['label']})" for r in rows], fontsize=7)
    ax.set_xlabel("seconds")
    ax.legend(
        [plt.Line2D([0], [0], color=c, lw=6) for c in colours.values()], list(colours), fontsize=7
    )
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    print(f"PNG: {png}")


if __name__ == "__main__":
    sys.exit(main())
