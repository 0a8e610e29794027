"""Audit archive after the retention period: a signed export plus a checkpoint in the chain."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.archive import ACTION, archive_old_entries, verify_archive
from lifecert.audit.models import AuditEntry
from lifecert.audit.service import record, verify_chain
from lifecert.core.db import utcnow
from lifecert.core.settings import get_settings
from lifecert.core.storage import get_blob_store


def _checkpoints(session: Session) -> list[AuditEntry]:
    return list(session.scalars(
        select(AuditEntry).where(AuditEntry.action == ACTION).order_by(AuditEntry.seq)
    ))


def test_old_entries_are_archived_signed_and_the_chain_still_verifies(session: Session) -> None:
    for i in range(3):
        record(session, actor=None, action="test.event", details={"i": i})
    assert archive_old_entries(session) is None  # nothing is older than 10 years
    later = utcnow() + timedelta(days=get_settings().retention.audit_log_days + 1)
    first = archive_old_entries(session, now=later)
    assert first is not None and first.count >= 3
    [checkpoint] = _checkpoints(session)
    assert checkpoint.details["last_seq"] == first.last_seq
    assert verify_archive(session, checkpoint=checkpoint)
    assert verify_chain(session) == []  # rows are kept: the chain is whole
    record(session, actor=None, action="test.event", details={"i": 3})
    second = archive_old_entries(session, now=later)
    assert second is not None and second.first_seq == first.last_seq + 1  # no overlap


def test_a_tampered_archive_fails_verification(session: Session) -> None:
    record(session, actor=None, action="test.event")
    made = archive_old_entries(session, now=utcnow() + timedelta(days=4000))
    assert made is not None
    [checkpoint] = _checkpoints(session)
    store = get_blob_store()
    body = store.get(made.blob_key).replace(b"test.event", b"test.other")
    store.delete(made.blob_key)
    key = store.put(body, prefix="audit")
    forged = AuditEntry(details={**checkpoint.details, "archive": key})
    assert not verify_archive(session, checkpoint=forged)
