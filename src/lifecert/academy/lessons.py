"""Recorded lessons: the teacher's upload (streamed to disk under a size limit), an FFmpeg job
to HLS with two bitrates, files served only to the institution's staff and the class's
students, and each student's progress."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import BinaryIO

from fastapi.responses import FileResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.academy import policy
from lifecert.academy.models import (
    Enrolment,
    EnrolmentStatus,
    Lesson,
    LessonProgress,
    LessonStatus,
)
from lifecert.audit import service as audit
from lifecert.core.errors import InvalidInput, NotFound, PayloadTooLarge
from lifecert.core.hls import TranscodeError, probe, transcode_to_hls
from lifecert.core.queue import enqueue_after_commit
from lifecert.core.scoping import Actor
from lifecert.core.settings import get_settings
from lifecert.retirees.models import Retiree

MAX_LESSON_BYTES = 200 * 1024 * 1024  # under the request cap (core.bodylimit)
VIDEO_TYPES = (".mp4", ".mov", ".mpg", ".mpeg", ".webm", ".mkv", ".avi")
# What may be asked for under a lesson: the master, a rendition's playlist or its segments.
HLS_FILE = re.compile(
    r"^(master\.m3u8|[0-9a-z]{2,8}/(index\.m3u8|seg_\d{3,5}\.ts)|subtitles\.vtt)$")
_CHUNK = 1024 * 1024


def lesson_dir(lesson_id: int) -> Path:
    return get_settings().data_dir / "academy" / "lessons" / str(lesson_id)


def _save_stream(stream: BinaryIO, target: Path, max_bytes: int) -> int:
    target.parent.mkdir(parents=True, exist_ok=True)
    total = 0
    with target.open("wb") as out:
        while chunk := stream.read(_CHUNK):
            total += len(chunk)
            if total > max_bytes:
                out.close()
                target.unlink(missing_ok=True)
                raise PayloadTooLarge("The file is larger than {mb} MB.",
                                      params={"mb": max_bytes >> 20})
            out.write(chunk)
    if total == 0:
        target.unlink(missing_ok=True)
        raise InvalidInput("The file is empty.")
    return total


def upload_lesson(session: Session, *, actor: Actor, class_id: int, title: str, filename: str,
                  stream: BinaryIO, max_bytes: int = MAX_LESSON_BYTES) -> Lesson:
    """Store the upload and queue its transcode (after the caller commits)."""
    row = policy.teaching_class(session, actor, class_id)
    suffix = Path(filename).suffix.lower()
    if suffix not in VIDEO_TYPES:
        raise InvalidInput("Upload a video file (MP4, MOV, MPG, WebM, MKV or AVI).")
    if not title.strip():
        raise InvalidInput("A lesson needs a title.")
    lesson = Lesson(institution_id=row.institution_id, class_id=row.id, title=title.strip()[:200],
                    source_name=Path(filename).name[:255], uploaded_by=actor.staff_id or None)
    session.add(lesson)
    session.flush()
    size = _save_stream(stream, lesson_dir(lesson.id) / f"source{suffix}", max_bytes)
    audit.record(session, actor=actor, action="academy.lesson_uploaded",
                 target_type="academy_lesson", target_id=lesson.id, details={"bytes": size})
    enqueue_after_commit(session, "academy.transcode_lesson", lesson_id=lesson.id)
    return lesson


def add_subtitles(session: Session, *, actor: Actor, lesson_id: int, text: str) -> Lesson:
    lesson = policy.scoped(session, actor, Lesson, lesson_id)
    policy.teaching_class(session, actor, lesson.class_id)
    if not text.lstrip("\ufeff").startswith("WEBVTT"):
        raise InvalidInput("Subtitles must be a WebVTT file (it starts with WEBVTT).")
    (lesson_dir(lesson.id)).mkdir(parents=True, exist_ok=True)
    (lesson_dir(lesson.id) / "subtitles.vtt").write_text(text, encoding="utf-8")
    lesson.has_subtitles = True
    return lesson


def transcode(session: Session, *, lesson_id: int) -> LessonStatus:
    """The job: FFmpeg to HLS; idempotent (a ready lesson is left as it is)."""
    lesson = session.get(Lesson, lesson_id)
    if lesson is None or lesson.status == LessonStatus.READY:
        return lesson.status if lesson else LessonStatus.FAILED
    folder = lesson_dir(lesson.id)
    sources = sorted(folder.glob("source.*"))
    if not sources:
        lesson.status, lesson.error = LessonStatus.FAILED, "The uploaded file is missing."
        return lesson.status
    lesson.status = LessonStatus.TRANSCODING
    try:
        lesson.duration_s = float(probe(sources[0])["duration_s"])  # type: ignore[arg-type]
        transcode_to_hls(sources[0], folder)
    except TranscodeError as exc:
        lesson.status, lesson.error = LessonStatus.FAILED, str(exc)[:2000]
        return lesson.status
    sources[0].unlink(missing_ok=True)  # the HLS renditions are what is kept
    lesson.status, lesson.error = LessonStatus.READY, ""
    return lesson.status


def _student_of(session: Session, retiree: Retiree, class_id: int) -> bool:
    return session.scalar(select(Enrolment.id).where(
        Enrolment.class_id == class_id, Enrolment.retiree_id == retiree.id,
        Enrolment.status == EnrolmentStatus.ACCEPTED)) is not None


def lesson_for_student(session: Session, *, retiree: Retiree, lesson_id: int) -> Lesson:
    lesson = session.get(Lesson, lesson_id)
    if lesson is None or not _student_of(session, retiree, lesson.class_id):
        raise NotFound("No such lesson.")
    return lesson


def lesson_for_staff(session: Session, *, actor: Actor, lesson_id: int) -> Lesson:
    return policy.scoped(session, actor, Lesson, lesson_id)


def lesson_file(lesson: Lesson, name: str) -> Path:
    """A file of a ready lesson; anything else (another path, a missing file) is not found."""
    if lesson.status != LessonStatus.READY or not HLS_FILE.match(name):
        raise NotFound("No such file.")
    path = lesson_dir(lesson.id) / name
    if not path.is_file():
        raise NotFound("No such file.")
    return path


def save_progress(session: Session, *, retiree: Retiree, lesson_id: int,
                  position_s: float) -> LessonProgress:
    lesson = lesson_for_student(session, retiree=retiree, lesson_id=lesson_id)
    row = session.scalar(select(LessonProgress).where(
        LessonProgress.lesson_id == lesson.id, LessonProgress.retiree_id == retiree.id))
    if row is None:
        row = LessonProgress(lesson_id=lesson.id, retiree_id=retiree.id)
        session.add(row)
    row.position_s = max(0.0, float(position_s))
    if lesson.duration_s and row.position_s >= 0.9 * lesson.duration_s:
        row.completed = True
    session.flush()
    return row


def lessons_of_class(session: Session, *, class_id: int) -> list[Lesson]:
    return list(session.scalars(select(Lesson).where(Lesson.class_id == class_id)
                                .order_by(Lesson.id)))


def delete_files(lesson_id: int) -> None:
    shutil.rmtree(lesson_dir(lesson_id), ignore_errors=True)


MEDIA_TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".ts": "video/mp2t", ".vtt": "text/vtt"}


def file_response(path: Path) -> FileResponse:
    """A lesson file, private to the viewer (never cached by a shared proxy)."""
    return FileResponse(path, media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
                        headers={"Cache-Control": "private, max-age=300"})
