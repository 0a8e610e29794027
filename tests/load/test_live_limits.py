"""Issue 16's "done when" lines against a real server (uvicorn in a subprocess) on its own,
really committed database — PostgreSQL in CI: parallel submits, oversized images, password
and code limits under parallel attack, user-name timing, the nonce, trusted proxies.

The server runs the deterministic fake face engine (the suite's default): what is measured
here is the server's concurrency, not face accuracy (``benchmarks/load.py`` runs real faces).
"""

from __future__ import annotations

import json
import re
import statistics
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.audit.models import AuditEntry
from lifecert.certification.access import issue_invitation
from lifecert.certification.models import Certification
from lifecert.core.roles import Role
from tests.builders import PASSWORD, csrf_of, make_city, make_community, make_staff
from tests.certification.helpers import enrolled_retiree, jpeg
from tests.live_server import HealthProbe, LiveServer, live_server

LOGIN_LIMIT = 5  # work.login_max_failures (default)
CODE_LIMIT = 5  # work.code_max_attempts (default)
LOCK_S = 4
PROXY_ADDRESS = "203.0.113.7"
EN = {"accept-language": "en", "accept": "text/html"}


def _seed(session: Session) -> dict[str, Any]:
    city = make_city(session)
    community = make_community(session, city=city)
    for username in ("boss", "enroller", "timing"):
        make_staff(session, role=Role.PLATFORM_ADMIN, regions=[city], username=username)
    retirees = [
        enrolled_retiree(session, face_seed=100 + i, name=f"测试{i}", community=community).id
        for i in range(10)
    ]
    return {"retirees": retirees}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict[str, Any]]]:
    env = {
        "LIFECERT_WORK__TRUSTED_PROXIES": '["127.0.0.1"]',
        "LIFECERT_WORK__LOGIN_LOCK_S": str(LOCK_S),
        "LIFECERT_WORK__IP_REQUESTS_PER_MINUTE": "100000",
    }
    folder = tmp_path_factory.mktemp("live")
    with live_server("limits", folder, _seed, env) as (server, seeded):
        yield server, seeded




def _phone_client(server: LiveServer, retiree_id: int) -> tuple[httpx.Client, str]:
    with Session(server.engine) as session:  # a single-use link, as a notice would carry
        token = issue_invitation(session, actor=None, retiree_id=retiree_id)
        session.commit()
    client = server.client()
    client.get(f"/m/i/{token}", follow_redirects=True)
    return client, csrf_of(client.get("/m/check").text)


def _challenge(client: httpx.Client, csrf: str) -> str:
    response = client.post("/api/v1/certify/challenge", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200, response.text
    return str(response.json()["nonce"])


def _submit(
    client: httpx.Client, csrf: str, nonce: str, frames: list[bytes], **headers: str
) -> httpx.Response:
    return client.post(
        "/api/v1/certify/submit",
        headers={"X-CSRF-Token": csrf, **headers},
        files=[("frames", (f"f{i}.jpg", f, "image/jpeg")) for i, f in enumerate(frames)],
        data={"nonce": nonce, "times": json.dumps([i * 125 for i in range(len(frames))])},
    )


def _staff_client(server: LiveServer, username: str) -> tuple[httpx.Client, str]:
    client = server.client()
    csrf = csrf_of(client.get("/login").text)
    done = client.post("/login", data={"username": username, "password": PASSWORD, "csrf": csrf})
    assert done.status_code == 303, done.text[:300]
    return client, csrf_of(client.get("/home").text)


def _parallel(n: int, call: Callable[[int], Any]) -> list[Any]:
    start = threading.Barrier(n)

    def run(i: int) -> Any:
        start.wait()
        return call(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


# -- 8 parallel full submits ----------------------------------------------------------------


def test_eight_parallel_submits_all_answer_and_health_stays_fast(
    live: tuple[LiveServer, dict[str, Any]],
) -> None:
    server, seeded = live
    phones = [_phone_client(server, rid) for rid in seeded["retirees"][:8]]
    nonces = [_challenge(client, csrf) for client, csrf in phones]

    def one(i: int) -> tuple[int, float, httpx.Response]:
        client, csrf = phones[i]
        frames = [jpeg(100 + i)] * 24
        started = time.perf_counter()
        response = _submit(client, csrf, nonces[i], frames)
        return i, time.perf_counter() - started, response

    with HealthProbe(server) as probe:
        results = _parallel(8, one)
    after = [server.health_ms() for _ in range(5)]
    decided = [r for _, _, r in results if r.status_code == 200]
    for _, seconds, response in results:
        assert seconds <= 60
        assert response.status_code in (200, 503), response.text[:300]
        if response.status_code == 503:
            assert int(response.headers["retry-after"]) >= 1
    assert len(decided) >= 4
    assert all(r.json()["outcome"] in ("certified", "retry", "review") for r in decided)
    assert probe.samples and probe.worst_ms <= 1000, probe.samples
    assert max(after) <= 1000
    print(
        f"8 submits: {[(round(t, 1), r.status_code) for _, t, r in results]}, "
        f"health worst {probe.worst_ms:.0f} ms during, {max(after):.0f} ms after"
    )


# -- images that declare too many pixels ----------------------------------------------------


def _png(width: int, height: int) -> bytes:
    """A valid, tiny RGB PNG of a huge blank picture (streamed: never held decoded here)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return len(body).to_bytes(4, "big") + kind + body + crc.to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + 3 * width)
    parts = [compressor.compress(row) for _ in range(height)]
    data = b"".join(parts) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    return {"4898": _png(4898, 4898), "10000": _png(10000, 10000)}


def test_huge_pngs_are_refused_fast_on_every_frame_endpoint(
    live: tuple[LiveServer, dict[str, Any]], bombs: dict[str, bytes]
) -> None:
    server, seeded = live
    phone, csrf = _phone_client(server, seeded["retirees"][8])
    staff, staff_csrf = _staff_client(server, "enroller")
    retiree_id = seeded["retirees"][9]
    for name, png in bombs.items():
        assert len(png) < 300 * 1024, (name, len(png))  # under the byte limit: pixels decide
        calls = {
            "hint": lambda png=png: phone.post(
                "/api/v1/certify/hint",
                headers={"X-CSRF-Token": csrf},
                files={"frame": ("f.png", png, "image/png")},
            ),
            "submit": lambda png=png: _submit(phone, csrf, _challenge(phone, csrf), [png] * 8),
            "templates": lambda png=png: staff.post(
                f"/api/v1/retirees/{retiree_id}/templates",
                headers={"X-CSRF-Token": staff_csrf},
                files={"photo": ("p.png", png, "image/png")},
            ),
        }
        for endpoint, call in calls.items():
            started = time.perf_counter()
            response = call()
            seconds = time.perf_counter() - started
            assert 400 <= response.status_code < 500, (name, endpoint, response.text[:300])
            assert seconds <= 2, (name, endpoint, seconds)
            print(f"{name}px {endpoint}: {response.status_code} in {seconds * 1000:.0f} ms")


def test_health_stays_fast_while_four_huge_pngs_are_in_flight(
    live: tuple[LiveServer, dict[str, Any]], bombs: dict[str, bytes]
) -> None:
    server, seeded = live
    phone, csrf = _phone_client(server, seeded["retirees"][8])

    def send(i: int) -> list[int]:
        png = bombs["10000" if i % 2 else "4898"]
        return [  # four in flight at a time, several rounds
            phone.post(
                "/api/v1/certify/hint",
                headers={"X-CSRF-Token": csrf},
                files={"frame": ("f.png", png, "image/png")},
            ).status_code
            for _ in range(5)
        ]

    with HealthProbe(server, every_s=0.02) as probe:
        statuses = [s for batch in _parallel(4, send) for s in batch]
    assert all(400 <= s < 500 for s in statuses), statuses
    assert len(probe.samples) >= 2 and probe.worst_ms <= 1000, probe.samples
    print(f"health worst {probe.worst_ms:.0f} ms over {len(probe.samples)} probes")


# -- passwords ------------------------------------------------------------------------------


def _login_once(server: LiveServer, username: str, password: str, address: str) -> httpx.Response:
    with server.client() as client:
        csrf = csrf_of(client.get("/login").text)
        return client.post(
            "/login",
            data={"username": username, "password": password, "csrf": csrf},
            headers={**EN, "x-forwarded-for": address},
        )


def _audit_count(server: LiveServer, action: str) -> int:
    with Session(server.engine) as session:
        return (
            session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
            )
            or 0
        )


def test_forty_parallel_wrong_passwords_evaluate_at_most_limit_plus_two(
    live: tuple[LiveServer, dict[str, Any]],
) -> None:
    server, _ = live
    failed_before = _audit_count(server, "staff.login_failed")
    responses = _parallel(
        40, lambda i: _login_once(server, "boss", f"wrong-{i}-xxxx", "198.51.100.1")
    )
    wrong = [r for r in responses if "Wrong username or password" in r.text]
    locked = [r for r in responses if "Too many failed attempts" in r.text]
    assert len(wrong) + len(locked) == 40
    assert len(wrong) <= LOGIN_LIMIT + 2
    print(f"40 parallel wrong passwords: {len(wrong)} evaluated, {len(locked)} refused unread")
    assert _audit_count(server, "staff.login_failed") - failed_before == len(wrong)
    refused = _login_once(server, "boss", PASSWORD, "198.51.100.1")
    assert refused.status_code == 401 and "Too many failed attempts" in refused.text
    # A stranger's lock is theirs: the admin elsewhere still logs in ...
    assert _login_once(server, "boss", PASSWORD, "198.51.100.2").status_code == 303
    # ... and from the locked address once the lock has ended.
    time.sleep(LOCK_S + 0.5)
    assert _login_once(server, "boss", PASSWORD, "198.51.100.1").status_code == 303


def test_unknown_and_known_user_names_cost_the_same_time(
    live: tuple[LiveServer, dict[str, Any]],
) -> None:
    server, _ = live
    known: list[float] = []
    unknown: list[float] = []
    for i in range(12):  # interleaved, each from a fresh address: no lock interferes
        for name, bucket in (("timing", known), (f"nobody-{i}", unknown)):
            started = time.perf_counter()
            response = _login_once(
                server, name, "wrong-password-x", f"192.0.2.{i * 2 + len(bucket) % 2}"
            )
            bucket.append(time.perf_counter() - started)
            assert "Wrong username or password" in response.text
    k, u = statistics.median(known[2:]), statistics.median(unknown[2:])  # the first: warm-up
    assert abs(k - u) / max(k, u) <= 0.20, (known, unknown)
    print(f"median login known {k * 1000:.0f} ms, unknown {u * 1000:.0f} ms")


# -- helper SMS codes -----------------------------------------------------------------------


def _helper_code(server: LiveServer, client: httpx.Client, phone: str) -> tuple[str, str]:
    csrf = csrf_of(client.get("/m/helper").text)
    sent = client.post("/m/helper/code", data={"phone": phone, "csrf": csrf})
    assert sent.status_code == 200, sent.text[:300]
    page = client.get("/m/sms").text
    text = page.rsplit(f"{phone}: ", 1)[1]
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", text)
    assert code
    return code.group(1), csrf_of(sent.text)


def _helper_login(client: httpx.Client, phone: str, code: str, csrf: str) -> httpx.Response:
    return client.post(
        "/m/helper/login",
        data={
            "phone": phone,
            "code": code,
            "csrf": csrf,
            "name": "李明",
            "id_number": "11010519491231002X",
        },
        headers=EN,
    )


def test_thirty_parallel_wrong_helper_codes_evaluate_at_most_limit_plus_one(
    live: tuple[LiveServer, dict[str, Any]],
) -> None:
    server, _ = live
    client, phone = server.client(), "13900000031"
    code, csrf = _helper_code(server, client, phone)
    wrong_code = f"{(int(code) + 1) % 10**6:06d}"
    responses = _parallel(30, lambda i: _helper_login(client, phone, wrong_code, csrf))
    evaluated = [r for r in responses if r.status_code == 401]
    refused = [r for r in responses if r.status_code == 429]
    assert len(evaluated) + len(refused) == 30, [r.status_code for r in responses]
    assert len(evaluated) <= CODE_LIMIT + 1
    print(f"30 parallel wrong helper codes: {len(evaluated)} evaluated, {len(refused)} refused")
    assert _helper_login(client, phone, code, csrf).status_code == 429


def test_wrong_helper_codes_one_at_a_time_are_limited_too(
    live: tuple[LiveServer, dict[str, Any]],
) -> None:
    server, _ = live
    client, phone = server.client(), "13900000032"
    code, csrf = _helper_code(server, client, phone)
    wrong_code = f"{(int(code) + 7) % 10**6:06d}"
    statuses = [_helper_login(client, phone, wrong_code, csrf).status_code for _ in range(7)]
    assert statuses == [401] * CODE_LIMIT + [429] * 2
    assert _helper_login(client, phone, code, csrf).status_code == 429


# -- the nonce, and the client's address ----------------------------------------------------


def test_a_nonce_used_in_a_refused_submit_is_refused_again(
    live: tuple[LiveServer, dict[str, Any]],
) -> None:
    server, seeded = live
    client, csrf = _phone_client(server, seeded["retirees"][9])
    nonce = _challenge(client, csrf)
    refused = _submit(client, csrf, nonce, [jpeg(109)] * 2)  # too few pictures
    assert refused.status_code == 422
    again = _submit(client, csrf, nonce, [jpeg(109)] * 8)
    assert again.status_code == 409


def test_client_address_comes_from_a_trusted_proxy_only(
    live: tuple[LiveServer, dict[str, Any]],
) -> None:
    server, seeded = live
    client, csrf = _phone_client(server, seeded["retirees"][9])
    # The peer (127.0.0.1) is a trusted proxy: the right-most untrusted hop is the phone.
    response = _submit(
        client,
        csrf,
        _challenge(client, csrf),
        [jpeg(109)] * 8,
        **{"x-forwarded-for": f"10.9.9.9, {PROXY_ADDRESS}"},
    )
    assert response.status_code == 200, response.text[:300]
    with Session(server.engine) as session:
        certification = session.get_one(Certification, response.json()["id"])
    assert certification.ip == PROXY_ADDRESS
