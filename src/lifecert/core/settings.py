"""Settings from the environment (``LIFECERT_`` prefix, ``.env`` supported).

Nested groups use ``__``: ``LIFECERT_FACE__EMBEDDER=onnx-resnet``.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-insecure-secret-change-me"
REPO_ROOT = Path(__file__).resolve().parents[3]


class Environment(StrEnum):
    DEV = "dev"
    TEST = "test"
    PRODUCTION = "production"


class FaceSettings(BaseModel):
    """Backend names as registered in the face engine (``lifecert.face_engine.registry``)."""

    detector: str = "blazeface"
    fallback_detector: str = "dlib_hog"
    landmarker: str = "facemesh"
    aligner: str = "dlib5"
    embedder: str = "onnx_resnet"
    liveness: str = "active"
    # Test-time views averaged into a descriptor ("none", "flip", "jitter6"); empty: engine default.
    augment: str = ""
    # Cross-age metric on top of the descriptors ("+xage1"; empty: off). Changes the model id,
    # so switching it needs re-enrolment of templates (see face_engine/README.md, issue 8).
    adaptation: str = Field(default="", pattern=r"^(\+xage1)?$")
    threads: int = Field(default=1, ge=1, le=64)
    max_image_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    # A phone selfie is at most ~12 MP; checked from the image header, before decoding.
    max_image_pixels: int = Field(default=12_000_000, ge=10_000)
    max_image_side: int = Field(default=4096, ge=64)


class RetentionSettings(BaseModel):
    """How long sensitive artefacts are kept (days)."""

    raw_photo_days: int = Field(default=30, ge=0)
    challenge_frames_days: int = Field(default=7, ge=0)
    audit_log_days: int = Field(default=3650, ge=365)
    # Uploaded rosters, death lists and photo ZIPs: deleted this many days after their import
    # finished (0: as soon as it finishes); the job row and its error report stay.
    import_upload_days: int = Field(default=7, ge=0, le=365)


class CertificationSettings(BaseModel):
    cycle_days: int = Field(default=365, ge=30, le=1100)
    due_soon_days: int = Field(default=30, ge=1, le=180)
    grace_days: int = Field(default=60, ge=0, le=365)
    # A verified certification adds its live face as a fresh template (old ID photos age badly).
    add_fresh_template: bool = True
    max_tries_per_day: int = Field(default=5, ge=1, le=50)
    challenge_ttl_s: int = Field(default=180, ge=30, le=1800)
    max_frames: int = Field(default=160, ge=5, le=600)
    # The frame budget (issue 16): the phone captures at ``capture_fps`` for ``neutral_ms`` and
    # ``action_ms`` per action; a challenge states the frames it may send (and no more are
    # accepted). The server measures landmarks on every ``landmark_stride``-th frame, then fills
    # in the frames around a possible blink (see face_engine/liveness/plan.py).
    capture_fps: int = Field(default=8, ge=4, le=15)
    neutral_ms: int = Field(default=1500, ge=500, le=5000)
    action_ms: int = Field(default=4500, ge=1500, le=10000)
    landmark_stride: int = Field(default=2, ge=1, le=4)
    max_frame_bytes: int = Field(default=300 * 1024, ge=10 * 1024)
    max_elders_per_helper: int = Field(default=8, ge=1, le=50)
    max_helper_attempts_per_day: int = Field(default=30, ge=1)
    invitation_ttl_hours: int = Field(default=72, ge=1, le=24 * 14)  # one check, then spent
    # Template refresh: at most this many certification faces kept beside enrolled ones, and
    # only from a clean pass closer than (1 - margin) × the model's accept distance.
    refresh_max_templates: int = Field(default=4, ge=0, le=20)
    refresh_margin: float = Field(default=0.15, ge=0.0, le=1.0)
    # Browser tests play a recorded video as the camera, so they need a known challenge.
    # Predictable challenges defeat liveness: refused outside dev and test.
    fixed_actions: list[str] = []


class FraudSettings(BaseModel):
    """Fraud detection: the 1:N face index and the registry rules (every threshold explainable)."""

    # Galleries up to this size are searched exactly (IndexFlatL2); larger ones with IVF + re-rank.
    index_exact_max: int = Field(default=50_000, ge=0)
    # IVF lists scanned per query (of ~sqrt(n)); 128 of 1000 at 1M keeps top-1 = exact >= 99%.
    index_nprobe: int = Field(default=128, ge=1, le=4096)
    # Candidates fetched from the approximate index per wanted result, then re-ranked exactly.
    index_refine_factor: int = Field(default=16, ge=1, le=100)
    # How many retirees may share one phone number / one pension account before an alert.
    shared_phone_min: int = Field(default=3, ge=2)
    shared_account_min: int = Field(default=2, ge=2)
    # Certification behaviour (helpers are where insider fraud happened), over a sliding window.
    behaviour_window_days: int = Field(default=7, ge=1, le=90)
    helper_max_retirees: int = Field(default=8, ge=1)  # a family helps a handful of elders
    device_max_retirees: int = Field(default=15, ge=1)
    ip_max_retirees: int = Field(default=40, ge=1)
    # A worker is an outlier above this multiple of the median of workers with assisted checks.
    worker_outlier_factor: float = Field(default=3.0, ge=1.5)
    worker_outlier_min: int = Field(default=20, ge=1)
    burst_count: int = Field(default=10, ge=2)  # this many checks by one helper ...
    burst_minutes: int = Field(default=15, ge=1)  # ... within this many minutes
    night_start_hour: int = Field(default=0, ge=0, le=23)  # local time (Asia/Shanghai)
    night_end_hour: int = Field(default=5, ge=1, le=24)


class SmsSettings(BaseModel):
    # "dev" writes messages to the log and the /dev/sms page; "http" posts to a gateway.
    gateway: str = "dev"
    http_url: str = ""
    http_token: SecretStr = SecretStr("")
    sender_name: str = "社保认证"


class QueueSettings(BaseModel):
    # Inline ("eager") runs tasks in the caller's process: the embedded single-machine mode.
    inline: bool = True
    broker_url: str = "redis://127.0.0.1:6379/0"
    result_backend: str = "redis://127.0.0.1:6379/1"


class DemoSettings(BaseModel):
    # `lifecert serve --demo` turns both on. The periodic jobs then run inside the web process
    # (a beat loop calling the same task code inline), and platform admins may move a demo
    # clock forward to see reminders, overdue and suspensions happen. Never in production.
    scheduler: bool = False
    clock: bool = False
class WorkSettings(BaseModel):
    """The face-work pool (``core.workpool``) and the limits that protect the server."""

    workers: int = Field(default=0, ge=0, le=256)  # 0: one per core
    queue: int = Field(default=-1, ge=-1, le=10_000)  # -1: four waiting places per worker
    retry_after_s: int = Field(default=3, ge=1, le=600)
    # Client addresses: X-Forwarded-For is believed only from these peers (IPs or networks).
    trusted_proxies: list[str] = []
    # Failed logins per account (and per account + client address) before a lock.
    login_max_failures: int = Field(default=5, ge=1, le=100)
    # The first lock; each further lock doubles it, up to the maximum (also the window).
    login_lock_s: int = Field(default=60, ge=1)
    login_lock_max_s: int = Field(default=900, ge=1)
    # Wrong SMS codes per code; logins and code requests per client address per minute;
    # challenges per retiree per day.
    code_max_attempts: int = Field(default=5, ge=1, le=50)
    ip_requests_per_minute: int = Field(default=60, ge=1)
    challenges_per_day: int = Field(default=50, ge=1)
    # Request bodies: the default cap, and the cap for ZIP archives of ID photos.
    max_body_bytes: int = Field(default=210 * 1024 * 1024, ge=1024 * 1024)
    max_archive_bytes: int = Field(default=2 * 1024**3, ge=1024 * 1024)


class LiveSettings(BaseModel):
    """The streaming engine (nginx + RTMP module, see docs/live.md and ``live.engine``)."""

    # `lifecert serve --demo` turns this on: the app then starts and supervises nginx itself.
    engine: bool = False
    nginx_binary: str = "nginx"
    rtmp_module: Path = Path("/usr/lib/nginx/modules/ngx_rtmp_module.so")
    rtmp_port: int = Field(default=1935, ge=1, le=65535)
    http_port: int = Field(default=8089, ge=1, le=65535)
    # Engine config, HLS output, recordings, on-demand lessons; default: <data_dir>/live.
    work_dir: Path | None = None
    # How viewers reach HLS (an edge cache or the load balancer in production); default: the
    # embedded engine's HTTP port on this host. What the host's OBS connects to, likewise.
    public_hls_url: str = ""
    public_rtmp_url: str = ""
    # Where the engine calls the app back (on_publish...): the app's own address.
    callback_url: str = "http://127.0.0.1:8000"
    # Secret shared with the engine's secure_link; default derived from secret_key.
    signing_secret: SecretStr = SecretStr("")
    play_url_ttl_s: int = Field(default=300, ge=30, le=3600)
    # A host may start this long before the scheduled start (sound check) and stream until
    # the scheduled end plus the same margin.
    publish_margin_s: int = Field(default=900, ge=0, le=7200)
    transcode_timeout_s: int = Field(default=1800, ge=10)
    # Questions: at most this many per viewer per minute.
    questions_per_minute: int = Field(default=3, ge=1, le=60)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LIFECERT_",
        env_file=".env",
        env_nested_delimiter="__",
        extra="ignore",
    )

    env: Environment = Environment.DEV
    database_url: str = ""
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    # Separate secret for field encryption of ID numbers and biometric templates.
    data_key: SecretStr = SecretStr("")
    # Older data keys, still able to decrypt until `lifecert keys rotate` has re-encrypted.
    previous_data_keys: list[SecretStr] = []
    data_dir: Path = REPO_ROOT / "var"
    shared_data_dir: Path = REPO_ROOT.parent / "shared" / "data"
    default_locale: str = "zh_CN"
    # The region's time zone: the "today" of the cycle, dates and times on every page.
    timezone: str = "Asia/Shanghai"
    session_max_age_s: int = Field(default=8 * 3600, ge=300)
    # Bearer token for /metrics; without one /metrics is served only in dev and test.
    metrics_token: SecretStr = SecretStr("")
    log_json: bool = True
    face: FaceSettings = FaceSettings()
    retention: RetentionSettings = RetentionSettings()
    certification: CertificationSettings = CertificationSettings()
    queue: QueueSettings = QueueSettings()
    sms: SmsSettings = SmsSettings()
    fraud: FraudSettings = FraudSettings()
    demo: DemoSettings = DemoSettings()
    work: WorkSettings = WorkSettings()
    live: LiveSettings = LiveSettings()

    @model_validator(mode="after")
    def _refuse_unsafe_production_values(self) -> Settings:
        if self.env == Environment.TEST and not _is_test_database(self.database_url):
            raise ValueError(
                "LIFECERT_ENV=test is for test databases only (SQLite, or a PostgreSQL database "
                "whose name starts with 'test'); set LIFECERT_ENV=production"
            )
        if self.env == Environment.DEV or self.env == Environment.TEST:
            return self
        problems = []
        secret = self.secret_key.get_secret_value()
        if secret and self.data_key.get_secret_value() == secret:
            problems.append("LIFECERT_DATA_KEY must differ from LIFECERT_SECRET_KEY")
        if self.sms.gateway == "http" and not self.sms.http_url.strip():
            problems.append("LIFECERT_SMS__HTTP_URL is empty")
        if self.secret_key.get_secret_value() in ("", DEV_SECRET):
            problems.append("LIFECERT_SECRET_KEY is the development default")
        if not self.data_key.get_secret_value():
            problems.append("LIFECERT_DATA_KEY is not set")
        if any(str(name).startswith("fake") for name in self.face.model_dump().values()):
            problems.append("the fake face backend cannot run in production")
        if not self.database_url or self.database_url.startswith("sqlite"):
            problems.append("production needs LIFECERT_DATABASE_URL pointing at PostgreSQL")
        if self.sms.gateway == "dev":
            problems.append("production needs a real SMS gateway (LIFECERT_SMS__GATEWAY=http)")
        if self.certification.fixed_actions:
            problems.append("fixed liveness challenges are for tests only")
        if self.queue.inline:
            problems.append("production needs a real queue (LIFECERT_QUEUE__INLINE=false)")
        if self.demo.scheduler or self.demo.clock:
            problems.append("the demo scheduler and demo clock are for the demo only")
        if problems:
            raise ValueError("unsafe production settings: " + "; ".join(problems))
        return self

    @property
    def effective_database_url(self) -> str:
        url = self.database_url or f"sqlite:///{self.data_dir / 'lifecert.sqlite3'}"
        # Accept the plain libpq form that operators paste; we drive it with psycopg 3.
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url

    @property
    def is_dev(self) -> bool:
        return self.env != Environment.PRODUCTION


def _is_test_database(url: str) -> bool:
    if not url or url.startswith("sqlite"):
        return True
    name = url.rsplit("/", 1)[-1].split("?", 1)[0]
    return name.startswith("test")


@lru_cache
def get_settings() -> Settings:
    return Settings()
