"""Per-stage speed of the engine beside a face_recognition-style dlib pipeline, same frames.

    .venv/bin/python benchmarks/speed.py [--data DIR] [--json PATH] [--frames 12]

Stages (median ms per frame): decode, detect, landmarks, quality, align, embed, and a whole
check (decode + quality + embed, as the app runs it). Baseline, for this benchmark only: dlib
HOG detection (upsample 1) + the 68-point landmarks + the ResNet descriptor, the way a
face_recognition user would write it. The 68-point model is never used outside this script.
Also merges benchmarks/embed_speed.py's dlib-vs-ONNX embedder timings when that file exists.
"""

from __future__ import annotations

import glob
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from _common import base_parser, make_engine, output_paths, print_table, require_folder, write_json
from lifecert.face_engine import FaceEngine
from lifecert.face_engine.quality import assess


def pick_frames(data: Path, count: int) -> list[bytes]:
    """Half webcam-size frames (NUAA real clients, 640x480), half LFW (250x250)."""
    nuaa = sorted(glob.glob(str(data / "nuaa" / "ClientRaw" / "*" / "*.jpg")))[::97][: count // 2]
    lfw = sorted(glob.glob(str(data / "lfw" / "images" / "*" / "*.jpg")))[::211][
        : count - len(nuaa)
    ]
    return [Path(p).read_bytes() for p in nuaa + lfw]


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return 1000 * (time.perf_counter() - start), result


def engine_stages(engine: FaceEngine, frames: list[bytes]) -> tuple[dict[str, float], np.ndarray]:
    stages: dict[str, list[float]] = {
        k: []
        for k in (
            "decode",
            "detect",
            "landmarks",
            "quality",
            "align",
            "embed",
            "embed_views",
            "whole_check",
            "whole_check_1view",
        )
    }
    chips = []
    for data in frames:
        ms, image = timed(lambda d=data: engine.decode(d))
        stages["decode"].append(ms)
        ms, faces = timed(lambda i=image: engine.detect(i))
        stages["detect"].append(ms)
        ms, marks = timed(lambda i=image, f=faces: engine.landmarks(i, f[0]))
        stages["landmarks"].append(ms)
        ms, _ = timed(
            lambda i=image, f=faces, m=marks: assess(i, f, f[0], m, engine.config.quality)
        )
        stages["quality"].append(ms)
        ms, chip = timed(lambda i=image, f=faces: engine.chips(i, f[:1]))
        stages["align"].append(ms)
        ms, _ = timed(lambda c=chip: engine.embedder.embed_chips(c))
        stages["embed"].append(ms)  # one view: comparable with the baseline's descriptor
        ms, _ = timed(lambda c=chip: engine.embed_chips(c))
        stages["embed_views"].append(ms)  # the engine's test-time views (config.augment)
        chips.append(chip[0])
        stages["whole_check"].append(timed(lambda d=data: _whole_check(engine, d))[0])
        stages["whole_check_1view"].append(timed(lambda d=data: _whole_check(engine, d, 1))[0])
    return {k: statistics.median(v) for k, v in stages.items()}, np.array(chips)


def _whole_check(engine: FaceEngine, data: bytes, views: int = 0) -> object:
    """decode + quality (detect, landmarks, checks) + descriptor; views=1: no test-time views."""
    image = engine.decode(data)
    quality = engine.quality(image)
    if quality.face is None:
        return None
    if views == 1:
        return engine.embedder.embed_chips(engine.chips(image, [quality.face]))
    return engine.embed(image, quality.face)


def baseline_stages(frames: list[bytes]) -> dict[str, float]:
    """face_recognition-style: HOG + 68-point landmarks + descriptor, all in dlib."""
    import io

    import dlib
    import face_recognition_models as models
    from PIL import Image

    detector = dlib.get_frontal_face_detector()
    predictor68 = dlib.shape_predictor(models.pose_predictor_model_location())
    net = dlib.face_recognition_model_v1(models.face_recognition_model_location())
    stages: dict[str, list[float]] = {
        "decode": [],
        "detect": [],
        "landmarks": [],
        "embed": [],
        "whole_check": [],
    }
    for data in frames:
        start = time.perf_counter()
        ms, image = timed(lambda d=data: np.asarray(Image.open(io.BytesIO(d)).convert("RGB")))
        stages["decode"].append(ms)
        ms, rects = timed(lambda i=image: detector(i, 1))
        stages["detect"].append(ms)
        if not len(rects):
            continue
        ms, shape = timed(lambda i=image, r=rects: predictor68(i, r[0]))
        stages["landmarks"].append(ms)
        ms, _ = timed(lambda i=image, s=shape: net.compute_face_descriptor(i, s, 1))
        stages["embed"].append(ms)
        stages["whole_check"].append(1000 * (time.perf_counter() - start))
    return {k: statistics.median(v) if v else float("nan") for k, v in stages.items()}


def embedder_comparison(chips: np.ndarray) -> dict[str, object] | None:
    """dlib vs ONNX embedding on the same chips, via benchmarks/embed_speed.py (other helper)."""
    try:
        from embed_speed import measure_embedders
    except ImportError as exc:  # hook: the file or the ONNX backend is not there yet
        print(f"(embed_speed.measure_embedders unavailable: {exc})", file=sys.stderr)
        return None
    result: dict[str, object] = measure_embedders(chips)
    return result


def main() -> None:
    parser = base_parser(__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=12)
    args = parser.parse_args()
    require_folder(args.data)
    json_path, _ = output_paths(args, "speed")
    frames = pick_frames(args.data, args.frames)
    engine = make_engine(args.embedder, args.augment)
    engine.warm_up()
    engine_stages(engine, frames[:2])  # first calls build graphs; not timed
    ours, chips = engine_stages(engine, frames)
    base = baseline_stages(frames)
    base["whole_check_1view"] = base["whole_check"]  # the baseline always uses one view
    rows = [
        [
            k,
            ours[k],
            base.get(k, float("nan")),
            (base[k] / ours[k]) if k in base and ours[k] > 0 else float("nan"),
        ]
        for k in ours
    ]
    print_table(
        f"Speed, median ms per frame ({len(frames)} frames, {engine.model_id} "
        f"via {engine.config.embedder})",
        ["stage", "engine", "face_recognition-style", "ratio (baseline/engine)"],
        rows,
    )
    payload: dict[str, object] = {
        "frames": len(frames),
        "engine_ms": ours,
        "baseline_ms": base,
        "whole_check_ratio": base["whole_check"] / ours["whole_check"],
        "whole_check_1view_ratio": base["whole_check"] / ours["whole_check_1view"],
    }
    print(
        f"\nwhole check: engine {ours['whole_check']:.1f} ms vs baseline "
        f"{base['whole_check']:.1f} ms -> ratio {payload['whole_check_ratio']:.2f}"
    )
    comparison = embedder_comparison(chips)
    if comparison is not None:
        payload["embedders"] = comparison
        # Issue 9's keys, top level: ONNX batch 1 on one thread, dlib-bin, their max difference.
        for key in ("embed_ms_per_face", "dlib_reference_ms_per_face", "max_abs_diff_vs_dlib"):
            payload[key] = comparison[key]
        print_table(
            "Embedder on the same chips (from embed_speed.py)",
            ["measure", "value"],
            [[k, v] for k, v in comparison.items() if isinstance(v, int | float)],
        )
    write_json(json_path, payload)
    _plot(json_path.with_suffix(".png"), ours, base)


def _plot(png: Path, ours: dict[str, float], base: dict[str, float]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(ours)
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.bar(x - 0.2, [ours[n] for n in names], 0.4, label="engine")
    ax.bar(x + 0.2, [base.get(n, 0) or 0 for n in names], 0.4, label="face_recognition-style")
    ax.set_xticks(x, names, fontsize=8)
    ax.set_ylabel("ms per frame (median)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    print(f"PNG: {png}")


if __name__ == "__main__":
    sys.exit(main())
