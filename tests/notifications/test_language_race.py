"""Two phones of one retiree open their first page at once: the language row is not a 500."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from lifecert.notifications import service
from lifecert.notifications.models import NotificationPreference
from tests.builders import make_city, make_community, make_retiree


def test_first_visit_racing_another_phone_updates_instead_of_failing(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    retiree = make_retiree(session, community=make_community(session, city=make_city(session)))
    # The other phone's transaction inserted the row after this one looked for it.
    session.execute(insert(NotificationPreference).values(retiree_id=retiree.id, language="zh_CN"))
    real_get = session.get

    def not_seen_yet(entity: Any, ident: Any, **kw: Any) -> Any:
        return None if entity is NotificationPreference else real_get(entity, ident, **kw)

    monkeypatch.setattr(session, "get", not_seen_yet)
    service.remember_language(session, retiree_id=retiree.id, locale="en")
    monkeypatch.undo()
    session.expire_all()
    assert service.language_of(session, retiree.id) == "en"
    service.remember_language(session, retiree_id=retiree.id, locale="zh-CN")
    assert service.language_of(session, retiree.id) == "zh_CN"
