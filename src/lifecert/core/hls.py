"""Video to adaptive HLS with FFmpeg: one master playlist over several renditions (a phone on a
weak mobile link picks the low one), fixed-length segments. Used for recorded and uploaded
lessons; the live engine's recordings go through it too."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Rendition:
    height: int  # pixels; width follows the source's aspect ratio (even)
    video_kbps: int
    audio_kbps: int = 64


# A phone on 4G and a phone on a weak link; both small enough for a 2-core edge to serve.
DEFAULT_RENDITIONS: tuple[Rendition, ...] = (Rendition(360, 800, 96), Rendition(240, 300, 48))


class TranscodeError(RuntimeError):
    """FFmpeg is missing, failed, or ran out of time; the message says which."""


def _ffmpeg_args(
    source: Path, out_dir: Path, renditions: Sequence[Rendition], segment_s: int, audio: bool
) -> list[str]:
    count = len(renditions)
    split = f"[0:v]split={count}" + "".join(f"[v{i}]" for i in range(count))
    scales = [f"[v{i}]scale=-2:{r.height}[v{i}o]" for i, r in enumerate(renditions)]
    args = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i", str(source),
            "-filter_complex", ";".join([split, *scales])]
    for i, r in enumerate(renditions):
        args += ["-map", f"[v{i}o]"]
        args += [f"-c:v:{i}", "libx264", f"-b:v:{i}", f"{r.video_kbps}k",
                 f"-maxrate:v:{i}", f"{int(r.video_kbps * 1.2)}k",
                 f"-bufsize:v:{i}", f"{r.video_kbps * 2}k"]
        if audio:
            args += ["-map", "0:a:0", f"-c:a:{i}", "aac", f"-b:a:{i}", f"{r.audio_kbps}k"]
    keyint = f"expr:gte(t,n_forced*{segment_s})"
    streams = " ".join(f"v:{i},a:{i}" if audio else f"v:{i}" for i in range(count))
    # yuv420p: phones and browsers decode no other (a screen capture may come as 4:4:4).
    return [*args, "-pix_fmt", "yuv420p", "-preset", "veryfast", "-force_key_frames", keyint,
            *(["-ac", "2"] if audio else []),
            "-f", "hls", "-hls_time", str(segment_s), "-hls_playlist_type", "vod",
            "-hls_segment_filename", str(out_dir / "v%v" / "seg_%04d.ts"),
            "-master_pl_name", "master.m3u8", "-var_stream_map", streams,
            str(out_dir / "v%v" / "index.m3u8")]


def _has_audio(source: Path) -> bool:
    probe = shutil.which("ffprobe")
    if probe is None:
        return True
    result = subprocess.run(
        [probe, "-v", "error", "-select_streams", "a", "-show_entries", "stream=index",
         "-of", "csv=p=0", str(source)], capture_output=True, timeout=60, check=False,
    )
    return bool(result.stdout.strip())


def transcode_to_hls(
    source: Path,
    out_dir: Path,
    *,
    renditions: Sequence[Rendition] = DEFAULT_RENDITIONS,
    segment_s: int = 4,
    timeout_s: float = 1800.0,
) -> Path:
    """Write ``out_dir/master.m3u8`` and ``out_dir/v<i>/index.m3u8`` + segments for ``source``;
    returns the master playlist. Raises :class:`TranscodeError` with FFmpeg's own words."""
    if shutil.which("ffmpeg") is None:
        raise TranscodeError("ffmpeg is not installed (apt-get install ffmpeg)")
    if not renditions:
        raise TranscodeError("no renditions asked for")
    if not source.is_file():
        raise TranscodeError(f"no such video: {source}")
    for i in range(len(renditions)):
        (out_dir / f"v{i}").mkdir(parents=True, exist_ok=True)
    # var_stream_map must not name audio that is not there (a silent screen recording).
    args = _ffmpeg_args(source, out_dir, renditions, segment_s, _has_audio(source))
    try:
        result = subprocess.run(args, capture_output=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as exc:
        raise TranscodeError(f"ffmpeg ran longer than {timeout_s:.0f} s on {source.name}") from exc
    master = out_dir / "master.m3u8"
    if result.returncode != 0 or not master.is_file():
        detail = result.stderr.decode(errors="replace").strip()[-500:]
        raise TranscodeError(f"ffmpeg failed on {source.name} ({result.returncode}): {detail}")
    return master

