"""The audit trail: hash chain, tamper detection (edited, deleted rows), no biometrics."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from lifecert.audit.models import AuditEntry
from lifecert.audit.service import clean_details, record, seal_pending, verify_chain
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
    rows = [
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
    seal_pending(session)
    return rows


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
    actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
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
        select(AuditEntry).where(AuditEntry.action.like("staff.login%")).order_by(AuditEntry.id)
    ).all()
    assert [r.action for r in rows] == ["staff.login_failed", "staff.login"]
    assert rows[0].details == {"username": "audited"} and rows[1].actor_id == staff.id
    assert "wrong-password" not in str(rows[0].details)


def test_concurrent_appends_do_not_wait_for_each_other(engine: Engine) -> None:
    """No hot row: a second writer appends while the first transaction is still open (on
    PostgreSQL; SQLite has one writer per database anyway). The sealer then chains both."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises every writer by design")
    first = Session(bind=engine)
    record(first, actor=None, action="test.first")
    done = threading.Event()

    def second_writer() -> None:
        with Session(bind=engine) as second:
            record(second, actor=None, action="test.second")
            second.rollback()
        done.set()

    thread = threading.Thread(target=second_writer)
    thread.start()
    try:
        assert done.wait(5)  # not blocked behind the first transaction
    finally:
        first.rollback()
        first.close()
    thread.join(timeout=20)


def test_the_sealer_chains_rows_appended_in_any_order(session: Session) -> None:
    before = _entries(session, 2)
    late = record(session, actor=None, action="test.late")
    assert late.seq is None and late.hash is None
    assert seal_pending(session) == 1
    assert late.seq == before[-1].seq + 1 and late.prev_hash == before[-1].hash  # type: ignore[operator]
    assert late.key_id is not None and seal_pending(session) == 0
    assert verify_chain(session) == []


def test_unsealed_rows_cannot_be_edited_either(session: Session) -> None:
    row = record(session, actor=None, action="test.pending")
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(update(AuditEntry).where(AuditEntry.id == row.id).values(action="x"))
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(delete(AuditEntry).where(AuditEntry.id == row.id))


def test_a_forged_row_without_the_key_is_detected(session: Session) -> None:
    import hashlib

    from lifecert.audit.chain import canonical

    rows = _entries(session, 3)
    _allow_tampering(session)
    forged = rows[2]
    forged.action = "test.forged"
    forged.hash = hashlib.sha256(canonical(forged)).hexdigest()  # no key: plain SHA-256
    session.flush()
    problems = verify_chain(session)
    assert (rows[2].seq, "edited") in [(p.seq, p.kind) for p in problems]


def test_rows_sealed_under_a_rotated_key_still_verify(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lifecert.audit import chain
    from lifecert.core.crypto import Keyring

    monkeypatch.setattr(chain, "get_keyring", lambda: Keyring.from_secrets("old-audit-key"))
    old = _entries(session, 2)
    rotated = Keyring.from_secrets("new-audit-key", ("old-audit-key",))
    monkeypatch.setattr(chain, "get_keyring", lambda: rotated)
    new = _entries(session, 2)
    assert old[0].key_id != new[0].key_id == rotated.current.key_id
    assert verify_chain(session) == []
    monkeypatch.setattr(chain, "get_keyring", lambda: Keyring.from_secrets("new-audit-key"))
    assert {p.seq for p in verify_chain(session) if p.kind == "edited"} >= {old[0].seq}


def test_a_checkpoint_reveals_rows_removed_with_the_head_rewritten(
    session: Session, tmp_path: Path
) -> None:
    from lifecert.audit.chain import export_checkpoint, verify_checkpoint
    from lifecert.audit.models import AuditHead

    rows = _entries(session, 4)
    path = export_checkpoint(session, tmp_path)
    assert verify_checkpoint(session, path) == []
    _allow_tampering(session)
    session.execute(delete(AuditEntry).where(AuditEntry.seq >= rows[2].seq))
    head = session.get_one(AuditHead, 1)
    head.last_seq, head.last_hash = rows[1].seq, rows[1].hash  # type: ignore[assignment]
    session.flush()
    session.expire_all()
    assert [p.kind for p in verify_checkpoint(session, path)] == ["checkpoint"]
    assert any(p.kind == "edited" for p in verify_chain(session))  # the head's MAC
