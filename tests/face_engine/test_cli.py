import json

from typer.testing import CliRunner

from lifecert.face_engine import FaceEngine, FaceEngineConfig, set_default_engine
from lifecert.face_engine.cli import app

from .helpers import data_dir


def test_compare_and_analyze_with_fake_engine(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import numpy as np
    from PIL import Image

    picture = np.random.default_rng(5).integers(0, 255, (120, 100, 3), dtype=np.uint8)
    path = tmp_path / "a.png"
    Image.fromarray(picture).save(path)
    set_default_engine(FaceEngine(FaceEngineConfig.fake()))
    try:
        runner = CliRunner()
        result = runner.invoke(app, ["compare", str(path), str(path), "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["decision"] == "accept"
        result = runner.invoke(app, ["analyze", str(path), "--locale", "en"])
        assert result.exit_code == 0 and "1 face(s)" in result.output
    finally:
        set_default_engine(None)


def test_cli_refuses_a_text_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "note.jpg"
    path.write_text("not an image")
    result = CliRunner().invoke(app, ["analyze", str(path), "--json"])
    assert result.exit_code == 2
    assert json.loads(result.output)["error"] == "unsupported_format"


def test_liveness_command_on_real_video() -> None:
    video = data_dir() / "video" / "static_real.mp4"
    result = CliRunner().invoke(
        app, ["liveness", str(video), "--challenge", "turn_left,blink", "--locale", "en"]
    )
    assert result.exit_code == 1
    assert "FAILED" in result.output and "turn_left: no" in result.output
