"""Bulk roster import: streaming, idempotent upsert by ID number, a row-level error report.

A job reads the uploaded file in chunks; each chunk is validated, then written in one
transaction (valid rows only), and the progress is committed with it. Rerunning a job, or
importing the same file twice, changes nothing the second time.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.core.crypto import get_keyring
from lifecert.core.csv_export import csv_text
from lifecert.core.db import bulk_insert, utcnow
from lifecert.core.errors import InvalidInput, NotFound
from lifecert.core.i18n import N_, gettext
from lifecert.core.queue import enqueue_after_commit
from lifecert.core.roles import Permission, Role
from lifecert.core.scoping import Actor, scope_filter
from lifecert.core.storage import get_blob_store
from lifecert.organisation.models import Region, RegionLevel, Staff
from lifecert.organisation.service import actor_for
from lifecert.retirees.jobs import FINAL, fail_job, release_upload
from lifecert.retirees.models import (
    ImportJob,
    ImportKind,
    ImportStatus,
    Retiree,
    RetireeTransfer,
)
from lifecert.retirees.roster import (
    FIELD_LABELS,
    RosterRow,
    RowProblem,
    check_table,
    check_upload,
    read_rows,
)

CHUNK = 2000
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
_ID_CONTEXT = "retiree.id_number"
# Columns compared to decide whether an existing person changed.
_UPDATABLE = ("name", "phone", "address", "pension_account", "paying_agency", "community_id")


def accept_table_upload(filename: str, data: bytes) -> str:
    """The checks every table import (roster, deaths, life signals) makes at upload, before
    anything is stored: not empty, not too large, a CSV/XLSX that opens. Returns the blob key
    of the stored file."""
    if not data:
        raise InvalidInput("The file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput("The file is larger than 200 MB; split it into parts.")
    suffix = Path(filename).suffix.lower()
    if suffix not in (".csv", ".xlsx", ".txt"):
        raise InvalidInput("Upload a .csv or .xlsx file.")
    check_upload(suffix, data)
    return get_blob_store().put(data, prefix="imports")


def start_roster_import(
    session: Session, *, actor: Actor, filename: str, data: bytes, run_now: bool = True
) -> ImportJob:
    """Store the upload and queue the job (``run_now=False``: the caller runs it itself)."""
    actor.require(Permission.WRITE_RETIREES)
    key = accept_table_upload(filename, data)
    job = ImportJob(
        kind=ImportKind.ROSTER,
        filename=Path(filename).name[:255],
        source_key=key,
        started_by=actor.staff_id or None,
    )
    session.add(job)
    session.flush()
    record(session, actor=actor, action="import.started", target_type="import_job",
           target_id=job.id, details={"kind": "roster", "filename": job.filename})
    if run_now:
        enqueue_after_commit(session, "retirees.import_roster", job_id=job.id)
    return job


def get_import_job(session: Session, *, actor: Actor, job_id: int) -> ImportJob:
    job = session.get(ImportJob, job_id)
    # Jobs are private to whoever started them (and admins): they reveal file contents.
    if job is None or (
        job.started_by != actor.staff_id and not actor.can(Permission.MANAGE_REGIONS)
    ):
        raise NotFound("No such import.")
    return job


@dataclass
class _Chunk:
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def _chunks(path: Path) -> Iterator[_Chunk]:
    chunk = _Chunk()
    for item in read_rows(path):
        if isinstance(item, RosterRow):
            chunk.rows.append(item)
        else:
            chunk.problems.extend(item)
        if len(chunk.rows) + len(chunk.problems) >= CHUNK:
            yield chunk
            chunk = _Chunk()
    if chunk.rows or chunk.problems:
        yield chunk


class _Upserter:
    """Writes one chunk of valid rows; remembers IDs seen earlier in the same file."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self.keyring = get_keyring()
        self.seen: dict[str, int] = {}
        stmt = select(Region.code, Region.id, Region.path).where(
            Region.level == RegionLevel.COMMUNITY,
            scope_filter(actor, Permission.WRITE_RETIREES, Region.path),
        )
        self.communities = {code: (rid, path) for code, rid, path in session.execute(stmt)}

    def apply(self, job: ImportJob, rows: list[RosterRow]) -> list[RowProblem]:
        problems: list[RowProblem] = []
        hashes = {r.row: self.keyring.lookup_hash(r.id_number) for r in rows}
        existing = self._existing(list(hashes.values()))
        inserts, updates, transfers = [], [], []
        for row in rows:
            problem = self._check(row, hashes[row.row], existing)
            if problem is not None:
                problems.append(problem)
                continue
            self.seen[hashes[row.row]] = row.row
            community_id = self.communities[row.community_code][0]
            current = existing.get(hashes[row.row])
            if current is None:
                inserts.append(self._new(row, hashes[row.row], community_id))
            elif change := self._changes(current, row, community_id):
                updates.append({"id": current["id"], **change})
                if "community_id" in change:
                    transfers.append(
                        {
                            "retiree_id": current["id"],
                            "moved_by": job.started_by,
                            "from_community_id": current["community_id"],
                            "to_community_id": community_id,
                            "moved_at": utcnow(),
                            "reason": f"roster import #{job.id}",
                        }
                    )
            else:
                job.unchanged += 1
        bulk_insert(self.session, Retiree, inserts)
        if updates:
            self.session.execute(update(Retiree), updates)
        if transfers:
            self.session.execute(insert(RetireeTransfer), transfers)
        job.created += len(inserts)
        job.updated += len(updates)
        return problems

    def _existing(self, hashes: list[str]) -> dict[str, dict[str, Any]]:
        cols = [
            Retiree.id,
            Retiree.id_number_hash,
            Region.path,
            *(getattr(Retiree, c) for c in _UPDATABLE),
        ]
        stmt = (
            select(*cols)
            .join(Region, Retiree.community_id == Region.id)
            .where(Retiree.id_number_hash.in_(hashes))
        )
        return {r.id_number_hash: r._asdict() for r in self.session.execute(stmt)}

    def _check(
        self, row: RosterRow, lookup: str, existing: dict[str, dict[str, Any]]
    ) -> RowProblem | None:
        if lookup in self.seen:
            return RowProblem(
                row.row,
                "id_number",
                N_("The same ID number is on row {other}."),
                N_("Keep one row per person."),
                (("other", str(self.seen[lookup])),),
            )
        if row.community_code not in self.communities:
            return RowProblem(
                row.row,
                "community_code",
                N_("Community code {code} is unknown or outside your area."),
                N_("Use a community code from the region list."),
                (("code", row.community_code),),
            )
        current = existing.get(lookup)
        if current is not None and not self.actor.covers_path(current["path"]):
            return RowProblem(
                row.row,
                "id_number",
                N_("This person is registered in another area."),
                N_("Ask the bureau to transfer the person first."),
            )
        return None

    def _new(self, row: RosterRow, lookup: str, community_id: int) -> dict[str, Any]:
        now = utcnow()
        return {
            "id_number_hash": lookup,
            "id_number_enc": self.keyring.encrypt_text(row.id_number, context=_ID_CONTEXT),
            "id_number_masked": f"{row.id_number[:6]}{'*' * 8}{row.id_number[-4:]}",
            "key_id": self.keyring.current.key_id,
            "name": row.name,
            "gender": row.gender,
            "birth_date": row.birth_date,
            "phone": row.phone,
            "address": row.address,
            "community_id": community_id,
            "pension_account": row.pension_account,
            "paying_agency": row.paying_agency,
            "created_at": now,
            "updated_at": now,
            **({"status": row.status} if row.status else {}),
        }

    @staticmethod
    def _changes(current: dict[str, Any], row: RosterRow, community_id: int) -> dict[str, Any]:
        wanted = {
            "name": row.name,
            "phone": row.phone,
            "address": row.address,
            "pension_account": row.pension_account,
            "paying_agency": row.paying_agency,
            "community_id": community_id,
        }
        change = {k: v for k, v in wanted.items() if current[k] != v}
        return {**change, "updated_at": utcnow()} if change else {}


def run_roster_import(
    session: Session, *, job_id: int, progress: Callable[[ImportJob], None] | None = None
) -> ImportJob:
    """Process a job; commits after every chunk so progress is visible and memory stays flat."""
    job = session.get_one(ImportJob, job_id)
    if job.status in FINAL:
        return job  # a redelivered task: the import already finished (or was reaped)
    actor, audit_actor = begin_import(session, job)
    report: list[RowProblem] = []
    try:
        with source_file(job) as path:
            check_table(path)  # a malformed file fails here, before any row is written
            upserter = _Upserter(session, actor)
            for chunk in _chunks(path):
                problems = chunk.problems + upserter.apply(job, chunk.rows)
                report.extend(problems)
                job.rejected += len({p.row for p in problems})
                job.processed += len(chunk.rows) + len({p.row for p in chunk.problems})
                session.commit()
                if progress:
                    progress(job)
    except Exception as exc:  # every failure ends the job with a message, never "running"
        fail_job(session, job, exc)
    else:
        job.status = ImportStatus.DONE
    finish_import(session, job, audit_actor=audit_actor, report=report, details={
        "kind": "roster", "created": job.created, "updated": job.updated,
        "rejected": job.rejected})
    return job


def begin_import(session: Session, job: ImportJob) -> tuple[Actor, Actor | None]:
    """Mark a table import running with fresh counts (committed, so progress shows at once).
    Returns the actor it runs as (whoever started it; a system actor for a system job) and
    the actor its audit entries name (None for a system job)."""
    staff = session.get_one(Staff, job.started_by) if job.started_by else None
    actor = actor_for(staff) if staff else Actor(0, "system", Role.PLATFORM_ADMIN, ())
    job.status, job.processed, job.created, job.updated, job.unchanged, job.rejected = (
        ImportStatus.RUNNING, 0, 0, 0, 0, 0,
    )
    session.commit()
    return actor, (actor if staff else None)


def finish_import(
    session: Session, job: ImportJob, *, audit_actor: Actor | None,
    report: list[RowProblem], details: dict[str, Any],
) -> None:
    """The end of every table import, done or failed: totals, the problem report, the upload
    released (retention policy), one audit entry, committed."""
    job.total, job.finished_at = job.processed, utcnow()
    job.report_key = store_report(report) if report else ""
    release_upload(job)
    record(session, actor=audit_actor, action="import.finished", target_type="import_job",
           target_id=job.id, details={**details, "status": job.status.value})
    session.commit()


@contextmanager
def source_file(job: ImportJob) -> Iterator[Path]:
    """The encrypted upload, decrypted into a private temporary file for streaming."""
    suffix = Path(job.filename).suffix.lower() or ".csv"
    with tempfile.TemporaryDirectory(prefix="lifecert-import-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(get_blob_store().get(job.source_key))
        yield path


def store_report(problems: list[RowProblem]) -> str:
    lines = [
        json.dumps(
            {
                "row": p.row,
                "column": p.column,
                "problem": p.problem,
                "fix": p.fix,
                "params": dict(p.params),
            },
            ensure_ascii=False,
        )
        for p in problems
    ]
    return get_blob_store().put("\n".join(lines).encode(), prefix="reports")


def error_report_csv(session: Session, *, actor: Actor, job_id: int) -> str:
    """The report in the reader's language: row, column, what is wrong, how to fix it."""
    job = get_import_job(session, actor=actor, job_id=job_id)
    rows = [[gettext("Row"), gettext("Column"), gettext("What is wrong"), gettext("How to fix it")]]
    if job.report_key:
        for line in get_blob_store().get(job.report_key).decode().splitlines():
            item = json.loads(line)
            params = item["params"]
            label = FIELD_LABELS.get(item["column"])
            rows.append(
                [
                    str(item["row"]),
                    gettext(label) if label else item["column"],
                    gettext(item["problem"], **params),
                    gettext(item["fix"], **params),
                ]
            )
    return csv_text(rows)
