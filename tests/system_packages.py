"""Debian packages the tests need (Chromium, FFmpeg, nginx with RTMP): found on the PATH,
installed with apt-get when missing and allowed (root, as in CI), else a skip that says how."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def _apt_install(*packages: str) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # Wait for the package lock rather than fail: another test run may be installing too.
    wait = ["-o", "DPkg::Lock::Timeout=600"]
    subprocess.run(["apt-get", *wait, "update", "-qq"], env=env, capture_output=True,
                   timeout=900)
    subprocess.run(["apt-get", *wait, "install", "-y", "-qq", *packages], env=env,
                   capture_output=True, timeout=1500)


def debian_binary(binary: str, *packages: str, path: str | None = None) -> str:
    """The executable ``binary`` (or the file at ``path`` when given), installing ``packages``
    (default: a package named like the binary) when it is missing and apt-get may run."""

    def found() -> str | None:
        if path is not None:
            return path if Path(path).exists() else None
        return shutil.which(binary)

    if found() is None and os.geteuid() == 0 and shutil.which("apt-get"):
        _apt_install(*(packages or (binary,)))
    result = found()
    if result is None:
        names = " ".join(packages or (binary,))
        pytest.skip(f"{binary} is missing and could not be installed: apt-get install {names}")
    return result
