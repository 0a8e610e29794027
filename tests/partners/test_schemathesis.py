"""schemathesis over the whole OpenAPI against a live server: no answer may be a server
error. Partner routes are called with a full-scope partner key, the rest with a platform
administrator's API token, so every operation is exercised past its authentication.

Bounded for CI: ``SCHEMATHESIS_EXAMPLES`` examples per operation (default 6), no shrinking.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from sqlalchemy.orm import Session

from lifecert.core.roles import Role
from lifecert.identity.service import create_api_token
from lifecert.partners import keys, service
from lifecert.partners.models import PartnerScope
from tests.builders import admin_actor, make_city, make_community, make_retiree, make_staff
from tests.live_server import LiveServer, live_server

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "6"))
# Last: it may revoke the very token the run uses.
STATUS: list[int] = []  # every answer's status code, for the check at the end
LAST = {("DELETE", "/api/v1/auth/tokens/{token_id}")}


def _seed(session: Session) -> dict[str, str]:
    city = make_city(session)
    for n in range(2):
        make_retiree(session, community=make_community(session, city=city), name=f"老人{n}",
                     birth=date(1950, 1, 1 + n))
    partner, _secret = service.create_partner(session, actor=admin_actor(), code="fuzz",
                                              name="Fuzz", return_urls="https://p.example/r")
    _key, partner_key = keys.issue_key(session, actor=admin_actor(), partner=partner,
                                       scopes=list(PartnerScope), region_ids=[city.id],
                                       rate_per_minute=100_000)
    admin = make_staff(session, role=Role.PLATFORM_ADMIN, username="fuzzadmin")
    _token, staff_token = create_api_token(session, staff=admin, name="fuzz")
    return {"partner": partner_key, "staff": staff_token}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    with live_server("fuzz", folder, _seed) as running:
        yield running


def _operations(spec: dict[str, Any]) -> list[Any]:
    schema = schemathesis.openapi.from_dict(spec)
    operations = [result.ok() for result in schema.get_all_operations()]
    return sorted(operations, key=lambda o: (o.method.upper(), o.path) in LAST)


def _runner(operation: Any, http: httpx.Client, token: str, failures: list[str]) -> Any:
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def call(case: Any) -> None:
        response = case.call(base_url=str(http.base_url).rstrip("/"),
                             headers={"Authorization": f"Bearer {token}"}, timeout=120)
        STATUS.append(response.status_code)
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} {response.status_code} "
                            f"query={case.query!r:.200} body={case.body!r:.300}")

    return call


def test_no_server_errors_anywhere(server: tuple[LiveServer, dict[str, str]]) -> None:
    live, tokens = server
    spec = httpx.get(f"{live.base}/api/openapi.json", timeout=30).json()
    failures: list[str] = []
    STATUS.clear()
    with httpx.Client(base_url=live.base, timeout=120) as http:
        for operation in _operations(spec):
            partner = operation.path.startswith("/api/v1/partner/")
            _runner(operation, http, tokens["partner" if partner else "staff"], failures)()
    # The keys work: most answers got past authentication (a run of 401s proves nothing).
    ok, refused = sum(200 <= c < 300 for c in STATUS), STATUS.count(401)
    assert ok > 5 * refused and ok > 100, (ok, refused)
    server_log = live.log.read_text(errors="replace")[-4000:] if failures else ""
    assert not failures, "\n".join(failures[:30]) + "\n" + server_log
