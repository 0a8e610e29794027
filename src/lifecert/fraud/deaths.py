"""Death registrations (civil affairs, hospitals, funeral homes): import, lookup, alerts.

Same job, validation and error report as the roster import: each chunk of valid rows is
written in one transaction, bad rows are listed (row, column, what is wrong, how to fix it) and
write nothing. A recorded death is pending: payment is held until an officer other than the
importer approves it (``death_review``: then the retiree is deceased and payment stops);
certification code asks :func:`is_deceased_on` and calls :func:`alert_certified_after_death`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.core.crypto import get_keyring
from lifecert.core.errors import InvalidInput
from lifecert.core.i18n import N_
from lifecert.core.queue import enqueue_after_commit
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor, scope_filter
from lifecert.fraud.alerts import raise_alert
from lifecert.fraud.death_review import open_pending_death
from lifecert.fraud.models import Alert, AlertKind, DeathRecord, DeathStatus, Severity
from lifecert.organisation.models import Region
from lifecert.retirees.idnumber import parse_id_number
from lifecert.retirees.imports import (
    accept_table_upload,
    begin_import,
    finish_import,
    source_file,
)
from lifecert.retirees.jobs import FINAL, fail_job
from lifecert.retirees.models import ImportJob, ImportKind, ImportStatus, Retiree
from lifecert.retirees.roster import (
    RowProblem,
    basic_problems,
    cell_values,
    check_table,
    column_limits,
    map_header,
    read_table,
)
from lifecert.system.clock import scheduler_today

CHUNK = 2000
HEADERS = {
    "身份证号": "id_number",
    "公民身份号码": "id_number",
    "id_number": "id_number",
    "姓名": "name",
    "name": "name",
    "死亡日期": "date_of_death",
    "date_of_death": "date_of_death",
    "报告单位": "source",
    "来源": "source",
    "source": "source",
    "死亡证明编号": "certificate_no",
    "证明编号": "certificate_no",
    "certificate_no": "certificate_no",
}
REQUIRED = ("id_number", "date_of_death")
# Cells are checked against the columns they are written to (or compared with: the name).
DEATH_LIMITS = {**column_limits(DeathRecord), "name": column_limits(Retiree)["name"]}
Parsed = tuple[int, str, str, date, str, str]  # row, id number, name, date, source, certificate


def _problem(row: int, column: str, problem: str, fix: str, **params: object) -> RowProblem:
    return RowProblem(row, column, problem, fix, tuple((k, str(v)) for k, v in params.items()))


def _parse_date(text: str) -> date | None:
    text = text.strip().replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-")
    text = text.rstrip("日")
    try:
        return date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
    except ValueError:
        return None


def parse_death_row(
    row: int, fields: list[str | None], cells: list[str], today: date
) -> Parsed | list[RowProblem]:
    values = cell_values(fields, cells)
    problems = basic_problems(row, values, REQUIRED, DEATH_LIMITS)
    if problems:
        return problems
    try:
        number = parse_id_number(values["id_number"]).number
    except InvalidInput as exc:
        return [
            _problem(
                row,
                "id_number",
                exc.message,
                N_("Copy the 18-character number from the ID card again."),
                **exc.params,
            )
        ]
    died = _parse_date(values["date_of_death"])
    if died is None:
        return [
            _problem(
                row,
                "date_of_death",
                N_("The date of death is not a date."),
                N_("Write it as YYYY-MM-DD."),
            )
        ]
    if died > today:
        return [
            _problem(
                row,
                "date_of_death",
                N_("The date of death is in the future."),
                N_("Check the date on the death certificate."),
            )
        ]
    return (
        row,
        number,
        values.get("name", ""),
        died,
        values.get("source", ""),
        values.get("certificate_no", ""),
    )


def read_death_rows(path: Path, today: date) -> Iterator[Parsed | list[RowProblem]]:
    rows = read_table(path)
    header = next(rows, None)
    if header is None:
        raise InvalidInput("The file is empty.")
    fields = map_header(header, HEADERS, REQUIRED)
    for number, cells in enumerate(rows, start=2):
        if any(c.strip() for c in cells):
            yield parse_death_row(number, fields, cells, today)


def start_death_import(
    session: Session, *, actor: Actor, filename: str, data: bytes, run_now: bool = True
) -> ImportJob:
    actor.require(Permission.WRITE_RETIREES)
    job = ImportJob(
        kind=ImportKind.DEATHS,
        filename=Path(filename).name[:255],
        source_key=accept_table_upload(filename, data),
        started_by=actor.staff_id or None,
    )
    session.add(job)
    session.flush()
    record(
        session,
        actor=actor,
        action="import.started",
        target_type="import_job",
        target_id=job.id,
        details={"kind": "deaths", "filename": job.filename},
    )
    if run_now:
        enqueue_after_commit(session, "fraud.import_deaths", job_id=job.id)
    return job


class _Recorder:
    def __init__(self, session: Session, actor: Actor, job: ImportJob) -> None:
        self.session, self.actor, self.job = session, actor, job
        self.today = scheduler_today(session)
        self.seen: dict[str, int] = {}

    def apply(self, rows: list[Parsed]) -> list[RowProblem]:
        ring = get_keyring()
        hashes = {r[0]: ring.lookup_hash(r[1]) for r in rows}
        people = {
            p.id_number_hash: p
            for p in self.session.scalars(
                select(Retiree)
                .join(Region, Retiree.community_id == Region.id)
                .where(
                    Retiree.id_number_hash.in_(list(hashes.values())),
                    scope_filter(self.actor, Permission.WRITE_RETIREES, Region.path),
                )
            )
        }
        known = {
            d.retiree_id: d
            for d in self.session.scalars(
                select(DeathRecord).where(
                    DeathRecord.retiree_id.in_([p.id for p in people.values()])
                )
            )
        }
        problems = []
        for row, _number, name, died, source, certificate in rows:
            lookup, person = hashes[row], people.get(hashes[row])
            problem = self._check(row, lookup, person, name, died, known)
            if problem is not None:
                problems.append(problem)
                continue
            assert person is not None
            self.seen[lookup] = row
            if person.id in known:
                self.job.unchanged += 1
                continue
            # Payment is held, not stopped: an officer other than the importer approves.
            open_pending_death(
                self.session, today=self.today, retiree_id=person.id, date_of_death=died,
                source=source, certificate_no=certificate, import_job_id=self.job.id,
                recorded_by=self.job.started_by,
            )
            self.job.created += 1
        self.session.flush()
        return problems

    def _check(
        self,
        row: int,
        lookup: str,
        person: Retiree | None,
        name: str,
        died: date,
        known: dict[int, DeathRecord],
    ) -> RowProblem | None:
        if lookup in self.seen:
            return _problem(
                row,
                "id_number",
                N_("The same ID number is on row {other}."),
                N_("Keep one row per person."),
                other=self.seen[lookup],
            )
        if person is None:
            return _problem(
                row,
                "id_number",
                N_("No retiree with this ID number in your area."),
                N_("Check the number; people of other areas are imported there."),
            )
        if name and name != person.name:
            return _problem(
                row,
                "name",
                N_("The name differs from the registry ({name})."),
                N_("Check that the row is about the right person."),
                name=person.name,
            )
        if died < person.birth_date:
            return _problem(
                row,
                "date_of_death",
                N_("The date of death is before the birth date."),
                N_("Check the date on the death certificate."),
            )
        if person.id in known and known[person.id].status == DeathStatus.REVERSED:
            return _problem(
                row,
                "id_number",
                N_("A death report for this person was reversed as wrong."),
                N_("Ask the bureau to check the person before reporting again."),
            )
        if person.id in known and known[person.id].date_of_death != died:
            return _problem(
                row,
                "date_of_death",
                N_("A death on {date} is already recorded for this person."),
                N_("Ask the bureau to correct the earlier record first."),
                date=known[person.id].date_of_death.isoformat(),
            )
        return None


def run_death_import(
    session: Session, *, job_id: int, progress: Callable[[ImportJob], None] | None = None
) -> ImportJob:
    """Process a death import; commits after every chunk (bad rows write nothing)."""
    job = session.get_one(ImportJob, job_id)
    if job.status in FINAL:
        return job
    actor, audit_actor = begin_import(session, job)
    report: list[RowProblem] = []
    today = scheduler_today(session)
    try:
        with source_file(job) as path:
            check_table(path)  # a malformed file fails here, before any row is written
            recorder = _Recorder(session, actor, job)
            chunk: list[Parsed] = []
            bad: list[RowProblem] = []
            for item in read_death_rows(path, today):
                if isinstance(item, tuple):
                    chunk.append(item)
                else:
                    bad.extend(item)
                if len(chunk) + len(bad) >= CHUNK:
                    _write(session, job, recorder, chunk, bad, report, progress)
                    chunk, bad = [], []
            _write(session, job, recorder, chunk, bad, report, progress)
    except Exception as exc:  # every failure ends the job with a message, never "running"
        fail_job(session, job, exc)
    else:
        job.status = ImportStatus.DONE
    finish_import(session, job, audit_actor=audit_actor, report=report, details={
        "kind": "deaths", "recorded": job.created, "rejected": job.rejected})
    return job


def _write(
    session: Session,
    job: ImportJob,
    recorder: _Recorder,
    chunk: list[Parsed],
    bad: list[RowProblem],
    report: list[RowProblem],
    progress: Callable[[ImportJob], None] | None,
) -> None:
    problems = bad + recorder.apply(chunk)
    report.extend(problems)
    job.rejected += len({p.row for p in problems})
    job.processed += len(chunk) + len({p.row for p in bad})
    session.commit()
    if progress:
        progress(job)


def date_of_death(session: Session, retiree_id: int) -> date | None:
    """The reported (pending or approved) date of death, or None; reversed reports do not
    count. For the certification code (no scoping)."""
    return session.scalar(
        select(DeathRecord.date_of_death).where(
            DeathRecord.retiree_id == retiree_id, DeathRecord.status != DeathStatus.REVERSED
        )
    )


def is_deceased_on(session: Session, retiree_id: int, day: date | datetime) -> bool:
    """True when a death is registered on or before ``day``."""
    died = date_of_death(session, retiree_id)
    when = day.date() if isinstance(day, datetime) else day
    return died is not None and died <= when


def alert_certified_after_death(
    session: Session, *, retiree_id: int, certified_at: datetime, reference: str = ""
) -> Alert | None:
    """High-priority alert when a certification happens after the registered date of death."""
    died = date_of_death(session, retiree_id)
    if died is None or certified_at.date() < died:
        return None
    return raise_alert(
        session,
        kind=AlertKind.CERTIFIED_AFTER_DEATH,
        severity=Severity.HIGH,
        evidence={
            "rule": "certified_after_death",
            "date_of_death": died.isoformat(),
            "certified_at": certified_at.isoformat(timespec="seconds"),
            "reference": reference,
        },
        retiree_ids=[retiree_id],
        dedup_key=f"certified_after_death:{retiree_id}:{reference or certified_at.date()}",
    )
