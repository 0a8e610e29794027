"""Per-address throttle for the pages that log people in or send codes."""

from __future__ import annotations

from fastapi import Request

from lifecert.core.client import client_address
from lifecert.core.limits import hit_limit
from lifecert.core.settings import get_settings


def throttle_address(request: Request) -> None:
    """At most ``work.ip_requests_per_minute`` logins and code requests per client address
    (behind the city's proxy: the phone's address, from the trusted ``X-Forwarded-For``)."""
    most = get_settings().work.ip_requests_per_minute
    hit_limit(f"ip:{client_address(request)}", limit=most, window_s=60)
