"""Life-signal imports: CSV/XLSX files as background jobs with progress and the roster's
row-level error report, and partner API batches authenticated by the source's key.

Rows are validated in Python (ID number checksum, date, known source), then written per chunk
with COPY and one set-based INSERT … SELECT (see :mod:`lifecert.life_signals.signals`).
Importing the same file twice adds nothing the second time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.core.crypto import get_keyring
from lifecert.core.errors import AuthenticationRequired, InvalidInput
from lifecert.core.i18n import N_
from lifecert.core.queue import enqueue_after_commit
from lifecert.core.roles import Permission, Role
from lifecert.core.scoping import Actor
from lifecert.fraud.deaths import _parse_date
from lifecert.life_signals.models import SignalSource
from lifecert.life_signals.signals import Staged, store_signals
from lifecert.retirees.idnumber import parse_id_number
from lifecert.retirees.imports import (
    accept_table_upload,
    begin_import,
    finish_import,
    source_file,
)
from lifecert.retirees.jobs import FINAL, fail_job
from lifecert.retirees.models import ImportJob, ImportKind, ImportStatus
from lifecert.retirees.roster import RowProblem, map_header, read_table
from lifecert.system.clock import scheduler_today

CHUNK = 50_000
MAX_API_BATCH = 10_000
HEADERS = {
    "身份证号": "id_number",
    "公民身份号码": "id_number",
    "id_number": "id_number",
    "日期": "date",
    "发生日期": "date",
    "date": "date",
    "occurred_on": "date",
    "来源": "source",
    "来源代码": "source",
    "source": "source",
}


def _problem(row: int, column: str, problem: str, fix: str, **params: object) -> RowProblem:
    return RowProblem(row, column, problem, fix, tuple((k, str(v)) for k, v in params.items()))


@dataclass
class _Parser:
    """Turns cells into staged rows; caches hashes (one person has many signals)."""

    sources: dict[str, int]
    default_source: str
    today: date

    def __post_init__(self) -> None:
        self.keyring = get_keyring()
        self.hashes: dict[str, str | RowProblem] = {}
        self.days: dict[str, date | None] = {}  # a file has few distinct dates

    def parse(self, line: int, number: str, day: str, source: str) -> Staged | RowProblem:
        code = source.strip() or self.default_source
        if code not in self.sources:
            return _problem(
                line,
                "source",
                N_("Source {code} is unknown or switched off."),
                N_("Use the code the bureau gave the source."),
                code=code,
            )
        when = self.days.get(day)
        if when is None:
            when = self.days[day] = _parse_date(day) if day.strip() else None
        if when is None or when > self.today:
            return _problem(
                line, "date", N_("The date is missing or not a past date."),
                N_("Write it as YYYY-MM-DD."),
            )
        lookup = self.hashes.get(number)
        if lookup is None:
            try:
                lookup = self.keyring.lookup_hash(parse_id_number(number).number)
            except InvalidInput as exc:
                lookup = _problem(
                    line, "id_number", exc.message,
                    N_("Copy the 18-character number from the ID card again."), **exc.params,
                )
            self.hashes[number] = lookup
        if isinstance(lookup, RowProblem):
            return RowProblem(line, *_rest(lookup))
        return (line, lookup, self.sources[code], when)


def _rest(problem: RowProblem) -> tuple[str, str, str, tuple[tuple[str, str], ...]]:
    return problem.column, problem.problem, problem.fix, problem.params


def active_sources(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(SignalSource.code, SignalSource.id).where(SignalSource.active.is_(True))
    )
    return {code: source_id for code, source_id in rows}


def start_signal_import(
    session: Session,
    *,
    actor: Actor,
    filename: str,
    data: bytes,
    source: str = "",
    run_now: bool = True,
) -> ImportJob:
    """Store the upload and queue the job. ``source``: the code for rows without one."""
    actor.require(Permission.WRITE_RETIREES)
    job = ImportJob(
        kind=ImportKind.LIFE_SIGNALS,
        filename=Path(filename).name[:255],
        source_key=accept_table_upload(filename, data),
        started_by=actor.staff_id or None,
        options={"source": source.strip()},
    )
    session.add(job)
    session.flush()
    record(session, actor=actor, action="import.started", target_type="import_job",
           target_id=job.id, details={"kind": "life_signals", "filename": job.filename})
    if run_now:
        enqueue_after_commit(session, "life_signals.import_signals", job_id=job.id)
    return job


def _rows(path: Path) -> Iterator[tuple[int, str, str, str]]:
    rows = read_table(path)
    header = next(rows, None)
    if header is None:
        raise InvalidInput("The file is empty.")
    fields = map_header(header, HEADERS, ("id_number", "date"))
    at = {f: i for i, f in enumerate(fields) if f}
    number_at, date_at, source_at = at["id_number"], at["date"], at.get("source")
    for line, cells in enumerate(rows, start=2):
        if len(cells) <= max(number_at, date_at):
            cells = [*cells, *([""] * (max(number_at, date_at) + 1 - len(cells)))]
        source = cells[source_at] if source_at is not None and source_at < len(cells) else ""
        if cells[number_at].strip() or cells[date_at].strip():
            yield line, cells[number_at].strip(), cells[date_at], source


def run_signal_import(
    session: Session, *, job_id: int, progress: Callable[[ImportJob], None] | None = None
) -> ImportJob:
    """Process a job: commits after every chunk (progress visible, memory flat); then
    evaluates the silent-certification policies once."""
    from lifecert.life_signals.service import certify_silently

    job = session.get_one(ImportJob, job_id)
    if job.status in FINAL:  # a redelivered task, or a job the reaper already failed
        return job
    actor, audit_actor = begin_import(session, job)
    report: list[RowProblem] = []
    source = str(job.options.get("source") or "")
    parser = _Parser(active_sources(session), source, scheduler_today(session))
    try:
        with source_file(job) as path:
            chunk: list[Staged | RowProblem] = []
            for line, number, day, source in _rows(path):
                chunk.append(parser.parse(line, number, day, source))
                if len(chunk) >= CHUNK:
                    report.extend(_write(session, actor, job, chunk))
                    if progress:
                        progress(job)
                    chunk = []
            report.extend(_write(session, actor, job, chunk))
            if progress:
                progress(job)
        silent = certify_silently(session)  # a system decision, over every region
        job.options = {**job.options, "silent_certified": silent.certified}
    except Exception as exc:  # every failure ends the job with a message, never "running"
        fail_job(session, job, exc)
    else:
        job.status = ImportStatus.DONE
    finish_import(session, job, audit_actor=audit_actor, report=report, details={
        "kind": "life_signals", "created": job.created, "rejected": job.rejected})
    return job


def _write(
    session: Session, actor: Actor, job: ImportJob, chunk: list[Staged | RowProblem]
) -> list[RowProblem]:
    staged = [item for item in chunk if isinstance(item, tuple)]
    problems = [item for item in chunk if isinstance(item, RowProblem)]
    created, nobody = store_signals(session, actor=actor, rows=staged, job_id=job.id)
    problems += [
        _problem(
            line, "id_number", N_("No retiree with this ID number in your area."),
            N_("Check the number; people of other areas are imported there."),
        )
        for line in nobody
    ]
    job.created += created
    job.rejected += len(problems)
    job.unchanged += len(staged) - len(nobody) - created
    job.processed += len(chunk)
    session.commit()
    return problems


def partner_source(session: Session, *, key: str) -> SignalSource:
    """The active source whose partner key this is (kept as a SHA-256 hash)."""
    digest = hashlib.sha256(key.encode()).hexdigest() if key else ""
    source = session.scalar(
        select(SignalSource).where(
            SignalSource.partner_key_hash == digest, SignalSource.active.is_(True)
        )
    ) if digest else None
    if source is None:
        raise AuthenticationRequired("Unknown or missing partner key.")
    return source


def ingest_batch(
    session: Session, *, source: SignalSource, items: list[tuple[str, str]]
) -> dict[str, object]:
    """A partner's batch of (ID number, date): stored like a file's rows, for every region
    (the partner is national); the answer lists the positions that were refused."""
    if len(items) > MAX_API_BATCH:
        raise InvalidInput("At most {n} events per request.", params={"n": MAX_API_BATCH})
    parser = _Parser({source.code: source.id}, source.code, scheduler_today(session))
    parsed = [parser.parse(i, number, day, "") for i, (number, day) in enumerate(items)]
    staged = [p for p in parsed if isinstance(p, tuple)]
    actor = Actor(0, f"partner:{source.code}", Role.PLATFORM_ADMIN, ())
    created, nobody = store_signals(session, actor=actor, rows=staged, job_id=None)
    refused = sorted([p.row for p in parsed if isinstance(p, RowProblem)] + nobody)
    record(session, actor=None, action="life_signals.api_batch", target_type="life_signal_source",
           target_id=source.id, details={"received": len(items), "created": created,
                                         "refused": len(refused)})
    return {"received": len(items), "created": created, "refused": refused}
