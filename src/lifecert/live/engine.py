"""The streaming engine: nginx with the RTMP module (Debian's ``nginx`` + ``libnginx-mod-rtmp``).

The app writes nginx's whole configuration (``render_config``) and, in the embedded mode
(``lifecert serve --demo``), starts and supervises it (``Supervisor``): a non-daemon nginx with
its own prefix, config, logs, temp folders and pid file under the live work folder, restarted
with a back-off when it dies. Production runs the same config on an ingest node and plain
caching nginx edges in front (docs/live.md).

- RTMP ingest on ``rtmp_port``; ``on_publish`` asks the app (2xx: go on, 403: nginx refuses
  the stream at once), ``on_publish_done`` and ``on_record_done`` tell it the stream ended and
  where the recording is. RTMP playback is denied: viewers get HLS only.
- HLS written to ``hls/<stream>/index.m3u8`` (nested, 2 s fragments); every stream recorded to
  ``recordings/<stream>-<time>.flv``.
- HTTP on ``http_port`` serves ``/hls/...`` (live) and ``/vod/...`` (on-demand lessons) only
  through signed URLs, checked by nginx's ``secure_link`` (MD5 + expiry; see ``live.signing``),
  not by ``auth_request`` to the app: a segment request never touches the app, so 100k
  viewers fetching a segment every 2 s cost the app nothing, and edges can check the same
  signature without calling back either.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from lifecert.core.logging import get_logger
from lifecert.core.settings import Settings
from lifecert.live import signing

log = get_logger("lifecert.live.engine")

STREAM_RE = "s[0-9]+"
_SIG = "(?<sig>[A-Za-z0-9_-]+)/(?<exp>[0-9]+)/(?<viewer>[a-z0-9]+)"


@dataclass(frozen=True)
class EngineConfig:
    work_dir: Path
    rtmp_port: int
    http_port: int
    callback_url: str  # the app, as nginx reaches it
    callback_token: str
    signing_secret: str
    nginx_binary: str = "nginx"
    rtmp_module: Path = Path("/usr/lib/nginx/modules/ngx_rtmp_module.so")
    bind: str = "127.0.0.1"
    workers: int = 1  # one: RTMP live streams are per worker (auto_push needs more setup)

    @property
    def conf_path(self) -> Path:
        return self.work_dir / "conf" / "nginx.conf"

    @property
    def hls_dir(self) -> Path:
        return self.work_dir / "hls"

    @property
    def recordings_dir(self) -> Path:
        return self.work_dir / "recordings"

    @property
    def vod_dir(self) -> Path:
        return self.work_dir / "vod"

    @property
    def error_log(self) -> Path:
        return self.work_dir / "logs" / "error.log"

    @property
    def http_url(self) -> str:
        return f"http://{self.bind}:{self.http_port}"

    @property
    def rtmp_url(self) -> str:
        return f"rtmp://{self.bind}:{self.rtmp_port}/live"


def config_from_settings(settings: Settings) -> EngineConfig:
    live = settings.live
    return EngineConfig(
        work_dir=live_work_dir(settings),
        rtmp_port=live.rtmp_port,
        http_port=live.http_port,
        callback_url=live.callback_url.rstrip("/"),
        callback_token=signing.callback_token(settings),
        signing_secret=signing.signing_secret(settings),
        nginx_binary=live.nginx_binary,
        rtmp_module=live.rtmp_module,
    )


def live_work_dir(settings: Settings) -> Path:
    return settings.live.work_dir or settings.data_dir / "live"


def _callback(cfg: EngineConfig, name: str) -> str:
    return f"{cfg.callback_url}/internal/live/{name}?token={cfg.callback_token}"


def _signed_location(kind: str, root: Path, file_re: str, cfg: EngineConfig) -> str:
    return f"""
        location ~ ^/{kind}/{_SIG}/(?<stream>{STREAM_RE})/(?<file>{file_re})$ {{
            secure_link $sig,$exp;
            secure_link_md5 "$exp $viewer $stream {cfg.signing_secret}";
            if ($secure_link = "") {{ return 403; }}
            if ($secure_link = "0") {{ return 403; }}
            add_header Access-Control-Allow-Origin * always;
            add_header Cache-Control $live_cache always;
            alias {root}/$stream/$file;
        }}"""


def render_config(cfg: EngineConfig) -> str:
    """nginx.conf for ``cfg``: everything under ``cfg.work_dir``, nothing system-wide."""
    w = cfg.work_dir
    user = "user root;\n" if os.geteuid() == 0 else ""  # root (CI): workers stay able to write
    vod_file = r"(?:[A-Za-z0-9_-]+/)?[A-Za-z0-9_-]+\.(?:m3u8|ts)"  # rendition folder (core.hls)
    hls_file = r"[A-Za-z0-9_-]+\.(?:m3u8|ts)"
    hls = _signed_location("hls", cfg.hls_dir, hls_file, cfg)
    vod = _signed_location("vod", cfg.vod_dir, vod_file, cfg)
    return f"""# Written by lifecert.live.engine; edits are overwritten at the next start.
load_module {cfg.rtmp_module};
{user}daemon off;
master_process on;
worker_processes {cfg.workers};
pid {w}/tmp/nginx.pid;
error_log {cfg.error_log} warn;
events {{ worker_connections 8192; }}

rtmp {{
    server {{
        listen {cfg.bind}:{cfg.rtmp_port};
        chunk_size 4096;
        notify_method post;
        application live {{
            live on;
            deny play all;
            drop_idle_publisher 15s;
            on_publish {_callback(cfg, "on_publish")};
            on_publish_done {_callback(cfg, "on_publish_done")};
            on_record_done {_callback(cfg, "on_record_done")};
            hls on;
            hls_path {cfg.hls_dir};
            hls_nested on;
            hls_fragment 2s;
            hls_playlist_length 12s;
            hls_cleanup on;
            record all;
            record_path {cfg.recordings_dir};
            record_unique on;
        }}
    }}
}}

http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {w}/tmp/body;
    proxy_temp_path {w}/tmp/proxy;
    fastcgi_temp_path {w}/tmp/fastcgi;
    uwsgi_temp_path {w}/tmp/uwsgi;
    scgi_temp_path {w}/tmp/scgi;
    types {{
        application/vnd.apple.mpegurl m3u8;
        video/mp2t ts;
    }}
    default_type application/octet-stream;
    # Playlists change every fragment: never cached; segments never change.
    map $uri $live_cache {{
        ~[.]m3u8$ "no-cache";
        default "public, max-age=600";
    }}
    server {{
        listen {cfg.bind}:{cfg.http_port};
        server_tokens off;
        location = /ping {{ return 200 "ok"; }}{hls}{vod}
        location / {{ return 404; }}
    }}
}}
"""


def write_config(cfg: EngineConfig) -> Path:
    for sub in ("conf", "logs", "tmp", "hls", "recordings", "vod"):
        (cfg.work_dir / sub).mkdir(parents=True, exist_ok=True)
    cfg.conf_path.write_text(render_config(cfg), encoding="utf-8")
    cfg.conf_path.chmod(0o600)  # it holds the signing secret
    return cfg.conf_path


def missing(cfg: EngineConfig) -> str:
    """Why the engine cannot start here ("" when it can)."""
    if shutil.which(cfg.nginx_binary) is None:
        return f"{cfg.nginx_binary} not found (apt-get install nginx libnginx-mod-rtmp)"
    if not cfg.rtmp_module.exists():
        return f"{cfg.rtmp_module} not found (apt-get install libnginx-mod-rtmp)"
    return ""


def _listening(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


class Engine:
    """One nginx process for ``cfg`` (non-daemon, so its lifetime is ours)."""

    def __init__(self, cfg: EngineConfig) -> None:
        self.cfg = cfg
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, timeout_s: float = 20.0) -> None:
        problem = missing(self.cfg)
        if problem:
            raise RuntimeError(problem)
        write_config(self.cfg)
        binary = shutil.which(self.cfg.nginx_binary) or self.cfg.nginx_binary
        self.process = subprocess.Popen(
            [binary, "-p", str(self.cfg.work_dir), "-c", str(self.cfg.conf_path),
             "-e", str(self.cfg.error_log)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C in the terminal reaches the app, which stops us
        )
        deadline = time.monotonic() + timeout_s
        while not (_listening(self.cfg.bind, self.cfg.http_port)
                   and _listening(self.cfg.bind, self.cfg.rtmp_port)):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"nginx did not start: {self.log_tail()}")
            time.sleep(0.1)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout_s: float = 10.0) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)  # fast shutdown: master stops its workers
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=timeout_s)

    def log_tail(self, size: int = 2000) -> str:
        try:
            return self.cfg.error_log.read_text(errors="replace")[-size:]
        except OSError:
            return ""


class Supervisor:
    """Keeps an :class:`Engine` running: restarts it when it exits, backing off to a minute."""

    def __init__(self, cfg: EngineConfig) -> None:
        self.engine = Engine(cfg)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lifecert-live-engine", daemon=True)

    def start(self) -> None:
        self.engine.start()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.engine.stop()

    def _run(self) -> None:
        delay = 1.0
        while not self._stop.wait(1.0):
            if self.engine.running():
                delay = 1.0
                continue
            log.warning("live_engine_exited", log=self.engine.log_tail(500))
            if self._stop.wait(delay):
                return
            try:
                self.engine.start()
            except RuntimeError as exc:
                log.warning("live_engine_restart_failed", error=str(exc)[:300])
                delay = min(delay * 2, 60.0)


def start_embedded(settings: Settings) -> Supervisor | None:
    """``lifecert serve --demo``: start and supervise the engine when ``live.engine`` is on. When
    nginx or its RTMP module is missing, say so clearly; the rest of the platform runs on."""
    if not settings.live.engine:
        return None
    cfg = config_from_settings(settings)
    problem = missing(cfg)
    if problem:
        print(f"Live streaming is off: {problem}. Everything else runs.", flush=True)
        log.warning("live_engine_missing", problem=problem)
        return None
    supervisor = Supervisor(cfg)
    try:
        supervisor.start()
    except RuntimeError as exc:
        print(f"Live streaming is off: {exc}. Everything else runs.", flush=True)
        log.warning("live_engine_failed", error=str(exc)[:300])
        return None
    print(f"Live engine (nginx-rtmp): OBS server {cfg.rtmp_url}, HLS {cfg.http_url}, "
          f"config {cfg.conf_path}", flush=True)
    return supervisor
