"""Operations over real HTTP (issue 20, item 6): Prometheus metrics at /metrics, JSON access logs carrying the
request id of the error responses, and readiness that fails with a reason.

Counters are per process and every live server in this run shares them, so each test compares a scrape
before with one after.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from conftest import LiveServer, _free_port
from fake_llm import Fail
from fastapi.testclient import TestClient
from pydantic import SecretStr
from test_auth_api import log_in, make_account
from test_login_throttle_api import POLICY, login, new_user, serving

from accounts.tables import Role

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = {"X-Forwarded-For": "203.0.113.7"}  # uvicorn trusts the loopback proxy: the caller is this address
JSON = {"Accept": "application/json"}


def scrape(server: LiveServer, headers: dict[str, str] | None = None) -> dict[str, float]:
    reply = httpx.get(f"{server.url}/metrics", headers=headers or {})
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/plain")
    return samples(reply.text)


def samples(text: str) -> dict[str, float]:
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def delta(before: dict[str, float], after: dict[str, float], name: str) -> float:
    return after.get(name, 0.0) - before.get(name, 0.0)


def test_requests_are_counted_by_route_template_never_by_raw_path(live_server: LiveServer) -> None:
    before = scrape(live_server)
    secret_id = "c0ffee" + uuid.uuid4().hex[:20]
    for _ in range(2):
        assert httpx.get(f"{live_server.url}/api/conversations/{secret_id}").status_code == 404
    assert httpx.get(f"{live_server.url}/no/such/page-{secret_id}").status_code == 404
    text = httpx.get(f"{live_server.url}/metrics").text
    after = samples(text)
    route = 'method="GET",route="/api/conversations/{conversation_id}",status="404"'
    assert delta(before, after, f"top_http_requests_total{{{route}}}") == 2
    assert delta(before, after, 'top_http_requests_total{method="GET",route="unmatched",status="404"}') == 1
    assert secret_id not in text
    count = 'top_http_request_seconds_count{method="GET",route="/api/conversations/{conversation_id}"}'
    assert delta(before, after, count) == 2


def test_answers_by_mode_and_writer_and_the_index_gauges(live_server: LiveServer) -> None:
    before = scrape(live_server)
    reply = httpx.post(f"{live_server.url}/api/chat", json={"message": "等保三级对医院有什么要求？"}, headers=JSON, timeout=60)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    after = scrape(live_server)
    assert delta(before, after, f'top_answers_total{{mode="{body["mode"]}",writer="composer"}}') == 1
    container = live_server.container
    assert after['top_index_chunks{store="keyword"}'] == container.keyword_index.count() > 0
    assert after['top_index_chunks{store="vector"}'] == container.vector_store.count()
    assert after["top_index_generation"] == container.keyword_index.generation()
    assert after["top_index_documents"] >= 1 and 'top_ingest_queue{state="in_review"}' in after


def test_an_llm_failure_counts_a_fallback(starter_container, _fake_llm_server) -> None:  # type: ignore[no-untyped-def]
    from api.recording import TurnRecorder
    from assistant.advisor import Advisor
    from assistant.chat import ChatService
    from assistant.composer import ComposerWriter
    from assistant.openai_writer import OpenAIWriter, WriterConfig
    from assistant.planner import Planner

    base = starter_container
    config = WriterConfig(kind="openai", base_url=_fake_llm_server.base_url, model="fake-model", timeout=10)
    advisor = Advisor(profiler=base.profiler, planner=Planner(base.retriever), retriever=base.retriever,
                      writer=OpenAIWriter(config, fallback=ComposerWriter()))  # fmt: skip
    chat = ChatService(advisor, base.chat.store, on_complete=TurnRecorder(base.insights, base.accounts, base.widgets))
    _fake_llm_server.reset()
    for _ in range(4):
        _fake_llm_server.enqueue(Fail(503, message="upstream down"))
    with LiveServer(dataclasses.replace(base, advisor=advisor, chat=chat), _free_port()) as server:
        before = scrape(server)
        reply = httpx.post(f"{server.url}/api/chat", json={"message": "等保三级对医院有什么要求？"}, headers=JSON, timeout=60)
        assert any(n["code"] == "llm_fallback" for n in reply.json()["notices"]), reply.json()
        after = scrape(server)
    _fake_llm_server.reset()
    assert delta(before, after, "top_llm_fallbacks_total") == 1
    assert delta(before, after, f'top_answers_total{{mode="{reply.json()["mode"]}",writer="{reply.json()["writer"]}"}}') == 1


def test_login_throttle_refusals_are_counted(starter_container) -> None:  # type: ignore[no-untyped-def]
    from accounts.throttle import MemoryThrottleStore

    with serving(starter_container, MemoryThrottleStore(), POLICY) as server:
        before = scrape(server)
        email = new_user(starter_container)
        codes = [login(server, email, "wrong-password-1").status_code for _ in range(6)]
        after = scrape(server)
    assert codes.count(429) >= 1
    name = 'top_refusals_total{kind="login_throttle",route="/api/auth/login"}'
    assert delta(before, after, name) == codes.count(429)


def test_metrics_are_for_loopback_a_token_bearer_or_an_admin(starter_container) -> None:  # type: ignore[no-untyped-def]
    settings = starter_container.settings.model_copy(update={"metrics_token": SecretStr("scrape-" + "x" * 24)})
    with LiveServer(dataclasses.replace(starter_container, settings=settings), _free_port()) as server:
        refused = httpx.get(f"{server.url}/metrics", headers=OUTSIDE)
        assert refused.status_code == 403 and "TOP_METRICS_TOKEN" in refused.json()["detail"]
        wrong = httpx.get(f"{server.url}/metrics", headers={**OUTSIDE, "Authorization": "Bearer scrape-nope"})
        assert wrong.status_code == 403
        token = httpx.get(f"{server.url}/metrics", headers={**OUTSIDE, "Authorization": f"Bearer scrape-{'x' * 24}"})
        assert token.status_code == 200 and "top_http_requests_total" in token.text
        partner = log_in(server, make_account(server, Role.partner))
        assert httpx.get(f"{server.url}/metrics", headers={**OUTSIDE, **partner.cookie()}).status_code == 403
        admin = log_in(server, make_account(server, Role.admin))
        assert httpx.get(f"{server.url}/metrics", headers={**OUTSIDE, **admin.cookie()}).status_code == 200
        assert httpx.get(f"{server.url}/metrics").status_code == 200  # loopback, as a local scraper


def test_json_logs_carry_the_request_id_route_status_and_latency(starter_container, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    from api.app import create_app

    settings = starter_container.settings.model_copy(update={"log_format": "json"})
    app = create_app(container=dataclasses.replace(starter_container, settings=settings))

    def boom() -> None:
        raise RuntimeError("kaboom in a route")

    app.add_api_route("/api/boom", boom)
    try:
        with TestClient(app) as client:
            capsys.readouterr()
            missing = client.get("/api/conversations/not-a-real-one", headers={"X-Request-ID": "trace-0001-abcdef"})
            failed = client.get("/api/boom")
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    finally:
        from api.logs import configure_logging

        configure_logging("text")
    assert missing.status_code == 404 and failed.status_code == 500
    access = {line["request_id"]: line for line in lines if line["logger"] == "api.access"}
    first = access["trace-0001-abcdef"]
    assert first["route"] == "/api/conversations/{conversation_id}" and first["status"] == 404
    assert first["method"] == "GET" and first["latency_ms"] >= 0 and first["level"] == "INFO"
    request_id = failed.json()["request_id"]
    assert access[request_id]["status"] == 500 and access[request_id]["route"] == "/api/boom"
    crash = [line for line in lines if line["level"] == "ERROR" and line["request_id"] == request_id]
    assert crash and "kaboom in a route" in crash[0]["exc_info"]


def test_readiness_fails_with_a_reason_while_the_index_is_empty_or_the_database_is_down(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    from helpers_community import PG_ADMIN, postgres_database
    from sqlalchemy import create_engine, text

    from api.container import build_container
    from api.settings import Settings

    with postgres_database() as url:
        if url is None:
            pytest.skip("no PostgreSQL server answers on 127.0.0.1:5432")
        container = build_container(Settings(_env_file=None, data_dir=tmp_path / "var", database_url=url), embedder=embedder)
        try:
            with LiveServer(container, _free_port()) as server:
                assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
                empty = httpx.get(f"{server.url}/readyz")
                assert empty.status_code == 503
                assert empty.json()["checks"]["database"] == "ok" and "corpus ingest" in empty.json()["reason"]
                container.indexer.ingest(container.settings.corpus_dir)
                ready = httpx.get(f"{server.url}/readyz")
                assert ready.status_code == 200 and ready.json()["ready"] is True and ready.json()["chunks"] > 0
                admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
                with admin.connect() as conn:  # the database goes away under the running server
                    conn.execute(text(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
                admin.dispose()
                down = httpx.get(f"{server.url}/readyz")
                assert down.status_code == 503 and down.json()["checks"]["database"] != "ok"
                assert "database" in down.json()["reason"] and down.json()["checks"]["keyword_index"] == "ok"
                assert httpx.get(f"{server.url}/healthz").status_code == 200  # liveness stays cheap
        finally:
            container.close()


def test_multiprocess_mode_sums_the_counters_of_every_worker(tmp_path: Path) -> None:
    """`serve --workers N`: with PROMETHEUS_MULTIPROC_DIR each worker writes its counters there and a scrape
    in any worker reports the sum (two real processes count, a third renders)."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    count = ("from api.metrics import observe_request\n"
             "for _ in range(3): observe_request({'method': 'GET', 'route': None}, 200, 0.01)\n")  # fmt: skip
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True, timeout=60)
    shown = subprocess.run([sys.executable, "-c", "import sys; from api.metrics import render; sys.stdout.write(render(None).decode())"],
                           env=env, check=True, timeout=60, capture_output=True, text=True).stdout  # fmt: skip
    found = samples(shown)
    assert found['top_http_requests_total{method="GET",route="unmatched",status="200"}'] == 6
    assert re.search(r'top_http_request_seconds_count\{method="GET",route="unmatched"\} 6', shown)
