"""`lifecert serve --demo` prints the walkthrough, the staff URLs, and a phone link with its QR
code for a demo retiree whose link works."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifecert.cli import _print_welcome
from lifecert.demo import DemoSize, build_demo


def test_welcome_prints_walkthrough_phone_link_and_qr(
    session: Session, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    build_demo(session, size=DemoSize(retirees=120, districts=2, streets=6, communities=20))
    session.commit()
    _print_welcome("127.0.0.1", 8000)
    out = capsys.readouterr().out
    for expected in ("Walkthrough", "/login", "/api/docs", "/admin/demo-clock", "/m/sms"):
        assert expected in out, expected
    link = out.split("Phone link: ", 1)[1].split()[0]
    assert link.startswith("http://127.0.0.1:8000/m/i/")
    assert out.count("█") > 200  # the QR code, drawn in the terminal
    home = client.get(link.removeprefix("http://127.0.0.1:8000"))
    assert home.status_code == 200 and "有效期至" in home.text
