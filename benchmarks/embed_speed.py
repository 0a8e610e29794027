"""Descriptor speed: dlib-bin's own ResNet against the same network on ONNX Runtime.

    .venv/bin/python benchmarks/embed_speed.py [--data DIR] [--json PATH] [--repeats N]

One run, the same real LFW chips for both backends, one thread each: dlib (reference), ONNX
batch 1 and batch 8. Prints ms per face, the speed-up, the network's multiply-accumulates per
face, the GMAC/s achieved and this CPU's fp32 ceiling (AVX2: 2 FMA units x 8 lanes = 16 MAC per
cycle per core). ``measure_embedders`` is also called by benchmarks/speed.py.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy/onnxruntime load: one thread

import numpy as np

from lifecert.face_engine.dlib_onnx.cache import default_dat_path
from lifecert.face_engine.dlib_onnx.embedder import OnnxResnetEmbedder
from lifecert.face_engine.dlib_onnx.graph import macs_per_face
from lifecert.face_engine.dlib_onnx.network import parse_dat
from lifecert.face_engine.shared_data import default_data_dir, repo_root


def measure_embedders(chips: np.ndarray, *, repeats: int = 5, dlib_chips: int = 16,
                      cache_dir: str | None = None) -> dict[str, object]:
    """Time dlib and ONNX (batch 1 and 8, one thread) on the same (N, 150, 150, 3) uint8 chips.

    Measurements are interleaved (dlib on a chip, ONNX on the same chip, an ONNX batch of 8,
    then the next chip) so a busy shared CPU slows all three alike; times are medians per face.
    dlib runs once over the first ``dlib_chips`` chips (it is slow); ONNX then makes ``repeats``
    more passes over all chips. ``*_cpu_ms_*`` keys give the thread's CPU time per face: on an
    oversubscribed machine that is the cost on a core that is really ours.
    """
    import dlib

    chips = np.ascontiguousarray(chips, dtype=np.uint8)
    if len(chips) == 0:
        raise ValueError("measure_embedders needs at least one chip.")
    pool = np.concatenate([chips] * -(-8 // len(chips)))  # at least one batch of 8
    onnx = OnnxResnetEmbedder(threads=1, cache_dir=cache_dir)
    net = dlib.face_recognition_model_v1(str(default_dat_path()))
    onnx.warm_up()  # first calls allocate
    net.compute_face_descriptor(chips[0])
    batches = [pool[i : i + 8] for i in range(0, len(pool) - 7, 8)]
    times: dict[str, list[tuple[float, float]]] = {"dlib": [], "b1": [], "b8": []}
    reference = []
    for i, chip in enumerate(chips[:dlib_chips]):
        reference.append(_timed(times["dlib"], 1, partial(net.compute_face_descriptor, chip)))
        _timed(times["b1"], 1, partial(onnx.embed_chips, chip[None]))
        _timed(times["b8"], 8, partial(onnx.embed_chips, batches[i % len(batches)]))
    for _ in range(repeats):
        for i, chip in enumerate(chips):
            _timed(times["b1"], 1, partial(onnx.embed_chips, chip[None]))
            if i % 8 == 0:
                _timed(times["b8"], 8, partial(onnx.embed_chips, batches[i // 8 % len(batches)]))
    ref = np.array([np.asarray(d) for d in reference], dtype=np.float32)
    diff = float(np.abs(onnx.embed_chips(chips[: len(ref)]) - ref).max())
    return _summary(times, diff, len(chips), len(ref))


def _timed(into: list[tuple[float, float]], faces: int, run: Callable[[], object]) -> object:
    """Run once; append (wall ms, thread CPU ms) per face."""
    wall, cpu = time.perf_counter(), time.thread_time()
    out = run()
    into.append((1000 * (time.perf_counter() - wall) / faces,
                 1000 * (time.thread_time() - cpu) / faces))
    return out


def _summary(times: dict[str, list[tuple[float, float]]], diff: float, chips: int,
             dlib_chips: int) -> dict[str, object]:
    wall = {k: statistics.median(t[0] for t in v) for k, v in times.items()}
    cpu = {k: statistics.median(t[1] for t in v) for k, v in times.items()}
    macs = macs_per_face(parse_dat(default_dat_path().read_bytes()))
    return {
        "embed_ms_per_face": wall["b1"],
        "embed_ms_per_face_batch8": wall["b8"],
        "dlib_reference_ms_per_face": wall["dlib"],
        "max_abs_diff_vs_dlib": diff,
        "speedup_vs_dlib": wall["dlib"] / wall["b1"],
        "speedup_vs_dlib_batch8": wall["dlib"] / wall["b8"],
        "macs_per_face": macs,
        "gmacs_per_s": macs / wall["b1"] / 1e6,
        "gmacs_per_s_batch8": macs / wall["b8"] / 1e6,
        "dlib_gmacs_per_s": macs / wall["dlib"] / 1e6,
        "embed_cpu_ms_per_face": cpu["b1"],
        "embed_cpu_ms_per_face_batch8": cpu["b8"],
        "dlib_reference_cpu_ms_per_face": cpu["dlib"],
        "speedup_vs_dlib_cpu": cpu["dlib"] / cpu["b1"],
        "gmacs_per_cpu_s": macs / cpu["b1"] / 1e6,
        "gmacs_per_cpu_s_batch8": macs / cpu["b8"] / 1e6,
        "chips": chips,
        "dlib_chips": dlib_chips,
        "threads": 1,
        **cpu_info(),
    }


def cpu_info() -> dict[str, object]:
    """Model, nominal GHz and the fp32 FMA ceilings of one core (MAC = one lane of an FMA)."""
    text = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    ghz = float(fields.get("cpu MHz", "0") or 0) / 1000
    flags = set(fields.get("flags", "").split())
    return {
        "cpu_model": fields.get("model name", "unknown"),
        "cpu_ghz": ghz,
        "cpu_cores": os.cpu_count(),
        "avx2_fma": {"avx2", "fma"} <= flags,
        "avx512f": "avx512f" in flags,
        # 2 FMA units x 8 fp32 lanes (256-bit); AVX-512 doubles the lanes where present.
        "avx2_ceiling_gmacs_per_core": 16 * ghz,
        "avx512_ceiling_gmacs_per_core": 32 * ghz if "avx512f" in flags else None,
    }


def load_lfw_chips(data: Path, count: int) -> np.ndarray:
    """Aligned 150x150 chips of the first LFW images that dlib's HOG detector finds."""
    import dlib
    import face_recognition_models as frm

    detector = dlib.get_frontal_face_detector()
    predictor = dlib.shape_predictor(frm.pose_predictor_five_point_model_location())
    chips = []
    for path in sorted((data / "lfw" / "images").glob("*/*.jpg")):
        image = dlib.load_rgb_image(str(path))
        faces = detector(image, 0)
        if faces:
            chip = dlib.get_face_chip(image, predictor(image, faces[0]), size=150, padding=0.25)
            chips.append(np.asarray(chip, dtype=np.uint8))
        if len(chips) == count:
            break
    return np.stack(chips)


def format_table(r: dict[str, object]) -> str:
    def num(key: str) -> float:
        return float(r[key])  # type: ignore[arg-type]

    ceiling = num("avx2_ceiling_gmacs_per_core")
    rows = [
        ("dlib-bin compute_face_descriptor", "dlib_reference_ms_per_face", None,
         "dlib_gmacs_per_s"),
        ("ONNX Runtime, batch 1", "embed_ms_per_face", "speedup_vs_dlib", "gmacs_per_s"),
        ("ONNX Runtime, batch 8", "embed_ms_per_face_batch8", "speedup_vs_dlib_batch8",
         "gmacs_per_s_batch8"),
    ]
    lines = [f"{'backend (1 thread)':34} {'ms/face':>8} {'speed-up':>9} {'GMAC/s':>8} "
             f"{'% AVX2 peak':>11}"]
    for name, ms, ratio, gmacs in rows:
        speedup = num(ratio) if ratio else 1.0
        lines.append(f"{name:34} {num(ms):8.2f} {speedup:8.1f}x {num(gmacs):8.1f} "
                     f"{100 * num(gmacs) / ceiling:10.0f}%")
    avx512 = r["avx512_ceiling_gmacs_per_core"]
    lines += [
        f"thread CPU time per face: dlib {num('dlib_reference_cpu_ms_per_face'):.1f} ms, ONNX "
        f"batch 1 {num('embed_cpu_ms_per_face'):.2f} ms ({num('speedup_vs_dlib_cpu'):.1f}x, "
        f"{num('gmacs_per_cpu_s'):.1f} GMAC/s), batch 8 {num('embed_cpu_ms_per_face_batch8'):.2f}"
        f" ms ({num('gmacs_per_cpu_s_batch8'):.1f} GMAC/s)",
        f"MACs per face: {r['macs_per_face']:,}; max |ONNX - dlib| over {r['dlib_chips']} chips: "
        f"{num('max_abs_diff_vs_dlib'):.2e}",
        f"CPU: {r['cpu_model']}, {num('cpu_ghz'):.2f} GHz; fp32 ceiling per core: AVX2 "
        f"{ceiling:.1f} GMAC/s" + (f", AVX-512 {avx512:.1f} GMAC/s" if avx512 else ""),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_data_dir(), help="shared data")
    parser.add_argument("--json", type=Path, default=repo_root() / "benchmarks" / "out" /
                        "embed_speed.json", help="write the results here")
    parser.add_argument("--chips", type=int, default=32, help="LFW chips for the ONNX passes")
    parser.add_argument("--dlib-chips", type=int, default=16, help="chips timed with dlib")
    parser.add_argument("--repeats", type=int, default=5, help="ONNX passes over the chips")
    args = parser.parse_args(argv)
    if not (args.data / "lfw").is_dir():
        sys.exit(f"LFW not found under {args.data}: pass --data DIR (layout of shared/data).")
    chips = load_lfw_chips(args.data, args.chips)
    result = measure_embedders(chips, repeats=args.repeats, dlib_chips=args.dlib_chips)
    print(format_table(result))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
