"""`lifecert face ...`: analyse a photo, compare two photos, check a liveness video.

Human-readable by default (messages in the chosen locale), ``--json`` for machines.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer

from .engine import FaceEngine, default_engine
from .errors import FaceEngineError
from .liveness.challenge import challenge_from_names
from .messages import message
from .types import Embedding, Face, LivenessResult, Quality
from .video import read_video

app = typer.Typer(help="Face engine tools: analyse, compare, liveness.", no_args_is_help=True)


def _engine() -> FaceEngine:
    return default_engine()


def _emit(payload: dict[str, Any], as_json: bool, lines: list[str]) -> None:
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=_plain))
    else:
        typer.echo("\n".join(lines))


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not serialisable: {type(value)}")


def _fail(error: FaceEngineError, as_json: bool) -> None:
    payload = {"error": error.code, "message": error.message}
    _emit(payload, as_json, [f"Error ({error.code}): {error.message}"])
    raise typer.Exit(code=2)


def _face_dict(face: Face | None) -> dict[str, Any] | None:
    return None if face is None else {"bbox": asdict(face.bbox), "score": face.score}


def _quality_dict(quality: Quality, locale: str) -> dict[str, Any]:
    return {
        "ok": quality.ok,
        "reasons": [{"code": r, "message": message(r, locale)} for r in quality.reasons],
        "measures": dict(quality.measures),
        "face": _face_dict(quality.face),
    }


@app.command()
def analyze(
    image: Path = typer.Argument(..., exists=True, dir_okay=False, help="JPEG, PNG or WebP"),
    locale: str = typer.Option("zh-CN", help="message language: zh-CN or en"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
) -> None:
    """Detect faces and check capture quality."""
    engine = _engine()
    try:
        picture = engine.load(image)
    except FaceEngineError as error:
        _fail(error, as_json)
    faces = engine.detect(picture)
    quality = engine.quality(picture)
    payload = {
        "image": str(image),
        "size": list(picture.shape[:2]),
        "faces": len(faces),
        "quality": _quality_dict(quality, locale),
    }
    lines = [f"{image}: {picture.shape[1]}x{picture.shape[0]}, {len(faces)} face(s)"]
    lines.append("quality: OK" if quality.ok else "quality: NOT OK")
    lines += [f"  - {r}: {message(r, locale)}" for r in quality.reasons]
    lines += [f"  {k} = {v}" for k, v in quality.measures]
    _emit(payload, as_json, lines)


@app.command()
def compare(
    first: Path = typer.Argument(..., exists=True, dir_okay=False),
    second: Path = typer.Argument(..., exists=True, dir_okay=False),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
) -> None:
    """Compare the main faces of two photos: distance, similarity and decision band."""
    engine = _engine()
    try:
        a, b = _embed_file(engine, first), _embed_file(engine, second)
        match = engine.compare(a, b)
    except FaceEngineError as error:
        _fail(error, as_json)
    payload = {"first": str(first), "second": str(second), **asdict(match)}
    lines = [
        f"decision: {match.decision.upper()}",
        f"distance {match.distance:.4f} (accept <= {match.thresholds.accept}, "
        f"review <= {match.thresholds.review}), similarity {match.similarity:.4f}",
        f"model: {match.model_id}",
    ]
    _emit(payload, as_json, lines)


def _embed_file(engine: FaceEngine, path: Path) -> Embedding:
    return engine.embed(engine.load(path))


@app.command()
def liveness(
    video: Path = typer.Argument(..., exists=True, dir_okay=False),
    challenge: str = typer.Option(..., help="actions in order, e.g. blink,turn_left"),
    locale: str = typer.Option("zh-CN", help="message language: zh-CN or en"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
) -> None:
    """Check that a video performs the challenge's actions, in order, by one face."""
    engine = _engine()
    try:
        issued = challenge_from_names(challenge)
        result = engine.check_liveness(read_video(video), issued)
    except (FaceEngineError, ValueError) as error:
        code = getattr(error, "code", "bad_challenge")
        _emit({"error": code, "message": str(error)}, as_json, [f"Error ({code}): {error}"])
        raise typer.Exit(code=2) from None
    _emit(asdict(result), as_json, _liveness_lines(result, locale))
    if not result.passed:
        raise typer.Exit(code=1)


def _liveness_lines(result: LivenessResult, locale: str) -> list[str]:
    lines = [
        f"liveness: {'PASSED' if result.passed else 'FAILED'} "
        f"({result.frames_used} frames, challenge {','.join(result.challenge.actions)})"
    ]
    lines += [f"  - {r}: {message(r, locale)}" for r in result.reasons]
    for item in result.evidence:
        where = (
            f"frames {item.start_frame}-{item.end_frame} "
            f"({item.start_time:.2f}s-{item.end_time:.2f}s)"
            if item.passed
            else item.reason
        )
        values = ", ".join(f"{k}={v}" for k, v in item.values)
        lines.append(f"  {item.action}: {'yes' if item.passed else 'no'} {where} [{values}]")
    lines += [f"  {k} = {v}" for k, v in result.checks]
    return lines
