"""The client's address: ``X-Forwarded-For`` is believed only from configured trusted proxies.

Behind the city's reverse proxy every phone arrives from the proxy's address; a stranger
talking to the server directly must not choose their own address by sending the header.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from fastapi import Request

from lifecert.core.settings import get_settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(request: Request) -> str:
    """The peer's address, or — when the peer is a trusted proxy — the right-most address of
    ``X-Forwarded-For`` that is not itself a trusted proxy (the left part is client-written)."""
    peer = request.client.host if request.client else ""
    networks = _networks(tuple(get_settings().work.trusted_proxies))
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a garbled header: fall back to what we know
    return hops[0] if hops else peer
