"""The audit trail: hash chain, tamper detection (edited, deleted rows), no biometrics."""

from __future__ import annotations

import itertools
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from lifecert.audit.models import AuditEntry
from lifecert.audit.service import clean_details, record, verify_chain
from lifecert.core.roles import Role
from lifecert.enrollment import service as enrollment
from lifecert.enrollment.models import ConsentChannel, TemplateSource
from lifecert.retirees.service import reveal_id_number
from tests.builders import (
    PASSWORD,
    admin_actor,
    login,
    make_city,
    make_community,
    make_retiree,
    make_staff,
    noise_photo,
)


def _entries(session: Session, n: int = 5) -> list[AuditEntry]:
    return [
        record(
            session,
            actor=admin_actor(),
            action="test.action",
            target_type="thing",
            target_id=i,
            details={"n": i, "note": "普通"},
        )
        for i in range(n)
    ]


def _allow_tampering(session: Session) -> None:
    """Drop the append-only triggers inside the test's transaction (rolled back afterwards),
    as an attacker with the database owner's rights could."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("DROP TRIGGER audit_entry_append_only ON audit_entry"))
    else:
        session.execute(text("DROP TRIGGER audit_entry_no_update"))
        session.execute(text("DROP TRIGGER audit_entry_no_delete"))


def test_the_database_refuses_edits_and_deletes(session: Session) -> None:
    rows = _entries(session, 2)
    for statement in (
        update(AuditEntry).where(AuditEntry.seq == rows[0].seq).values(action="x"),
        delete(AuditEntry).where(AuditEntry.seq == rows[1].seq),
    ):
        with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
            session.execute(statement)
    assert verify_chain(session) == []


def test_chain_links_each_row_to_the_previous(session: Session) -> None:
    rows = _entries(session)
    assert [r.seq for r in rows] == list(range(rows[0].seq, rows[0].seq + 5))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    assert verify_chain(session) == []


def test_an_edited_row_is_named(session: Session) -> None:
    rows = _entries(session)
    _allow_tampering(session)
    session.execute(
        update(AuditEntry)
        .where(AuditEntry.seq == rows[2].seq)
        .values(details={"n": 99, "note": "普通"})
    )
    session.expire_all()
    problems = verify_chain(session)
    assert [(p.seq, p.kind) for p in problems] == [(rows[2].seq, "edited")]


def test_a_deleted_row_is_named(session: Session) -> None:
    rows = _entries(session)
    _allow_tampering(session)
    session.execute(delete(AuditEntry).where(AuditEntry.seq == rows[1].seq))
    session.expire_all()
    problems = verify_chain(session)
    assert (problems[0].seq, problems[0].kind) == (rows[1].seq, "missing")
    assert len(problems) == 1


def test_deleting_the_last_rows_is_detected(session: Session) -> None:
    rows = _entries(session)
    _allow_tampering(session)
    session.execute(delete(AuditEntry).where(AuditEntry.seq >= rows[3].seq))
    session.expire_all()
    problems = verify_chain(session)
    assert [(p.seq, p.kind) for p in problems] == [(rows[3].seq, "truncated")]


def test_cli_verify_exit_codes(session: Session) -> None:
    from lifecert.cli import app

    rows = _entries(session, 3)
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    _allow_tampering(session)
    session.execute(
        update(AuditEntry).where(AuditEntry.seq == rows[1].seq).values(action="test.other")
    )
    session.expire_all()
    bad = runner.invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1 and f"seq {rows[1].seq}" in bad.output


def test_details_never_hold_biometrics_or_full_id_numbers(session: Session) -> None:
    cleaned = clean_details(
        {
            "vector": [0.1] * 128,
            "embedding": "x",
            "photo_data": b"\xff",
            "values": [0.5] * 32,
            "id": "430102195003070022",
            "ok": 3,
        }
    )
    assert cleaned == {
        "vector": "[removed]",
        "embedding": "[removed]",
        "photo_data": "[removed]",
        "values": "[removed]",
        "id": "430102********0022",
        "ok": 3,
    }
    community = make_community(session, city=make_city(session))
    retiree = make_retiree(session, community=community)
    enrollment.record_consent(
        session,
        actor=admin_actor(),
        retiree_id=retiree.id,
        channel=ConsentChannel.COUNTER,
        given_by="本人",
    )
    enrollment.enroll_photo(
        session,
        actor=admin_actor(),
        retiree_id=retiree.id,
        image_bytes=noise_photo(3),
        source=TemplateSource.STAFF_CAPTURE,
    )
    number = reveal_id_number(session, actor=admin_actor(), retiree_id=retiree.id)
    actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
    assert {"consent.given", "template.enrolled", "retiree.id_number_revealed"} <= set(actions)
    dump = " ".join(str(e.details) for e in session.scalars(select(AuditEntry)))
    assert number not in dump and "vector" not in dump
    assert verify_chain(session) == []


def test_logins_are_audited(client: TestClient, session: Session) -> None:
    staff = make_staff(
        session, role=Role.BUREAU_OFFICER, regions=[make_city(session)], username="audited"
    )
    page = client.get("/login")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    client.post(
        "/login", data={"username": "audited", "password": "wrong-password-1", "csrf": csrf}
    )
    login(client, "audited", PASSWORD)
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.action.like("staff.login%")).order_by(AuditEntry.seq)
    ).all()
    assert [r.action for r in rows] == ["staff.login_failed", "staff.login"]
    assert rows[0].details == {"username": "audited"} and rows[1].actor_id == staff.id
    assert "wrong-password" not in str(rows[0].details)


def test_concurrent_appends_wait_for_the_head_lock(engine: Engine) -> None:
    """A second writer blocks on the head row until the first transaction ends, so two
    transactions can never take the same sequence number or previous hash."""
    first = Session(bind=engine)
    entry = record(first, actor=None, action="test.first")
    done = threading.Event()
    seen: list[int] = []

    def second_writer() -> None:
        with Session(bind=engine) as second:
            seen.append(record(second, actor=None, action="test.second").seq)
            second.rollback()
        done.set()

    thread = threading.Thread(target=second_writer)
    thread.start()
    try:
        assert not done.wait(0.5)  # blocked behind the first transaction
    finally:
        first.rollback()
        first.close()
    thread.join(timeout=20)
    assert done.is_set() and seen == [entry.seq]  # the rolled-back number is reused, no gap
