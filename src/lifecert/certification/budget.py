"""The frame budget of a face check (issue 16): what the phone may send, and no more.

The challenge states the capture plan (frames a second, how long to film, the most frames) and
the phone page obeys it; a submit with more frames than its challenge allows is refused. The
server then measures only the frames that carry evidence (see face_engine/liveness/plan.py and
face_engine/memo.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from lifecert.certification.models import ChallengeSession
from lifecert.core.errors import PayloadTooLarge
from lifecert.core.settings import get_settings


def frames_allowed(actions: Sequence[str]) -> int:
    """How many frames a challenge may send: its capture plan at the stated rate, plus a few
    for timer jitter, never above the absolute ``max_frames``."""
    limits = get_settings().certification
    seconds = (limits.neutral_ms + len(actions) * limits.action_ms) / 1000.0
    return min(limits.max_frames, math.ceil(seconds * limits.capture_fps) + 4)


def capture_plan(actions: Sequence[str]) -> dict[str, int]:
    """What the phone page obeys: frames a second, how long to film, the most frames."""
    limits = get_settings().certification
    return {
        "fps": limits.capture_fps,
        "neutral_ms": limits.neutral_ms,
        "action_ms": limits.action_ms,
        "max_frames": frames_allowed(actions),
    }


def check_frame_budget(challenge: ChallengeSession, count: int) -> None:
    if count > frames_allowed(challenge.actions):
        raise PayloadTooLarge("Too many pictures were sent at once.")
