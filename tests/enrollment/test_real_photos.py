"""End to end with real faces: a folder of LFW photos named by ID numbers is imported through
the CLI's service and the upload page; a non-face photo comes back with its reason; a database
dump shows no readable ID number or embedding."""

from __future__ import annotations

import io
import shutil
import zipfile
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from lifecert.core.faces import use_face_engine
from lifecert.core.i18n import gettext
from lifecert.core.roles import Role
from lifecert.enrollment.models import FaceTemplate, TemplateStatus
from lifecert.enrollment.photo_import import import_photos
from lifecert.enrollment.service import decrypt_template
from lifecert.face_engine import FaceEngine, FaceEngineConfig
from lifecert.face_engine.shared_data import default_data_dir
from lifecert.retirees.idnumber import build_id_number
from tests.builders import admin_actor, login, make_city, make_community, make_staff

LFW = default_data_dir() / "lfw" / "images"
pytestmark = pytest.mark.skipif(
    not LFW.is_dir(), reason=f"real face data not found at {LFW} (see ../shared/data/README.md)"
)

PEOPLE = ["Abdul_Rahman", "Adolfo_Rodriguez_Saa", "Abdoulaye_Wade"]


@pytest.fixture
def real_engine() -> object:
    engine = FaceEngine(FaceEngineConfig())
    use_face_engine(engine)
    yield engine
    use_face_engine(None)


def _lfw(person: str, n: int = 1) -> Path:
    return LFW / person / f"{person}_{n:04d}.jpg"


def _folder(tmp_path: Path, session: Session) -> tuple[Path, list[str]]:
    community = make_community(session, city=make_city(session, code="430300", name="湘潭市"))
    folder = tmp_path / "photos"
    folder.mkdir()
    numbers = []
    for i, person in enumerate(PEOPLE):
        number = build_id_number("430102", date(1951, 2, 3 + i), 201 + i)
        from lifecert.retirees.service import NewRetiree, create_retiree

        create_retiree(session, actor=admin_actor(),
                       data=NewRetiree(id_number=number, name=person[:20],
                                       community_id=community.id))
        shutil.copy(_lfw(person), folder / f"{number}.jpg")
        numbers.append(number)
    flat = Image.new("RGB", (250, 250), (90, 120, 150))
    extra = build_id_number("430102", date(1952, 5, 5), 301)
    create_retiree(session, actor=admin_actor(),
                   data=NewRetiree(id_number=extra, name="墙壁", community_id=community.id))
    flat.save(folder / f"{extra}.jpg")
    (folder / "not-an-id.jpg").write_bytes(_lfw(PEOPLE[0]).read_bytes())
    return folder, numbers


def test_folder_import_enrolls_real_faces_and_explains_refusals(
    session: Session, tmp_path: Path, real_engine: FaceEngine
) -> None:
    folder, _ = _folder(tmp_path, session)
    result = import_photos(session, actor=admin_actor(), source=folder, consent_collected=True)
    assert result.enrolled == 3, [(p.column, p.problem) for p in result.problems]
    messages = {p.column: gettext(p.problem, **dict(p.params)) for p in result.problems}
    assert "没有看到您的脸" in next(v for k, v in messages.items() if k != "not-an-id.jpg")
    assert "身份证号" in messages["not-an-id.jpg"]
    templates = session.scalars(select(FaceTemplate)).all()
    assert len(templates) == 3 and all(t.status == TemplateStatus.ACTIVE for t in templates)
    # The stored descriptors are real: two photos of the same person match, others do not.
    same = real_engine.embed(real_engine.load(_lfw(PEOPLE[2], 2)))
    stored = {t.retiree_id: decrypt_template(t) for t in templates}
    decisions = [real_engine.compare(same, e).decision for e in stored.values()]
    assert decisions.count("accept") == 1


def test_zip_upload_page_and_database_dump_hides_secrets(
    client: TestClient, session: Session, tmp_path: Path, real_engine: FaceEngine
) -> None:
    folder, numbers = _folder(tmp_path, session)
    make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    csrf = login(client, "boss")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in folder.iterdir():
            archive.write(path, path.name)
    page = client.post("/imports/photos", data={"csrf": csrf, "consent_collected": "true"},
                       files={"file": ("photos.zip", buffer.getvalue(), "application/zip")})
    assert page.status_code == 200 and "已完成" in page.text
    assert ">3<" in page.text.replace(" ", "")  # three enrolled
    dump = _dump(session)
    for number in numbers:
        assert number.encode() not in dump
    for template in session.scalars(select(FaceTemplate)):
        vector = decrypt_template(template).vector
        assert np.asarray(vector, "<f4").tobytes()[:16] not in dump
        assert np.asarray(vector, ">f4").tobytes()[:16] not in dump
        assert f"{float(vector[0]):.6f}".encode() not in dump


def _dump(session: Session) -> bytes:
    """Every value of every table, as a backup tool would see it."""
    conn = session.connection()
    tables = [r[0] for r in conn.execute(text(
        "SELECT name FROM sqlite_master WHERE type='table'" if conn.dialect.name == "sqlite"
        else "SELECT tablename FROM pg_tables WHERE schemaname='public'"))]
    out = bytearray()
    for table in tables:
        for row in conn.execute(text(f'SELECT * FROM "{table}"')):
            for value in row:
                out += value if isinstance(value, bytes | memoryview) else str(value).encode()
                out += b"|"
    return bytes(out)
