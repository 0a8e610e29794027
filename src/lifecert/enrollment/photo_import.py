"""Bulk import of ID photos named by ID number (a folder or a ZIP, as bureaus receive them
from the public-security photo database). Each photo is enrolled or reported with its reason."""

from __future__ import annotations

import io
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sqlalchemy.orm import Session

from lifecert.core.db import utcnow
from lifecert.core.errors import InvalidInput, LifeCertError, UnsupportedMedia
from lifecert.core.i18n import N_
from lifecert.core.queue import enqueue_after_commit
from lifecert.core.roles import Permission, Role
from lifecert.core.scoping import Actor
from lifecert.core.settings import get_settings
from lifecert.core.storage import get_blob_store
from lifecert.enrollment.models import ConsentChannel, TemplateSource
from lifecert.enrollment.service import active_consent, enroll_photo, record_consent
from lifecert.organisation.models import Staff
from lifecert.organisation.service import actor_for
from lifecert.retirees.imports import store_report
from lifecert.retirees.jobs import FINAL, fail_job, release_upload
from lifecert.retirees.models import ImportJob, ImportKind, ImportStatus
from lifecert.retirees.roster import RowProblem
from lifecert.retirees.service import find_retiree_by_id_number

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
MAX_ZIP_BYTES = 2 * 1024**3
MAX_ENTRIES = 200_000


@dataclass
class PhotoImportResult:
    enrolled: int = 0
    sent_to_review: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def iter_photos(source: Path) -> Iterator[tuple[str, bytes | None]]:
    """(file name, bytes) from a folder or ZIP; entries too large to be a photo are skipped
    with a report line by the caller (their size is checked before they are read); a damaged
    entry comes as None (reported, the rest of the archive is still imported)."""
    limit = get_settings().face.max_image_bytes
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.is_file() and path.suffix.lower() in PHOTO_SUFFIXES:
                yield path.name, path.read_bytes() if path.stat().st_size <= limit else b""
        return
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile as exc:
        raise InvalidInput("Upload a folder of photos or a .zip file.") from exc
    with archive:
        entries = [
            i
            for i in archive.infolist()
            if not i.is_dir() and PurePosixPath(i.filename).suffix.lower() in PHOTO_SUFFIXES
        ]
        if len(entries) > MAX_ENTRIES:
            raise InvalidInput(
                "The archive holds more than {n} photos; split it.", params={"n": MAX_ENTRIES}
            )
        for info in entries:
            # The declared size guards against zip bombs before anything is inflated.
            name = PurePosixPath(info.filename).name
            if info.file_size > limit:
                yield name, b""
                continue
            try:
                data: bytes | None = archive.read(info)
            except (zipfile.BadZipFile, zlib.error, OSError, NotImplementedError, EOFError):
                data = None  # a damaged or unsupported entry: one report line
            yield name, data


def import_photo(
    session: Session,
    *,
    actor: Actor,
    number: int,
    name: str,
    data: bytes | None,
    consent_collected: bool,
    result: PhotoImportResult,
) -> None:
    def problem(text: str, fix: str, **params: object) -> None:
        result.problems.append(
            RowProblem(number, name, text, fix, tuple((k, str(v)) for k, v in params.items()))
        )

    if data is None:
        return problem(
            N_("This file in the archive is damaged."), N_("Add it to the archive again.")
        )
    if not data:
        return problem(N_("The file is too large to be a photo."), N_("Export it under 8 MB."))
    try:
        retiree = find_retiree_by_id_number(
            session, actor=actor, id_number=PurePosixPath(name).stem
        )
    except LifeCertError:
        return problem(
            N_("No retiree in your area has this ID number."),
            N_("Name each photo by the person's 18-character ID number."),
        )
    savepoint = session.begin_nested()  # a refused photo leaves nothing behind
    try:
        if active_consent(session, retiree_id=retiree.id) is None:
            if not consent_collected:
                savepoint.rollback()
                return problem(
                    N_("No biometric consent is recorded for this person."),
                    N_("Collect the signed consent form, then import again."),
                )
            record_consent(
                session,
                actor=actor,
                retiree_id=retiree.id,
                channel=ConsentChannel.PAPER_IMPORT,
                given_by="signed paper form",
            )
        enrolled = enroll_photo(
            session,
            actor=actor,
            retiree_id=retiree.id,
            image_bytes=data,
            source=TemplateSource.ID_PHOTO_IMPORT,
            device="bulk import",
        )
        savepoint.commit()
    except LifeCertError as exc:
        savepoint.rollback()
        return problem(exc.message, N_("Use a clear, frontal photo of this person."), **exc.params)
    if enrolled.duplicate_of is not None:
        result.sent_to_review += 1
        problem(
            N_("Sent to review: this face looks like another registered person."),
            N_("A bureau officer will compare the two."),
        )
    else:
        result.enrolled += 1
    return None


def import_photos(
    session: Session,
    *,
    actor: Actor,
    source: Path,
    consent_collected: bool,
    progress: Callable[[int], None] | None = None,
) -> PhotoImportResult:
    actor.require(Permission.WRITE_RETIREES)
    result = PhotoImportResult()
    for number, (name, data) in enumerate(iter_photos(source), start=1):
        import_photo(
            session,
            actor=actor,
            number=number,
            name=name,
            data=data,
            consent_collected=consent_collected,
            result=result,
        )
        if progress:
            progress(number)
    return result


def start_photo_import(
    session: Session, *, actor: Actor, filename: str, data: bytes, consent_collected: bool
) -> ImportJob:
    actor.require(Permission.WRITE_RETIREES)
    if not filename.lower().endswith(".zip"):
        raise InvalidInput("Upload a .zip file of photos named by ID number.")
    if len(data) > MAX_ZIP_BYTES:
        raise InvalidInput("The archive is larger than 2 GB; split it into parts.")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnsupportedMedia("This is not a .zip file; make the archive again.")
    job = ImportJob(
        kind=ImportKind.PHOTOS,
        filename=Path(filename).name[:255],
        source_key=get_blob_store().put(data, prefix="imports"),
        started_by=actor.staff_id or None,
        options={"consent_collected": consent_collected},
    )
    session.add(job)
    session.flush()
    enqueue_after_commit(session, "enrollment.import_photos", job_id=job.id)
    return job


def run_photo_import(session: Session, *, job_id: int) -> ImportJob:
    job = session.get_one(ImportJob, job_id)
    if job.status in FINAL:
        return job
    staff = session.get(Staff, job.started_by) if job.started_by else None
    actor = actor_for(staff) if staff else Actor(0, "system", Role.PLATFORM_ADMIN, ())
    consent_collected = bool(job.options.get("consent_collected"))
    job.status = ImportStatus.RUNNING
    session.commit()
    try:
        with tempfile.TemporaryDirectory(prefix="lifecert-photos-") as folder:
            path = Path(folder) / "photos.zip"
            path.write_bytes(get_blob_store().get(job.source_key))
            result = import_photos(
                session,
                actor=actor,
                source=path,
                consent_collected=consent_collected,
                progress=lambda n: setattr(job, "processed", n),
            )
    except Exception as exc:  # a damaged archive: the job fails with a message, nothing kept
        fail_job(session, job, exc)
        release_upload(job)
        session.commit()
        return job
    job.created, job.rejected = result.enrolled, len(result.problems) - result.sent_to_review
    job.updated = result.sent_to_review
    job.total, job.status, job.finished_at = job.processed, ImportStatus.DONE, utcnow()
    job.report_key = store_report(result.problems) if result.problems else ""
    release_upload(job)
    session.commit()
    return job
