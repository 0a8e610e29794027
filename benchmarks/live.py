"""Live streaming on the real engine (issue 21): one ingest, N simulated HLS viewers.

    python benchmarks/live.py [--viewers 60] [--duration 30] [--json out/live.json]

1. Starts nginx-rtmp with the app's own configuration (``lifecert.live.engine``) on free ports
   under a temporary folder; a tiny local HTTP server stands in for the app's ``on_publish``
   callback (it allows the benchmark's key), so only the engine is measured.
2. Pushes one FFmpeg test stream (640x360, 25 fps, x264 veryfast, 2 s keyframes, AAC) in real
   time for warm-up + ``--duration`` seconds.
3. ``--viewers`` threads behave like hls.js: each has its own signed URL (viewer id in the
   signature, checked by nginx's secure_link on every request), reloads the playlist every
   target duration, and downloads each new segment once, in order.
4. Prints segments/s served, p50/p95/max segment latency (request to last byte), playlist
   latency, the bitrate, and the CPU seconds nginx used (master + workers, from /proc);
   ``viewers_per_core`` = viewers / cores nginx kept busy. Keys in ``--json``: ``viewers``,
   ``segment_p95_ms``, ``viewers_per_core``, ``segments_per_s``, ``stream_kbps``,
   ``nginx_cpu_cores``, ``errors``, ``load_avg``.

The machine is shared (other jobs, FFmpeg's own encoding): read the load average beside it.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from lifecert.live import signing  # noqa: E402
from lifecert.live.engine import Engine, EngineConfig, missing  # noqa: E402

SECRET = "benchmark-secret"
KEY = "bench-key"
STREAM = "s1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Callbacks(http.server.BaseHTTPRequestHandler):
    """The app's stand-in: allows the benchmark's key, refuses anything else."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0") or 0)).decode()
        allowed = "publish&" not in body or f"key={KEY}" in body
        self.send_response(200 if allowed else 403)
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


def _cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` and its children (nginx's workers), in seconds."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


class Viewer(threading.Thread):
    def __init__(self, base: str, index: int, stop_at: float) -> None:
        super().__init__(daemon=True)
        path, _ = signing.signed_path(SECRET, kind="hls", viewer=f"b{index}", stream=STREAM,
                                      file="index.m3u8", ttl_s=3600)
        self.playlist = base + path
        self.stop_at = stop_at
        self.segment_ms: list[float] = []
        self.playlist_ms: list[float] = []
        self.bytes = 0
        self.errors = 0

    def run(self) -> None:
        seen: set[str] = set()
        folder = self.playlist.rsplit("/", 1)[0]
        with httpx.Client(timeout=10) as client:
            while time.monotonic() < self.stop_at:
                started = time.perf_counter()
                try:
                    answer = client.get(self.playlist)
                except httpx.HTTPError:
                    self.errors += 1
                    time.sleep(1)
                    continue
                self.playlist_ms.append((time.perf_counter() - started) * 1000)
                if answer.status_code != 200:
                    self.errors += 1
                    time.sleep(1)
                    continue
                target = 2.0
                for line in answer.text.splitlines():
                    if line.startswith("#EXT-X-TARGETDURATION:"):
                        target = float(line.split(":", 1)[1])
                    elif line and not line.startswith("#") and line not in seen:
                        if not seen and not line.endswith(".ts"):
                            continue
                        seen.add(line)
                        self._segment(client, f"{folder}/{line}")
                time.sleep(max(0.0, target - (time.perf_counter() - started)))

    def _segment(self, client: httpx.Client, url: str) -> None:
        started = time.perf_counter()
        try:
            answer = client.get(url)
        except httpx.HTTPError:
            self.errors += 1
            return
        if answer.status_code != 200:
            self.errors += 1
            return
        self.segment_ms.append((time.perf_counter() - started) * 1000)
        self.bytes += len(answer.content)


def _push(rtmp: str, seconds: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
         "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25",
         "-f", "lavfi", "-i", "sine=frequency=440", "-t", str(seconds),
         "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
         "-g", "50", "-b:v", "800k", "-c:a", "aac", "-b:a", "64k",
         "-f", "flv", f"{rtmp}/{STREAM}?key={KEY}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(viewers: int, duration: int, warmup: int) -> dict[str, Any]:
    callbacks = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Callbacks)
    threading.Thread(target=callbacks.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="lifecert-live-bench-") as tmp:
        cfg = EngineConfig(
            work_dir=Path(tmp), rtmp_port=_free_port(), http_port=_free_port(),
            callback_url=f"http://127.0.0.1:{callbacks.server_address[1]}",
            callback_token="bench", signing_secret=SECRET)
        problem = missing(cfg)
        if problem:
            sys.exit(f"cannot run: {problem}")
        engine = Engine(cfg)
        engine.start()
        assert engine.process is not None
        stream = _push(cfg.rtmp_url, warmup + duration + 5)
        try:
            time.sleep(warmup)  # a few segments exist before the first viewer arrives
            stop_at = time.monotonic() + duration
            cpu_before, load_before = _cpu_seconds(engine.process.pid), os.getloadavg()[0]
            started = time.monotonic()
            threads = [Viewer(cfg.http_url, i, stop_at) for i in range(viewers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.monotonic() - started
            cpu = _cpu_seconds(engine.process.pid) - cpu_before
        finally:
            stream.kill()
            stream.wait()
            engine.stop()
            callbacks.shutdown()
    segments = [ms for t in threads for ms in t.segment_ms]
    playlists = [ms for t in threads for ms in t.playlist_ms]
    total_bytes = sum(t.bytes for t in threads)
    cores = cpu / wall if wall else 0.0
    per_viewer_kbps = total_bytes * 8 / 1000 / wall / viewers if viewers else 0.0
    return {
        "viewers": viewers,
        "duration_s": round(wall, 1),
        "segments": len(segments),
        "segments_per_s": round(len(segments) / wall, 2),
        "segment_p50_ms": round(_percentile(segments, 0.5), 2),
        "segment_p95_ms": round(_percentile(segments, 0.95), 2),
        "segment_max_ms": round(max(segments, default=0.0), 2),
        "playlist_p95_ms": round(_percentile(playlists, 0.95), 2),
        "stream_kbps": round(per_viewer_kbps, 1),
        "served_mbps": round(total_bytes * 8 / 1e6 / wall, 2),
        "nginx_cpu_s": round(cpu, 3),
        "nginx_cpu_cores": round(cores, 4),
        "viewers_per_core": round(viewers / cores, 1) if cores > 0 else None,
        "errors": sum(t.errors for t in threads),
        "machine_cores": os.cpu_count(),
        "load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "mean_segment_ms": round(statistics.fmean(segments), 2) if segments else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--viewers", type=int, default=60)
    parser.add_argument("--duration", type=int, default=30, help="seconds of viewing")
    parser.add_argument("--warmup", type=int, default=8, help="seconds of stream before")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.viewers < 1:
        sys.exit("--viewers must be at least 1")
    result = run(args.viewers, args.duration, args.warmup)
    width = max(len(k) for k in result)
    print("\nLive HLS from nginx-rtmp (one ingest, simulated players)")
    for key, value in result.items():
        print(f"{key.ljust(width)}  {value}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"\nJSON: {args.json}")


if __name__ == "__main__":
    main()
