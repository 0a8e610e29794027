from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifecert.core.roles import Role
from lifecert.organisation.service import set_password
from tests.builders import PASSWORD, login, make_city, make_staff


def _csrf(client: TestClient) -> str:
    return client.get("/login").text.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def test_wrong_password_is_refused_with_a_clear_message(
    client: TestClient, session: Session
) -> None:
    make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    response = client.post(
        "/login", data={"username": "boss", "password": "nope-nope-nope", "csrf": _csrf(client)}
    )
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert client.get("/home", follow_redirects=False).status_code == 303


def test_login_without_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    client.get("/login")
    response = client.post(
        "/login", data={"username": "boss", "password": PASSWORD}, headers={"accept": "text/html"}
    )
    assert response.status_code == 403
    assert "Traceback" not in response.text


def test_account_locks_after_repeated_failures(client: TestClient, session: Session) -> None:
    make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    for _ in range(5):
        client.post(
            "/login", data={"username": "boss", "password": "x" * 12, "csrf": _csrf(client)}
        )
    response = client.post(
        "/login", data={"username": "boss", "password": PASSWORD, "csrf": _csrf(client)}
    )
    assert response.status_code == 401
    assert "失败次数过多" in response.text and "1 分钟" in response.text  # the first lock: 1 min


def test_a_new_password_lifts_the_lock(client: TestClient, session: Session) -> None:
    # The admin recovery path (`lifecert staff set-password`) opens a locked account at once.
    staff = make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    for _ in range(6):
        client.post(
            "/login", data={"username": "boss", "password": "x" * 12, "csrf": _csrf(client)}
        )
    locked = client.post(
        "/login", data={"username": "boss", "password": PASSWORD, "csrf": _csrf(client)}
    )
    assert locked.status_code == 401 and "失败次数过多" in locked.text
    set_password(session, staff=staff, password="a-brand-new-password")
    session.flush()
    opened = client.post(
        "/login",
        data={"username": "boss", "password": "a-brand-new-password", "csrf": _csrf(client)},
        follow_redirects=False,
    )
    assert opened.status_code == 303


def test_password_change_ends_existing_sessions(client: TestClient, session: Session) -> None:
    staff = make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    login(client, "boss")
    assert client.get("/api/v1/me").status_code == 200
    set_password(session, staff=staff, password="a-brand-new-password")
    assert client.get("/api/v1/me").status_code == 401


def test_login_never_redirects_to_another_site(client: TestClient, session: Session) -> None:
    make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    response = client.post(
        "/login",
        data={
            "username": "boss",
            "password": PASSWORD,
            "csrf": _csrf(client),
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/home"


def test_cookie_api_writes_need_the_csrf_header(client: TestClient, session: Session) -> None:
    make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    csrf = login(client, "boss")
    assert client.post("/api/v1/auth/tokens", json={"name": "x"}).status_code == 403
    ok = client.post("/api/v1/auth/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201


def test_api_token_authenticates_and_can_be_revoked(client: TestClient, session: Session) -> None:
    city = make_city(session)
    make_staff(session, role=Role.BUREAU_OFFICER, regions=[city], username="officer")
    csrf = login(client, "officer")
    created = client.post(
        "/api/v1/auth/tokens", json={"name": "payroll export"}, headers={"X-CSRF-Token": csrf}
    ).json()
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {created['token']}"}
    me = client.get("/api/v1/me", headers=bearer)
    assert me.status_code == 200 and me.json()["username"] == "officer"
    # Token calls carry no cookie, so no CSRF header is needed; revoke with the token itself.
    assert client.delete(f"/api/v1/auth/tokens/{created['id']}", headers=bearer).status_code == 204
    assert client.get("/api/v1/me", headers=bearer).status_code == 401


def test_garbage_token_is_a_401_problem(client: TestClient) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
