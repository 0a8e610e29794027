from __future__ import annotations

import pytest
from pydantic import ValidationError

from lifecert.core.settings import DEV_SECRET, Settings


@pytest.fixture(autouse=True)
def _no_test_face_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    # The suite runs with a fake face engine configured through the environment.
    import os

    for name in [n for n in os.environ if n.startswith("LIFECERT_FACE__")]:
        monkeypatch.delenv(name)


def _production(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "env": "production",
        "secret_key": "s" * 40,
        "data_key": "d" * 40,
        "database_url": "postgresql://lifecert@db/lifecert",
        "queue": {"inline": False},
        "sms": {"gateway": "http", "http_url": "https://sms.example.invalid/send"},
    }
    values.update(overrides)
    return values


def test_safe_production_settings_are_accepted() -> None:
    settings = Settings(**_production())  # type: ignore[arg-type]
    assert settings.effective_database_url.startswith("postgresql+psycopg://")


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"secret_key": DEV_SECRET}, "LIFECERT_SECRET_KEY"),
        ({"data_key": ""}, "LIFECERT_DATA_KEY"),
        ({"face": {"embedder": "fake"}}, "fake face backend"),
        ({"face": {"detector": "fake"}}, "fake face backend"),
        ({"database_url": "sqlite:///x.db"}, "PostgreSQL"),
        ({"queue": {"inline": True}}, "real queue"),
        ({"sms": {"gateway": "dev"}}, "SMS gateway"),
        ({"certification": {"fixed_actions": ["blink"]}}, "tests only"),
        ({"data_key": "s" * 40}, "LIFECERT_DATA_KEY must differ"),
        ({"sms": {"gateway": "http", "http_url": " "}}, "LIFECERT_SMS__HTTP_URL is empty"),
    ],
)
def test_unsafe_production_values_are_refused(override: dict[str, object], complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        Settings(**_production(**override))  # type: ignore[arg-type]


def test_dev_allows_defaults_and_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIFECERT_ENV", "dev")
    monkeypatch.setenv("LIFECERT_FACE__EMBEDDER", "fake")
    monkeypatch.setenv("LIFECERT_CERTIFICATION__CYCLE_DAYS", "180")
    monkeypatch.delenv("LIFECERT_DATABASE_URL", raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.face.embedder == "fake"
    assert settings.certification.cycle_days == 180
    assert settings.effective_database_url.startswith("sqlite:///")


def test_production_refusal_applies_to_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LIFECERT_ENV", "production")
    with pytest.raises(ValidationError, match="unsafe production settings"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_dotenv_file_is_read(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    env_file = Path(str(tmp_path)) / ".env"
    env_file.write_text("LIFECERT_RETENTION__RAW_PHOTO_DAYS=3\n")
    settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
    assert settings.retention.raw_photo_days == 3


def test_cross_age_adaptation_is_opt_in_and_changes_the_model_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lifecert.core import faces
    from lifecert.core.settings import get_settings

    def model_id() -> str:
        get_settings.cache_clear()
        faces._configured_engine.cache_clear()
        try:
            return faces.get_face_engine().model_id
        finally:
            get_settings.cache_clear()
            faces._configured_engine.cache_clear()

    monkeypatch.setattr(faces, "_override", None)
    assert model_id() == "dlib-resnet-v1+jitter6"
    monkeypatch.setenv("LIFECERT_FACE__ADAPTATION", "+xage1")
    assert model_id() == "dlib-resnet-v1+jitter6+xage1"
    with pytest.raises(ValidationError):
        Settings(face={"adaptation": "+xage9"})  # type: ignore[arg-type]


@pytest.mark.parametrize("url", ["postgresql://lifecert@db/lifecert", "postgresql://db/pension"])
def test_test_mode_is_refused_on_a_database_that_is_not_a_test_one(url: str) -> None:
    # env=test skips the production checks and shows /m/sms: never against real data.
    with pytest.raises(ValidationError, match="LIFECERT_ENV=test is for test databases"):
        Settings(env="test", database_url=url)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url", ["", "sqlite:///x.db", "postgresql://postgres@127.0.0.1:5432/test_h17b"]
)
def test_test_mode_runs_on_test_databases(url: str) -> None:
    assert Settings(env="test", database_url=url).env == "test"  # type: ignore[arg-type]


def test_each_unsafe_value_gets_its_own_message() -> None:
    with pytest.raises(ValidationError) as error:
        Settings(**_production(data_key="s" * 40, sms={"gateway": "http", "http_url": ""}))  # type: ignore[arg-type]
    text = str(error.value)
    assert "LIFECERT_DATA_KEY must differ" in text and "LIFECERT_SMS__HTTP_URL is empty" in text
