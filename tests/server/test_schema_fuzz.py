"""Schemathesis against the live OpenAPI schema: generated requests never cause a server error.

The operations are driven through hypothesis directly (schemathesis' pytest
fixture integration reads a private pytest attribute that pytest 9 removed).
"""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable


@pytest.fixture(scope="module")
def api_schema(live_server):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_url(f"{live_server.url}/openapi.json")


def _operations(api_schema):  # type: ignore[no-untyped-def]
    return [result.ok() for result in api_schema.get_all_operations()]


def test_schema_lists_the_chat_and_openai_operations(api_schema) -> None:  # type: ignore[no-untyped-def]
    labels = {f"{op.method.upper()} {op.path}" for op in _operations(api_schema)}
    assert {"POST /api/chat", "GET /api/conversations", "POST /api/feedback", "GET /healthz"} <= labels


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_generated_requests_never_cause_a_server_error(api_schema, mode: GenerationMode) -> None:  # type: ignore[no-untyped-def]
    failures: list[str] = []
    for operation in _operations(api_schema):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
        def check(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(timeout=60)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.body!r}: {response.status_code} {response.text[:200]}")

        try:
            check()
        except Unsatisfiable:  # nothing to make invalid (e.g. GET /healthz has no parameters)
            assert mode is GenerationMode.NEGATIVE, operation.label
    assert failures == []
