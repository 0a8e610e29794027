"""Challenges: a random sequence of 2-3 distinct actions, a nonce and an expiry."""

from __future__ import annotations

import secrets
import time

from ..types import ALL_ACTIONS, Challenge, LivenessAction

DEFAULT_TTL_SECONDS = 120.0


def new_challenge(
    length: int | None = None, *, ttl: float = DEFAULT_TTL_SECONDS, now: float | None = None
) -> Challenge:
    """A server-side challenge; uses ``secrets`` so the sequence cannot be predicted."""
    rng = secrets.SystemRandom()
    count = length if length is not None else rng.choice((2, 3))
    if not 2 <= count <= 3:
        raise ValueError("A challenge has 2 or 3 actions.")
    actions = _pick_actions(rng, count)
    issued = time.time() if now is None else now
    return Challenge(actions, secrets.token_urlsafe(16), issued, issued + ttl)


def _pick_actions(rng: secrets.SystemRandom, count: int) -> tuple[LivenessAction, ...]:
    """Distinct actions; never both turns (an old neck should not be asked to swing twice)."""
    while True:
        actions = tuple(rng.sample(ALL_ACTIONS, count))
        if not {"turn_left", "turn_right"} <= set(actions):
            return actions


def challenge_from_names(names: str | list[str], ttl: float = DEFAULT_TTL_SECONDS) -> Challenge:
    """A challenge from explicit action names (CLI, tests). Not for production issuance."""
    items = names.split(",") if isinstance(names, str) else names
    actions = tuple(a.strip() for a in items if a.strip())
    unknown = [a for a in actions if a not in ALL_ACTIONS]
    if unknown or not actions:
        raise ValueError(f"Unknown actions {unknown}; choose from {', '.join(ALL_ACTIONS)}.")
    now = time.time()
    return Challenge(actions, secrets.token_urlsafe(16), now, now + ttl)  # type: ignore[arg-type]
