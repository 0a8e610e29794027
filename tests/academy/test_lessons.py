"""Recorded lessons: FFmpeg to HLS with two bitrates (the shared transcode function), the
upload's size limit while streaming, a clear error for a file that is not a video, and files
served only to the class's own students."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.academy import enrolment, lessons
from lifecert.academy.models import Enrolment, EnrolmentStatus, LessonStatus
from lifecert.core.errors import InvalidInput, NotFound, PayloadTooLarge
from lifecert.core.hls import TranscodeError, transcode_to_hls
from lifecert.face_engine.shared_data import default_data_dir
from tests.academy.helpers import make_world
from tests.builders import make_city, make_community, make_retiree
from tests.system_packages import debian_binary

CLIP = default_data_dir() / "video" / "grid_lwbsza.mpg"


@pytest.fixture(autouse=True)
def _ffmpeg() -> None:
    debian_binary("ffmpeg")


def test_transcode_writes_a_master_with_two_bitrates(tmp_path: Path) -> None:
    if not CLIP.exists():
        pytest.skip(f"videos not found at {CLIP.parent}")
    master = transcode_to_hls(CLIP, tmp_path / "hls", segment_s=2)
    text = master.read_text()
    assert text.count("#EXT-X-STREAM-INF") == 2 and "360p/index.m3u8" in text
    assert list((tmp_path / "hls" / "240p").glob("seg_*.ts"))


def test_not_a_video_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.mp4"
    bad.write_bytes(b"not a video at all" * 100)
    with pytest.raises(TranscodeError, match="Not a video"):
        transcode_to_hls(bad, tmp_path / "out")


def test_upload_limit_and_job_marks_failure(session: Session) -> None:
    world = make_world(session, city=make_city(session), capacities=(3,))
    with pytest.raises(PayloadTooLarge):
        lessons.upload_lesson(session, actor=world.teacher_actor, class_id=world.classes[0].id,
                              title="太大", filename="big.mp4",
                              stream=io.BytesIO(b"0" * 3000), max_bytes=2000)
    with pytest.raises(InvalidInput):
        lessons.upload_lesson(session, actor=world.teacher_actor, class_id=world.classes[0].id,
                              title="文档", filename="notes.pdf", stream=io.BytesIO(b"%PDF"))
    lesson = lessons.upload_lesson(session, actor=world.teacher_actor,
                                   class_id=world.classes[0].id, title="坏文件",
                                   filename="bad.mp4", stream=io.BytesIO(b"junk" * 500))
    assert lessons.transcode(session, lesson_id=lesson.id) == LessonStatus.FAILED
    assert "Not a video" in lesson.error


def test_files_only_for_the_class_students(session: Session) -> None:
    if not CLIP.exists():
        pytest.skip(f"videos not found at {CLIP.parent}")
    world = make_world(session, city=make_city(session), capacities=(3,))
    community = make_community(session, city=make_city(session, code="430700", name="常德市"))
    student, outsider = (make_retiree(session, community=community, name=n)
                         for n in ("学员", "旁人"))
    enrolment.apply(session, retiree=student, class_id=world.classes[0].id)
    enrolment.run_draw(session, actor=world.actor, term_id=world.term.id, seed="lesson-seed")
    session.scalars(select(Enrolment)).one().status = EnrolmentStatus.ACCEPTED
    with CLIP.open("rb") as fh:
        lesson = lessons.upload_lesson(session, actor=world.teacher_actor,
                                       class_id=world.classes[0].id, title="第一课",
                                       filename=CLIP.name, stream=fh)
    assert lessons.transcode(session, lesson_id=lesson.id) == LessonStatus.READY
    mine = lessons.lesson_for_student(session, retiree=student, lesson_id=lesson.id)
    assert lessons.lesson_file(mine, "master.m3u8").is_file()
    with pytest.raises(NotFound):
        lessons.lesson_for_student(session, retiree=outsider, lesson_id=lesson.id)
    for name in ("../../secret", "source.mpg", "360p/../../x.ts"):
        with pytest.raises(NotFound):
            lessons.lesson_file(mine, name)
    with pytest.raises(InvalidInput):
        lessons.add_subtitles(session, actor=world.teacher_actor, lesson_id=lesson.id,
                              text="1\n00:00:00,000 --> 00:00:01,000\nSRT, not WebVTT\n")
    lessons.add_subtitles(session, actor=world.teacher_actor, lesson_id=lesson.id,
                          text="WEBVTT\n\n00:00.000 --> 00:02.000\n大家好\n")
    assert lessons.lesson_file(mine, "subtitles.vtt").read_text(encoding="utf-8").startswith(
        "WEBVTT")
    progress = lessons.save_progress(session, retiree=student, lesson_id=lesson.id,
                                     position_s=(lesson.duration_s or 3) * 0.95)
    assert progress.completed
