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
    embedder: str = "dlib_resnet"
    liveness: str = "active"
    threads: int = Field(default=1, ge=1, le=64)
    max_image_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    max_image_pixels: int = Field(default=24_000_000, ge=10_000)


class RetentionSettings(BaseModel):
    """How long sensitive artefacts are kept (days)."""

    raw_photo_days: int = Field(default=30, ge=0)
    challenge_frames_days: int = Field(default=7, ge=0)
    audit_log_days: int = Field(default=3650, ge=365)


class CertificationSettings(BaseModel):
    cycle_days: int = Field(default=365, ge=30, le=1100)
    due_soon_days: int = Field(default=30, ge=1, le=180)
    grace_days: int = Field(default=60, ge=0, le=365)
    # A verified certification adds its live face as a fresh template (old ID photos age badly).
    add_fresh_template: bool = True


class QueueSettings(BaseModel):
    # Inline ("eager") runs tasks in the caller's process: the embedded single-machine mode.
    inline: bool = True
    broker_url: str = "redis://127.0.0.1:6379/0"
    result_backend: str = "redis://127.0.0.1:6379/1"


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
    session_max_age_s: int = Field(default=8 * 3600, ge=300)
    log_json: bool = True
    face: FaceSettings = FaceSettings()
    retention: RetentionSettings = RetentionSettings()
    certification: CertificationSettings = CertificationSettings()
    queue: QueueSettings = QueueSettings()

    @model_validator(mode="after")
    def _refuse_unsafe_production_values(self) -> Settings:
        if self.env == Environment.DEV or self.env == Environment.TEST:
            return self
        problems = []
        if self.secret_key.get_secret_value() in ("", DEV_SECRET):
            problems.append("LIFECERT_SECRET_KEY is the development default")
        if not self.data_key.get_secret_value():
            problems.append("LIFECERT_DATA_KEY is not set")
        if any(str(name).startswith("fake") for name in self.face.model_dump().values()):
            problems.append("the fake face backend cannot run in production")
        if not self.database_url or self.database_url.startswith("sqlite"):
            problems.append("production needs LIFECERT_DATABASE_URL pointing at PostgreSQL")
        if self.queue.inline:
            problems.append("production needs a real queue (LIFECERT_QUEUE__INLINE=false)")
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


@lru_cache
def get_settings() -> Settings:
    return Settings()
