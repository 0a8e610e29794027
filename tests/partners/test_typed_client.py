"""A typed client generated from the served OpenAPI (datamodel-code-generator) reads real
answers: a route whose answer drifts from its schema, or a schema that drifts from what
partners were promised, fails here."""

from __future__ import annotations

import importlib.util
import json
import sys
import warnings
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.partners.helpers import RETURN_URL, build_world

API = "/api/v1/partner"


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    from datamodel_code_generator import DataModelType, InputFileType, generate

    from lifecert.app import create_app

    target = tmp_path_factory.mktemp("client") / "lifecert_models.py"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        generate(json.dumps(create_app().openapi()), input_file_type=InputFileType.OpenAPI,
                 output=target, output_model_type=DataModelType.PydanticV2BaseModel)
    spec = importlib.util.spec_from_file_location("lifecert_models", target)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["lifecert_models"] = module
    spec.loader.exec_module(module)
    return module


def test_answers_parse_with_the_generated_models(
    models: ModuleType, client: TestClient, session: Session, tmp_path: Path
) -> None:
    world = build_world(session)
    me = models.KeyInfo.model_validate(client.get(f"{API}/me", headers=world.auth()).json())
    assert me.key_id == world.key_id and "read_status" in me.scopes
    page = models.RetireePage.model_validate(
        client.get(f"{API}/retirees", headers=world.auth()).json())
    assert [r.id for r in page.items] == [world.in_a.id] and page.next_cursor is None
    one = models.RetireeStatusRead.model_validate(
        client.get(f"{API}/retirees/{world.in_a.id}", headers=world.auth()).json())
    assert one.status == "active"
    started = models.VerificationStarted.model_validate(client.post(
        f"{API}/verifications", json=models.VerificationCreate(
            retiree_id=world.in_a.id, return_url=RETURN_URL).model_dump(mode="json"),
        headers={**world.auth(), "Idempotency-Key": "typed-1"}).json())
    assert "/m/verify?request=" in started.url
    body = models.SubscriptionCreate(url="https://bank.example/h",
                                     event_types=["certified"]).model_dump(mode="json")
    made = models.SubscriptionRead.model_validate(client.post(
        f"{API}/webhooks", json=body,
        headers={**world.auth(), "Idempotency-Key": "typed-2"}).json())
    assert made.event_types == ["certified"]
    problem = models.Problem.model_validate(
        client.get(f"{API}/retirees/{world.in_b.id}", headers=world.auth()).json())
    assert problem.status == 403 and problem.title == "permission_denied"
    changes = models.PaymentChangePage.model_validate(
        client.get(f"{API}/payment-changes", headers=world.auth()).json())
    assert changes.items == [] and changes.next_since_id == 0
