"""Video to HLS with FFmpeg (the system package): several bitrates under one master playlist,
so a phone on a weak connection plays the low one. Used by recorded lessons (``academy``) and
by live recordings; callers run it in a job, never in a request."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MASTER = "master.m3u8"


class TranscodeError(RuntimeError):
    """FFmpeg is missing, the source is not a video, or the transcode failed or timed out."""


@dataclass(frozen=True)
class Rendition:
    name: str  # folder and variant name: "360p"
    height: int
    video_kbps: int
    audio_kbps: int = 64


DEFAULT_RENDITIONS = (Rendition("360p", 360, 800), Rendition("240p", 240, 300, 48))


def _binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise TranscodeError(f"{name} is not installed (Debian package: ffmpeg).")
    return path


def probe(source: Path, *, timeout_s: float = 60.0) -> dict[str, object]:
    """Duration (s) and whether the file has an audio stream, read by ffprobe."""
    try:
        out = subprocess.run(
            [_binary("ffprobe"), "-v", "error", "-show_entries",
             "format=duration:stream=codec_type", "-of", "json", str(source)],
            capture_output=True, timeout=timeout_s, check=True, text=True)
    except subprocess.CalledProcessError as exc:
        raise TranscodeError(f"Not a video FFmpeg can read: {exc.stderr.strip()[-300:]}") from exc
    except subprocess.TimeoutExpired as exc:
        raise TranscodeError("Reading the video took too long.") from exc
    info = json.loads(out.stdout or "{}")
    kinds = [s.get("codec_type") for s in info.get("streams", [])]
    if "video" not in kinds:
        raise TranscodeError("The file has no video stream.")
    duration = float(info.get("format", {}).get("duration") or 0.0)
    return {"duration_s": duration, "audio": "audio" in kinds}


def _command(source: Path, out_dir: Path, renditions: Sequence[Rendition], segment_s: int,
             audio: bool) -> list[str]:
    n = len(renditions)
    split = f"[0:v]split={n}" + "".join(f"[v{i}]" for i in range(n))
    scales = [f"[v{i}]scale=-2:{r.height}[o{i}]" for i, r in enumerate(renditions)]
    cmd = [_binary("ffmpeg"), "-nostdin", "-y", "-v", "error", "-i", str(source),
           "-filter_complex", ";".join([split, *scales])]
    streams = []
    for i, r in enumerate(renditions):
        cmd += ["-map", f"[o{i}]"]
        cmd += [f"-b:v:{i}", f"{r.video_kbps}k", f"-maxrate:v:{i}", f"{int(r.video_kbps * 1.2)}k",
                f"-bufsize:v:{i}", f"{r.video_kbps * 2}k"]
        stream = f"v:{i}"
        if audio:
            cmd += ["-map", "0:a:0", f"-b:a:{i}", f"{r.audio_kbps}k"]
            stream += f",a:{i}"
        streams.append(f"{stream},name:{r.name}")
    cmd += ["-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-pix_fmt", "yuv420p",
            # a key frame at every segment start, so each rendition switches cleanly
            "-force_key_frames", f"expr:gte(t,n_forced*{segment_s})", "-sc_threshold", "0"]
    if audio:
        cmd += ["-c:a", "aac", "-ac", "2"]
    cmd += ["-f", "hls", "-hls_time", str(segment_s), "-hls_playlist_type", "vod",
            "-hls_segment_filename", str(out_dir / "%v" / "seg_%03d.ts"),
            "-master_pl_name", MASTER, "-var_stream_map", " ".join(streams),
            str(out_dir / "%v" / "index.m3u8")]
    return cmd


def transcode_to_hls(
    source: Path, out_dir: Path, *, renditions: Sequence[Rendition] = DEFAULT_RENDITIONS,
    segment_s: int = 4, timeout_s: float = 1800.0,
) -> Path:
    """Transcode ``source`` into ``out_dir`` (one folder per rendition, ``master.m3u8`` on
    top) and return the master playlist's path. Raises :class:`TranscodeError` on failure."""
    if not renditions:
        raise TranscodeError("At least one rendition is needed.")
    if not source.is_file():
        raise TranscodeError(f"No such file: {source}")
    info = probe(source)
    out_dir.mkdir(parents=True, exist_ok=True)
    for r in renditions:
        (out_dir / r.name).mkdir(exist_ok=True)
    cmd = _command(source, out_dir, renditions, segment_s, bool(info["audio"]))
    try:
        subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=True, text=True)
    except subprocess.CalledProcessError as exc:
        raise TranscodeError(f"FFmpeg failed: {exc.stderr.strip()[-500:]}") from exc
    except subprocess.TimeoutExpired as exc:
        raise TranscodeError(f"FFmpeg did not finish within {timeout_s:.0f} s.") from exc
    master = out_dir / MASTER
    if not master.is_file():
        raise TranscodeError("FFmpeg wrote no master playlist.")
    return master
