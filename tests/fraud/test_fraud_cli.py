"""`lifecert index rebuild`, `lifecert import deaths`, `lifecert fraud rules` from the shell."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session
from typer.testing import CliRunner

from lifecert.cli import app
from lifecert.enrollment import service as enrollment
from lifecert.enrollment.models import ConsentChannel, TemplateSource
from lifecert.fraud.index import index_path
from lifecert.retirees.service import reveal_id_number
from tests.builders import admin_actor, make_city, make_community, make_retiree, noise_photo


def test_index_rebuild_saves_an_encrypted_index(session: Session) -> None:
    person = make_retiree(session, community=make_community(session, city=make_city(session)))
    enrollment.record_consent(
        session,
        actor=admin_actor(),
        retiree_id=person.id,
        channel=ConsentChannel.COUNTER,
        given_by="本人",
    )
    template = enrollment.enroll_photo(
        session,
        actor=admin_actor(),
        retiree_id=person.id,
        image_bytes=noise_photo(5),
        source=TemplateSource.STAFF_CAPTURE,
    ).template
    result = CliRunner().invoke(app, ["index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "1 templates indexed" in result.output
    assert index_path(template.model_id).exists()


def test_import_deaths_command_writes_the_report(session: Session, tmp_path: Path) -> None:
    person = make_retiree(
        session, community=make_community(session, city=make_city(session)), name="王五"
    )
    number = reveal_id_number(session, actor=admin_actor(), retiree_id=person.id)
    source = tmp_path / "deaths.csv"
    source.write_text(
        f"身份证号,死亡日期\n{number},2026-02-03\n{number[:10]},2026-02-03\n", encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["import", "deaths", str(source)])
    assert result.exit_code == 0, result.output
    assert "1 deaths recorded" in result.output and "1 rejected" in result.output
    assert (tmp_path / "deaths.errors.csv").exists()
    rules = CliRunner().invoke(app, ["fraud", "rules"])
    assert rules.exit_code == 0 and "shared_phone" in rules.output
