"""Generated requests to the case and discussion operations, signed in as a partner and as an editor, never cause
a server error (the unauthenticated fuzz in test_schema_fuzz.py stops at 401)."""

from __future__ import annotations

import pytest
import schemathesis
from conftest import LiveServer
from helpers_cases import case_body, draft, member, unique_customer
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from accounts.tables import Role

PREFIXES = ("/api/cases", "/api/discussions", "/api/community")


@pytest.fixture(scope="module")
def api_schema(live_server: LiveServer):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_url(f"{live_server.url}/openapi.json")


@pytest.mark.parametrize("role", [Role.partner, Role.editor])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_signed_in_generated_requests_never_cause_a_server_error(api_schema, live_server: LiveServer, role: Role,
                                                                 mode: GenerationMode) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    who = member(live_server, role)
    if role == Role.partner:
        draft(live_server, who, case_body(unique_customer()))  # something of its own to find
    failures: list[str] = []
    operations = [r.ok() for r in api_schema.get_all_operations()]
    operations = [op for op in operations if op.path.startswith(PREFIXES)]
    assert len(operations) >= 25
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
        def check(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(headers=who.headers, timeout=120)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.body!r}: {response.status_code} {response.text[:200]}")

        try:
            check()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, operation.label
    assert failures == []
