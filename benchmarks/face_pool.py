"""Threads or processes for the face-work pool (``core.workpool``): the same checks run
through a pool of 1 and of N workers, both kinds, on real frames.

    .venv/bin/python benchmarks/face_pool.py [--data DIR] [--json PATH] [--tasks 24]

One task = decode + quality + embed of one frame (the app's per-frame work). Processes pay
for pickling frames and for a model copy per worker (memory); threads share the models and
scale only as far as the native code releases the GIL; processes must be spawned (a fork
after the model threads started hangs). The table shows tasks/s per pool.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context

from _common import base_parser, make_engine, output_paths, print_table, write_json
from lifecert.face_engine import FaceEngine
from speed import pick_frames

_engine: FaceEngine | None = None


def _work(data: bytes) -> bool:
    global _engine
    if _engine is None:
        _engine = make_engine(None)
        _engine.warm_up()
    image = _engine.decode(data)
    quality = _engine.quality(image)
    if quality.face is not None:
        _engine.embed(image, quality.face)
    return quality.ok


def _rate(pool: Executor, frames: list[bytes], workers: int) -> float:
    list(pool.map(_work, frames[:workers]))  # warm every worker (models loaded)
    started = time.perf_counter()
    list(pool.map(_work, frames))
    return len(frames) / (time.perf_counter() - started)


def _pool(kind: str, workers: int) -> Executor:
    if kind == "threads":
        return ThreadPoolExecutor(workers)
    # spawn, not fork: forking a process whose model threads already run deadlocks
    return ProcessPoolExecutor(workers, mp_context=get_context("spawn"))


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--tasks", type=int, default=24)
    args = parser.parse_args()
    json_path, _ = output_paths(args, "face_pool")
    frames = pick_frames(args.data, args.tasks)
    cores = len(os.sched_getaffinity(0))
    rows, results = [], {}
    for workers in sorted({1, cores}):
        for kind in ("threads", "processes"):
            with _pool(kind, workers) as pool:
                rate = _rate(pool, frames, workers)
            rows.append((kind, workers, round(rate, 2)))
            results[f"{kind}_{workers}"] = rate
    print_table(
        f"face work per second ({len(frames)} frames, {cores} cores)",
        ["pool", "workers", "tasks/s"],
        rows,
    )
    write_json(json_path, {"cores": cores, "tasks": len(frames), "rates": results})


if __name__ == "__main__":
    main()
