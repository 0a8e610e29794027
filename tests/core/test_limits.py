"""Atomic limits, progressive locks, per-address throttles, trusted proxies, body caps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.requests import Request

from lifecert.core.client import client_address
from lifecert.core.db import utcnow
from lifecert.core.errors import AuthenticationRequired, TooManyRequests
from lifecert.core.limits import RateCounter, count_attempt, hit_limit
from lifecert.core.roles import Role
from lifecert.core.settings import get_settings
from lifecert.core.uploads import check_image_header
from lifecert.identity.service import AccountLocked, authenticate_staff
from tests.builders import PASSWORD, make_staff, noise_photo


def test_a_key_locks_past_its_limit_and_each_lock_doubles(session: Session) -> None:
    hits = [count_attempt("t:a", limit=3, window_s=600, lock_s=10, max_lock_s=25) for _ in range(4)]
    assert [h.count for h in hits[:3]] == [1, 2, 3] and not any(h.locked for h in hits[:3])
    first = hits[3].locked_until
    assert first is not None
    row = session.get_one(RateCounter, "t:a", populate_existing=True)
    assert row.strikes == 1 and row.n == 0
    # attempts while locked are refused, not counted
    assert count_attempt("t:a", limit=3, window_s=600, lock_s=10).locked
    assert session.get_one(RateCounter, "t:a", populate_existing=True).n == 0
    row.locked_until = row.locked_until - timedelta(seconds=60)  # type: ignore[operator]
    session.flush()
    for _ in range(3):
        assert not count_attempt("t:a", limit=3, window_s=600, lock_s=10, max_lock_s=25).locked
    before = utcnow()
    second = count_attempt("t:a", limit=3, window_s=600, lock_s=10, max_lock_s=25)
    assert second.locked_until is not None
    # 20 s (10 doubled) capped at 25: longer than the first lock, never above the maximum
    assert timedelta(seconds=15) < second.locked_until - before <= timedelta(seconds=25)


def test_a_throttle_refuses_with_retry_after(session: Session) -> None:
    for _ in range(2):
        hit_limit("t:ip", limit=2, window_s=60)
    with pytest.raises(TooManyRequests) as refused:
        hit_limit("t:ip", limit=2, window_s=60)
    assert refused.value.retry_after is not None and 1 <= refused.value.retry_after <= 61


def test_a_stranger_locks_only_their_own_address(session: Session) -> None:
    make_staff(session, role=Role.PLATFORM_ADMIN, username="admin2")
    for _ in range(5):
        with pytest.raises(AuthenticationRequired):  # AuthenticationRequired: wrong password
            authenticate_staff(session, username="admin2", password="bad-bad-bad", client="6.6.6.6")
    with pytest.raises(AccountLocked):
        authenticate_staff(session, username="admin2", password=PASSWORD, client="6.6.6.6")
    assert authenticate_staff(session, username="admin2", password=PASSWORD, client="7.7.7.7")


def test_unknown_names_are_limited_like_known_ones(session: Session) -> None:
    for _ in range(5):
        with pytest.raises(AuthenticationRequired):
            authenticate_staff(session, username="ghost", password="x", client="6.6.6.7")
    with pytest.raises(AccountLocked):  # same answer as for a real account
        authenticate_staff(session, username="ghost", password="x", client="6.6.6.7")


def _request(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return Request({"type": "http", "headers": headers, "client": (peer, 1234)})


@pytest.fixture
def proxies(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(get_settings().work, "trusted_proxies", ["10.0.0.0/8", "127.0.0.1"])
    yield


def test_forwarded_for_is_believed_only_from_trusted_proxies(proxies: None) -> None:
    assert client_address(_request("8.8.8.8", "1.2.3.4")) == "8.8.8.8"  # a stranger's header
    assert client_address(_request("10.1.1.1", "1.2.3.4")) == "1.2.3.4"
    # the phone wrote the left part itself: the right-most address not of a proxy counts
    assert client_address(_request("10.1.1.1", "9.9.9.9, 1.2.3.4, 10.2.2.2")) == "1.2.3.4"
    assert client_address(_request("127.0.0.1")) == "127.0.0.1"
    assert client_address(_request("10.1.1.1", "garbage")) == "10.1.1.1"


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert client_address(_request("10.1.1.1", "1.2.3.4")) == "10.1.1.1"


def test_image_headers_above_phone_size_are_refused_before_decoding() -> None:
    from lifecert.core.errors import PayloadTooLarge

    check_image_header(noise_photo(1, size=64), max_pixels=12_000_000, max_side=4096)
    with pytest.raises(PayloadTooLarge):
        check_image_header(noise_photo(1, size=64), max_pixels=4000, max_side=4096)
    with pytest.raises(PayloadTooLarge):
        check_image_header(noise_photo(1, size=64), max_pixels=12_000_000, max_side=63)
    check_image_header(b"not an image", max_pixels=1, max_side=1)  # the decoder's job


def test_oversized_bodies_are_refused_while_streaming(client: TestClient) -> None:
    big = b"x" * (2 * 1024 * 1024)
    declared = client.post(
        "/api/v1/certify/hint", content=big, headers={"content-type": "application/octet-stream"}
    )
    assert declared.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'--b\r\nContent-Disposition: form-data; name="frame"; filename="f.jpg"\r\n\r\n'
        for _ in range(64):
            yield b"y" * 65536

    streamed = client.post(
        "/api/v1/certify/hint",
        content=chunks(),
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert streamed.status_code == 413
