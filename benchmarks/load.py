"""Certification under load (issue 16): the real server on PostgreSQL, full phone flows.

    python benchmarks/load.py [--clients 8] [--duration 30] [--workers 2] [--json out/load.json]

What it does, end to end:

1. (Re)creates the PostgreSQL database ``--db`` (default ``test_lifecert_load`` on
   ``--pg postgresql://postgres@127.0.0.1:5432``) and migrates it.
2. Enrols ``--retirees`` people (default 8), each a different real person of
   ``shared/data/video`` (consent, then a frontal frame of their own recording as the
   reference, through the enrolment service and the real face engine).
3. Starts the server (``uvicorn lifecert.app:create_app`` in a subprocess, ``--workers``
   processes) with the real queue (``LIFECERT_QUEUE__INLINE=false``, Celery on Redis database
   ``--redis-db``; no worker is needed, jobs just wait there), the real face engine, and the
   challenge fixed to ``--actions`` (default ``blink,turn_left``: recordings cannot follow a
   random challenge; the fixed actions are refused in production, allowed in test).
   ``--able-only`` keeps only the people whose recordings show those actions (all can pass).
   ``--env KEY=VALUE`` passes more settings (e.g. a worker-pool size).
4. ``--clients`` threads each take one retiree and run the phone flow again and again for
   ``--duration`` seconds: open the invitation link, the check page (CSRF token), ask for a
   challenge, send that person's own frames as the phone page would (320 px JPEGs at the
   challenge's capture rate, 1.5 s neutral then 4.5 s per action, the person's real segment
   showing each action where their recording has it, else an ordinary stretch: then the check
   answers "try again"), wait for the decision. A 503/429 with Retry-After is a polite refusal:
   the client waits and tries again. Meanwhile a probe calls ``/api/health`` every 200 ms.
5. Prints one table and writes ``--json``: ``cert_per_s`` (decisions of any outcome completed
   in the window, per second; ``certified_per_s`` counts only "certified"), ``p50_ms`` /
   ``p95_ms`` (submit to decision), ``flow_p95_ms`` (challenge + submit), ``errors`` (transport
   errors, 5xx other than 503, 4xx other than 429), ``refused`` (503/429), ``workers``,
   ``cores``, ``health_p95_ms``, the outcome mix and the load average before and after.

The machine is shared: read the load average next to the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NEUTRAL_S, GAP_S = 1.5, 0.6  # as the phone page (certify.js): neutral, then speaking time
REQUEST_TIMEOUT_S = 60.0  # an answer later than this is an error (a hung server)
TOKENS_PER_PERSON = 400  # more than a person's flows in a default run (clients share people)


@dataclass
class Person:
    identity: str
    frames: list[bytes]  # the recording at the capture rate, as the phone encodes them
    neutral: int  # a frontal frame of enrolment quality (the reference photo)
    segments: dict[str, int]  # action -> index where the recording shows it starting
    # Invitation links are single-use (one check each, issue 17): one per flow, made ahead.
    tokens: list[str] = field(default_factory=list)


@dataclass
class Results:
    flows: list[dict[str, Any]] = field(default_factory=list)
    health: list[tuple[float, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: dict[int, dict[str, Any]] = field(default_factory=dict)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="default: ../shared/data")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--db", default="test_lifecert_load")
    parser.add_argument("--retirees", type=int, default=8)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--actions", default="blink,turn_left")
    parser.add_argument("--fps", type=int, default=8)
    parser.add_argument("--redis-db", type=int, default=11)
    parser.add_argument(
        "--able-only",
        action="store_true",
        help="enrol only the people whose recordings show every action of --actions "
        "(all flows can pass; fewer identities, clients share them)",
    )
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server")
    parser.add_argument("--json", type=Path)
    return parser.parse_args()


# -- the people and their frames ---------------------------------------------------------------
def load_people(data: Path, count: int, fps: int) -> list[Person]:
    """One person per real identity of ``video/``; where each recording shows each action."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from certify_time import _frames
    from lifecert.face_engine import FaceEngine
    from lifecert.face_engine.liveness.actions import baseline, find_action
    from lifecert.face_engine.liveness.check import load_liveness_thresholds
    from lifecert.face_engine.liveness.signals import track_face
    from lifecert.face_engine.types import ALL_ACTIONS

    engine, limits, people, seen = FaceEngine(), load_liveness_thresholds(), [], set()
    with (data / "video" / "labels.csv").open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["label"] == "real"]
    for row in rows:
        if row["identity"] in seen or len(people) >= count:
            continue
        seen.add(row["identity"])
        clip = _frames(data / "video" / row["file"], fps_out=fps)
        frames = [(engine.decode(b), t) for b, t in clip]
        tracked = [s for s in track_face(frames, engine.detector, engine.landmarker) if s.landmarks]
        if len(tracked) < 10:
            continue
        base = baseline(tracked)
        frontal = sorted(tracked, key=lambda s: abs(s.yaw - base.yaw) + abs(s.pitch - base.pitch))
        reference = next(
            (s.index for s in frontal[:15] if engine.quality(frames[s.index][0]).ok), None
        )
        if reference is None:
            print(f"  {row['file']}: no frame good enough to enrol", file=sys.stderr)
            continue
        segments = {}
        for action in ALL_ACTIONS:
            found = find_action(action, tracked, 0, base, limits)
            if found.passed and found.start_frame is not None:
                segments[action] = found.start_frame
        people.append(Person(row["identity"], [b for b, _ in clip], reference, segments))
    if len(people) < count:
        print(f"only {len(people)} identities in {data / 'video'}", file=sys.stderr)
    return people


def phone_frames(
    person: Person, actions: list[str], fps: int, most: int
) -> tuple[list[bytes], list[int]]:
    """Frames and times (ms) laid out as the phone page films: neutral, then each action."""
    step, frames, times = 1.0 / fps, [], []

    def film(start: int, seconds: float, t0: float) -> float:
        count = round(seconds * fps)
        for k in range(count):
            frames.append(person.frames[(start + k) % len(person.frames)])
            times.append(round((t0 + k * step) * 1000))
        return t0 + count * step

    t = film(max(0, person.neutral - round(NEUTRAL_S * fps) // 2), NEUTRAL_S, 0.0)
    for action in actions:
        start = person.segments.get(action)
        start = person.neutral if start is None else max(0, start - fps // 2)
        t = film(start, 4.5, t + GAP_S)
    return frames[:most], times[:most]


# -- database and server -----------------------------------------------------------------------
def fresh_database(pg: str, name: str) -> str:
    from sqlalchemy import create_engine, text

    admin = create_engine(f"{pg}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{pg}/{name}"


def enrol(url: str, people: list[Person]) -> None:
    """Retirees through the services (consent, then a reference frame of their recording)."""
    from sqlalchemy.orm import Session
    from tests.builders import admin_actor, make_city, make_community

    from lifecert.certification.access import issue_invitation
    from lifecert.core import migrate
    from lifecert.core.db import build_engine
    from lifecert.enrollment import service as enrollment
    from lifecert.enrollment.models import ConsentChannel, TemplateSource
    from lifecert.retirees.idnumber import build_id_number
    from lifecert.retirees.service import NewRetiree, create_retiree

    migrate.upgrade(url=url)
    engine = build_engine(url)
    with Session(engine) as session:
        community = make_community(session, city=make_city(session))
        for k, person in enumerate(people):
            number = build_id_number("430102", date(1940 + k, 3, 1 + k), 11 + k)
            retiree = create_retiree(
                session,
                actor=admin_actor(),
                data=NewRetiree(
                    id_number=number,
                    name=f"压测老人{k + 1}",
                    community_id=community.id,
                    phone=f"1380000{k:04d}",
                ),
            )
            enrollment.record_consent(
                session,
                actor=admin_actor(),
                retiree_id=retiree.id,
                channel=ConsentChannel.COUNTER,
                given_by=person.identity,
            )
            enrollment.enroll_photo(
                session,
                actor=admin_actor(),
                retiree_id=retiree.id,
                image_bytes=person.frames[person.neutral],
                source=TemplateSource.STAFF_CAPTURE,
            )
            person.tokens = [
                issue_invitation(session, actor=None, retiree_id=retiree.id)
                for _ in range(TOKENS_PER_PERSON)
            ]
        session.commit()
    engine.dispose()


def start_server(args: argparse.Namespace, url: str, data_dir: str) -> tuple[Any, str]:
    from tests.web.browser import free_port, uvicorn_command  # the test servers' own helpers

    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "LIFECERT_ENV": "test",
        "LIFECERT_DATABASE_URL": url,
        "LIFECERT_DATA_DIR": data_dir,
        "LIFECERT_LOG_JSON": "true",
        "LIFECERT_QUEUE__INLINE": "false",
        "LIFECERT_QUEUE__BROKER_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "LIFECERT_QUEUE__RESULT_BACKEND": f"redis://127.0.0.1:6379/{args.redis_db}",
        "LIFECERT_CERTIFICATION__FIXED_ACTIONS": json.dumps(args.actions.split(",")),
        "LIFECERT_CERTIFICATION__CAPTURE_FPS": str(args.fps),
        # Each client certifies one person again and again; real people try a few times a day.
        "LIFECERT_CERTIFICATION__MAX_TRIES_PER_DAY": "50",
        "LIFECERT_CERTIFICATION__MAX_HELPER_ATTEMPTS_PER_DAY": "1000000",
        "LIFECERT_WORK__CHALLENGES_PER_DAY": "1000000",  # (issue 16's per-retiree limit)
    }
    env.update(item.split("=", 1) for item in args.env)  # type: ignore[arg-type]
    command = uvicorn_command(port, "--workers", str(args.workers), "--log-level", "warning")
    log = open(Path(data_dir) / "server.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    wait_ready(base, process, Path(data_dir) / "server.log")
    return process, base


def server_cpu_s(process: Any) -> float:
    """CPU seconds (user + system) used so far by the server and its worker processes: a
    figure the other load on a shared machine does not distort."""
    pids = [str(process.pid)]
    pids += subprocess.run(
        ["pgrep", "-P", str(process.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def stop_server(process: Any) -> None:
    """SIGTERM, then SIGKILL to the server and its worker processes if it does not stop (a
    server that hangs under load does not stop politely)."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        children = subprocess.run(
            ["pgrep", "-P", str(process.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        for pid in children:
            subprocess.run(["kill", "-9", pid], check=False)
        process.kill()
        process.wait(timeout=20)
        print("the server did not stop on SIGTERM: killed", file=sys.stderr)


def wait_ready(base: str, process: Any, log: Path) -> None:
    import httpx

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    sys.exit(f"server not healthy after 180 s:\n{log.read_text()[-3000:]}")


# -- the clients -------------------------------------------------------------------------------
def client_loop(base: str, person: Person, deadline: float, results: Results, fps: int) -> None:
    import httpx

    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S, follow_redirects=True) as client:
        while time.monotonic() < deadline:
            try:
                token = person.tokens.pop()  # atomic under the GIL: each link used once
            except IndexError:
                return
            me = threading.get_ident()
            results.in_flight[me] = {"status": -1, "error": "no answer", "start": time.monotonic()}
            client.cookies.clear()  # a phone opening its link: a fresh session per check
            try:
                client.get(f"/m/i/{token}").raise_for_status()
                page = client.get("/m/check")
            except httpx.HTTPError as exc:
                with results.lock:
                    results.in_flight.pop(me, None)
                    results.flows.append({"status": 0, "error": f"login: {exc!r}"[:200]})
                continue
            match = re.search(r'data-csrf="([^"]+)"', page.text)
            csrf = {"X-CSRF-Token": match.group(1) if match else ""}
            results_flow = one_flow(client, csrf, person, fps)
            with results.lock:
                results.in_flight.pop(me, None)
                results.flows.append(results_flow)
            if results_flow["status"] in (429, 503):
                time.sleep(min(5.0, float(results_flow.get("retry_after") or 1)))


def one_flow(client: Any, csrf: dict[str, str], person: Person, fps: int) -> dict[str, Any]:
    import httpx

    flow: dict[str, Any] = {"identity": person.identity, "start": time.monotonic()}
    try:
        answer = client.post("/api/v1/certify/challenge", headers=csrf)
        flow["challenge_ms"] = (time.monotonic() - flow["start"]) * 1000
        if answer.status_code != 200:
            return _refused(flow, answer)
        challenge = answer.json()
        most = int(challenge.get("capture", {}).get("max_frames", 10_000))
        frames, times = phone_frames(person, challenge["actions"], fps, most)
        files = [("frames", (f"f{i}.jpg", b, "image/jpeg")) for i, b in enumerate(frames)]
        sent = time.monotonic()
        answer = client.post(
            "/api/v1/certify/submit",
            headers=csrf,
            data={"nonce": challenge["nonce"], "times": json.dumps(times)},
            files=files,
        )
        flow["end"] = time.monotonic()
        flow["submit_ms"] = (flow["end"] - sent) * 1000
        flow["flow_ms"] = (flow["end"] - flow["start"]) * 1000
        if answer.status_code != 200:
            return _refused(flow, answer)
        flow.update(status=200, outcome=answer.json()["outcome"], frames=len(frames))
    except httpx.HTTPError as exc:
        flow.update(status=0, error=type(exc).__name__, end=time.monotonic())
    return flow


def _refused(flow: dict[str, Any], answer: Any) -> dict[str, Any]:
    flow.update(
        status=answer.status_code,
        retry_after=answer.headers.get("retry-after"),
        error=answer.text[:200],
        end=time.monotonic(),
    )
    return flow


def health_probe(base: str, stop: threading.Event, results: Results) -> None:
    import httpx

    with httpx.Client(base_url=base, timeout=30) as client:
        while not stop.is_set():
            started = time.monotonic()
            try:
                client.get("/api/health")
                results.health.append((started, (time.monotonic() - started) * 1000))
            except httpx.HTTPError:
                results.health.append((started, 30_000.0))
            stop.wait(0.2)


# -- the figures -------------------------------------------------------------------------------
def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * (len(ordered) - 1) + 0.5))]


def _rounded(value: float, digits: int = 0) -> float | None:
    """None where nothing was measured (no decision in the window on a very busy machine)."""
    if math.isnan(value):
        return None
    return round(value, digits) if digits else round(value)


def summarise(args: argparse.Namespace, results: Results, window: tuple[float, float]) -> dict:
    start, end = window
    results.flows.extend(results.in_flight.values())  # never answered: errors
    done = [f for f in results.flows if f.get("status") == 200 and f["end"] <= end]
    refused = [f for f in results.flows if f.get("status") in (429, 503)]
    errors = [f for f in results.flows if f.get("status") not in (200, 429, 503)]
    outcomes: dict[str, int] = {}
    for flow in done:
        outcomes[flow["outcome"]] = outcomes.get(flow["outcome"], 0) + 1
    seconds = end - start
    health = [ms for t, ms in results.health if start <= t <= end]
    submit = [f["submit_ms"] for f in done]
    return {
        "cert_per_s": round(len(done) / seconds, 2),
        "certified_per_s": round(outcomes.get("certified", 0) / seconds, 2),
        "p50_ms": _rounded(percentile(submit, 0.50)),
        "p95_ms": _rounded(percentile(submit, 0.95)),
        "flow_p95_ms": _rounded(percentile([f["flow_ms"] for f in done], 0.95)),
        "errors": len(errors),
        "refused": len(refused),
        "decisions": len(done),
        "outcomes": outcomes,
        "frames_per_check": round(statistics.mean([f["frames"] for f in done]), 1) if done else 0,
        "workers": args.workers,
        "clients": args.clients,
        "cores": os.cpu_count(),
        "seconds": round(seconds, 1),
        "health_p95_ms": _rounded(percentile(health, 0.95), 1),
        "health_max_ms": round(max(health), 1) if health else None,
        "health_probes": len(health),
        "error_samples": [f.get("error") for f in errors[:3]],
    }


def main() -> None:
    args = parse_args()
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "src"))
    load_before = os.getloadavg()
    folder = tempfile.mkdtemp(prefix="lifecert-load-")
    os.environ.update(
        {
            "LIFECERT_DATA_DIR": folder,
            "LIFECERT_ENV": "test",
            "LIFECERT_LOG_JSON": "false",
            "LIFECERT_QUEUE__INLINE": "true",
        }
    )
    print("preparing the people (the recordings at the capture rate) ...", file=sys.stderr)
    from lifecert.face_engine.shared_data import default_data_dir

    people = load_people(args.data or default_data_dir(), args.retirees, args.fps)
    if args.able_only:
        people = [p for p in people if set(args.actions.split(",")) <= set(p.segments)]
        if not people:
            sys.exit(f"no recording shows all of {args.actions}")
    url = fresh_database(args.pg, args.db)
    os.environ["LIFECERT_DATABASE_URL"] = url
    enrol(url, people)
    print(f"{len(people)} retirees enrolled; starting the server ...", file=sys.stderr)
    process, base = start_server(args, url, folder)
    results, stop = Results(), threading.Event()
    try:
        probe = threading.Thread(target=health_probe, args=(base, stop, results), daemon=True)
        probe.start()
        cpu_start = server_cpu_s(process)
        start = time.monotonic()
        deadline = start + args.duration
        clients = [
            threading.Thread(
                target=client_loop,
                args=(base, people[k % len(people)], deadline, results, args.fps),
                daemon=True,
            )
            for k in range(args.clients)
        ]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(timeout=max(0.0, deadline + REQUEST_TIMEOUT_S + 5 - time.monotonic()))
        cpu_used, busy_s = server_cpu_s(process) - cpu_start, time.monotonic() - start
        after = time.monotonic() + 2.0
        while time.monotonic() < after:  # /api/health after the run, too
            time.sleep(0.2)
        stop.set()
        probe.join(timeout=35)
    finally:
        stop_server(process)
    summary = summarise(args, results, (start, deadline))
    answered = sum(1 for f in results.flows if f.get("status") == 200)
    summary["server_cpu_ms_per_decision"] = round(1000 * cpu_used / max(1, answered))
    summary["server_cores_busy"] = round(cpu_used / busy_s, 2)
    summary["cert_per_s_if_cores_free"] = round(
        (os.cpu_count() or 1) * 1000 / max(1, summary["server_cpu_ms_per_decision"]), 2
    )
    summary["load_average_before"] = [round(v, 2) for v in load_before]
    summary["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    summary["health_after_ms"] = [round(ms, 1) for t, ms in results.health if t > deadline][:10]
    summary["identities"] = {p.identity: sorted(p.segments) for p in people}
    print_table(summary)
    if summary["errors"]:
        print(f"server log kept for the errors: {folder}/server.log", file=sys.stderr)
    else:
        shutil.rmtree(folder, ignore_errors=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False))


def print_table(summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    keys = ["cert_per_s", "certified_per_s", "p50_ms", "p95_ms", "flow_p95_ms", "errors",
            "refused", "decisions", "workers", "clients", "cores", "health_p95_ms",
            "frames_per_check"]  # fmt: skip
    table = Table(title="Certifications under load (PostgreSQL, real server, real faces)")
    for key in keys:
        table.add_column(key)
    table.add_row(*(str(summary[k]) for k in keys))
    console = Console(width=200)
    console.print(table)
    console.print(
        f"server CPU per decision {summary['server_cpu_ms_per_decision']} ms, "
        f"{summary['server_cores_busy']} cores busy; all cores for the server: "
        f"~{summary['cert_per_s_if_cores_free']} decisions/s"
    )
    console.print(
        f"outcomes {summary['outcomes']}  load average before "
        f"{summary['load_average_before']} after {summary['load_average_after']}"
    )


if __name__ == "__main__":
    main()
