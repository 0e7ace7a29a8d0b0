"""Two servers sharing one PostgreSQL database, one Redis, one Chroma server and one data directory, as replicas do:
a `top-advisor serve --workers 2` process and an in-process uvicorn server with its own container. A
conversation started on either continues on the other; one turn at a time per conversation across them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import LiveServer, _free_port
from helpers import parse_sse, unique_collection, write_doc
from helpers_community import postgres_database
from sqlalchemy import update

from assistant.conversations import MessageRow
from assistant.tables import utcnow

pytestmark = [pytest.mark.postgres, pytest.mark.chroma_server, pytest.mark.redis]

HOSPITAL = """# 医院数据安全要点

## 患者数据

医院应对患者诊疗数据实行分类分级保护，核心业务数据库开启数据库审计，日志保存不少于六个月。
"""


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory, embedder, chroma_server, redis_url) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    from api.container import build_container
    from api.settings import Settings
    from retrieval.vector_store import ChromaConfig

    with postgres_database() as url:
        if url is None:
            if os.environ.get("CI"):
                pytest.fail("no PostgreSQL server answers at 127.0.0.1:5432")
            pytest.skip("no PostgreSQL server answers at 127.0.0.1:5432")
        root = tmp_path_factory.mktemp("replicas")
        write_doc(root / "corpus", "sol-hospital-data", HOSPITAL, kind="solution", title="医院数据安全要点",
                  industries=["healthcare"], need_categories=["data_security"])  # fmt: skip
        host, port = chroma_server
        collection = unique_collection()
        env = {k: v for k, v in os.environ.items() if not k.startswith("TOP_")} | {
            "TOP_DATA_DIR": str(root / "var"), "TOP_DATABASE_URL": url, "TOP_CORPUS_DIR": str(root / "corpus"),
            "TOP_CHROMA__MODE": "http", "TOP_CHROMA__HOST": host, "TOP_CHROMA__PORT": str(port),
            "TOP_CHROMA__COLLECTION": collection, "ANONYMIZED_TELEMETRY": "False", "TOP_REDIS_URL": redis_url,
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        }  # fmt: skip
        settings = Settings(_env_file=None, data_dir=root / "var", database_url=url, corpus_dir=root / "corpus", redis_url=redis_url,
                            chroma=ChromaConfig(mode="http", host=host, port=port, collection=collection))  # fmt: skip
        container = build_container(settings, embedder=embedder)
        container.indexer.ingest(root / "corpus")
        other_port = _free_port()
        log = (root / "serve.log").open("w")
        proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(other_port), "--workers", "2"],
                                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        try:
            with LiveServer(container, _free_port()) as here:
                other = f"http://127.0.0.1:{other_port}"
                deadline = time.monotonic() + 120
                while True:
                    try:
                        if httpx.get(f"{other}/readyz", timeout=2).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if proc.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"`serve --workers 2` did not start:\n{(root / 'serve.log').read_text()[-3000:]}")
                    time.sleep(0.3)
                yield {"here": here.url, "other": other, "container": container}
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()
            container.close()


def chat(client: httpx.Client, base: str, message: str, conversation: str | None = None) -> dict[str, Any]:
    response = client.post(f"{base}/api/chat", json={"message": message, "conversation_id": conversation},
                           headers={"Accept": "text/event-stream"})  # fmt: skip
    assert response.status_code == 200, response.text
    events = parse_sse(response.text)
    assert events[-1][0] == "done", events
    return {"conversation_id": events[0][1]["conversation_id"], "events": events}


def test_a_conversation_started_on_one_server_continues_on_the_other(replicas: dict[str, Any]) -> None:
    with httpx.Client(timeout=60) as client:  # one visitor: the anonymous cookie, signed with the shared secret
        started = chat(client, replicas["other"], "临江市第一人民医院")
        cid = started["conversation_id"]
        follow = chat(client, replicas["here"], "那他们的患者数据怎么保护？", cid)
        again = chat(client, replicas["other"], "他们的等保要做到几级？", cid)
        assert follow["conversation_id"] == again["conversation_id"] == cid
        for base in (replicas["here"], replicas["other"]):
            stored = client.get(f"{base}/api/conversations/{cid}").json()
            assert stored["customer"] == "临江市第一人民医院"  # the context came from the first server's turn
            assert [m["status"] for m in stored["messages"] if m["role"] == "assistant"] == ["complete"] * 3
        stranger = httpx.post(f"{replicas['here']}/api/chat", json={"message": "还有呢？", "conversation_id": cid},
                              headers={"Accept": "application/json"}, timeout=60)  # fmt: skip
        assert stranger.status_code == 404  # another visitor does not see it, on any server


def test_a_conversation_busy_on_one_server_is_refused_on_the_other(replicas: dict[str, Any]) -> None:
    store = replicas["container"].chat.store
    with httpx.Client(timeout=60) as client:
        cid = chat(client, replicas["other"], "临江市第一人民医院")["conversation_id"]
        # its reply as if one server were still writing it (its lease held) ...
        with replicas["container"].registry.engine.begin() as conn:
            conn.execute(update(MessageRow).where(MessageRow.conversation_id == cid, MessageRow.role == "assistant")
                         .values(status="pending", lease_until=utcnow() + store.lease))  # fmt: skip
        refused = client.post(f"{replicas['here']}/api/chat", json={"message": "那预算呢？", "conversation_id": cid},
                              headers={"Accept": "application/json"})  # fmt: skip
        assert refused.status_code == 409 and "正在生成" in refused.text  # ... refuses a new turn on the other
        store.interrupt_stale()  # nothing expired: the lease still holds
        assert client.post(f"{replicas['other']}/api/chat", json={"message": "那预算呢？", "conversation_id": cid},
                           headers={"Accept": "application/json"}).status_code == 409  # fmt: skip
