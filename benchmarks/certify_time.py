"""Server time per certification: a real recording's frames (as the phone page sends them:
320 px JPEGs at 8 frames a second) through the whole server-side decision with the real face
engine — decode, liveness, quality, matching, duplicate search, storing evidence.

    python benchmarks/certify_time.py --runs 10 --json out/certify_time.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _frames(video: Path, fps_out: float = 8.0, width: int = 320) -> list[tuple[bytes, float]]:
    import cv2

    capture = cv2.VideoCapture(str(video))
    fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
    frames, index, next_t = [], 0, 0.0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        t = index / fps
        index += 1
        if t + 1e-9 < next_t:
            continue
        next_t += 1.0 / fps_out
        height = int(frame.shape[0] * width / frame.shape[1])
        small = cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)
        frames.append((cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 75])[1].tobytes(), t))
    return frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--profile", action="store_true", help="CPU ms per stage (cProfile)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="lifecert-certify-")
    os.environ.update({"LIFECERT_DATA_DIR": folder, "LIFECERT_LOG_JSON": "false",
                       "LIFECERT_DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
                       "LIFECERT_CERTIFICATION__FIXED_ACTIONS": '["blink","turn_left"]',
                       "LIFECERT_CERTIFICATION__MAX_TRIES_PER_DAY": "50",
                       "LIFECERT_CERTIFICATION__MAX_HELPER_ATTEMPTS_PER_DAY": "1000"})
    from rich.console import Console
    from rich.table import Table
    from tests.web.test_browser_flow import _enroll_demo_person

    from lifecert.certification.challenges import issue_challenge
    from lifecert.certification.decide import Context, Frame
    from lifecert.certification.models import CertMode
    from lifecert.certification.service import certify_with_face
    from lifecert.core import migrate
    from lifecert.core.db import session_scope
    from lifecert.core.faces import get_face_engine
    from lifecert.face_engine.shared_data import default_data_dir

    data = args.data or default_data_dir()
    clip = _frames(data / "video" / "app_blink_left_smile.mp4")
    clip = [(b, t) for b, t in clip if 3.0 <= t <= 12.0]  # ~9 s: neutral, blink, turn
    migrate.upgrade()
    engine = get_face_engine()
    engine.warm_up()
    with session_scope() as session:
        _enroll_demo_person(session, clip[len(clip) // 4][0])
    timings, outcomes, cpu = [], [], []
    profiler = None
    if args.profile:
        import cProfile

        from lifecert.core import workpool

        profiler = cProfile.Profile(time.process_time)
        # cProfile sees only its own thread: run the face work in place, as a worker would.
        workpool._local.worker_of = workpool.get_work_pool()
    for _ in range(args.runs):
        with session_scope() as session:
            challenge = issue_challenge(session, retiree_id=1, mode=CertMode.SELF,
                                        client_binding="bench")
            nonce = challenge.nonce
        started, cpu_started = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        with session_scope() as session:
            result = certify_with_face(session, nonce=nonce, client_binding="bench",
                                       frames=[Frame(b, t - clip[0][1]) for b, t in clip],
                                       context=Context(device="bench"))
            outcomes.append(result.outcome.value)
            budget = result.evidence.get("budget")
        if profiler:
            profiler.disable()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    summary = {"frames": len(clip), "upload_kb": round(sum(len(b) for b, _ in clip) / 1024),
               "runs": args.runs, "ms_median": round(statistics.median(timings)),
               "ms_p95": round(sorted(timings)[int(0.95 * (len(timings) - 1))]),
               "ms_min": round(min(timings)), "cpu_ms_median": round(statistics.median(cpu)),
               "outcomes": sorted(set(outcomes)),
               "embedder": engine.config.embedder, "model_id": engine.model_id}
    table = Table(title="Server time per certification (one process, real face engine)")
    for key in summary:
        table.add_column(key)
    table.add_row(*(str(v) for v in summary.values()))
    Console(width=160).print(table)
    print(f"last check's budget evidence: {budget}")
    stages = _stages(profiler, args.runs) if profiler else {}
    for stage, ms in stages.items():
        print(f"  {stage:34s} {ms:7.1f} ms CPU per check (cumulative, cProfile)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**summary, "timings_ms": timings, "cpu_ms": cpu,
                                         "stages_cpu_ms": stages, "budget": budget}, indent=2))


STAGES = {  # (file suffix, function) -> stage name; cumulative times overlap (nested stages)
    ("certification/decide.py", "evaluate"): "evaluate (all face work)",
    ("face_engine/memo.py", "__getitem__"): "decode (lazy, first use)",
    ("liveness/check.py", "check"): "liveness",
    ("liveness/signals.py", "track_face"): "  tracking (detect + landmarks)",
    ("backends/mediapipe_backend.py", "detect"): "  BlazeFace detect (all stages)",
    ("backends/mediapipe_backend.py", "landmarks"): "  FaceMesh landmarks (all stages)",
    ("liveness/check.py", "_identity_spread"): "  identity spread (chips + embed)",
    ("pad/check.py", "check"): "PAD",
    ("pad/motion.py", "rigid_motion"): "  PAD rigid motion (optical flow)",
    ("pad/check.py", "_texture"): "  PAD texture (LBP + model)",
    ("certification/decide.py", "_best_frame"): "best frame (quality)",
    ("face_engine/engine.py", "embed"): "embed best frame (chip + jitter6)",
    ("backends/dlib_backend.py", "chips"): "  dlib 5-point chips (all stages)",
    ("backends/dlib_backend.py", "detect"): "  dlib HOG fallback detect",
    ("certification/decide.py", "_match_templates"): "match templates",
    ("fraud/service.py", "check_live_face"): "1:N duplicate search",
    ("certification/decide.py", "store_frames"): "store evidence frames",
}


def _stages(profiler: object, runs: int) -> dict[str, float]:
    import pstats

    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    totals: dict[str, float] = {}
    for (path, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.items():
        for (suffix, function), stage in STAGES.items():
            if path.endswith(suffix) and name == function:
                totals[stage] = totals.get(stage, 0.0) + cumulative * 1000 / runs
    return {stage: round(totals[stage], 1) for stage in STAGES.values() if stage in totals}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
