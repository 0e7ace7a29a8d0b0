"""`/api/chat` and the conversation endpoints over real HTTP (uvicorn), SSE parsed off the wire."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.usefixtures("live_server")


def sse_events(response: httpx.Response) -> Iterator[tuple[str, Any]]:
    """(event, data) pairs from a streamed SSE response, as a browser would parse them."""
    event, data = "message", []
    for line in response.iter_lines():
        if line == "":
            if data:
                yield event, json.loads("\n".join(data))
            event, data = "message", []
        elif line.startswith(":"):
            continue
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())


def chat(client: httpx.Client, message: str, conversation_id: str | None = None) -> list[tuple[str, Any]]:
    with client.stream("POST", "/api/chat", json={"message": message, "conversation_id": conversation_id}) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        return list(sse_events(response))


@pytest.fixture
def client(live_server) -> Iterator[httpx.Client]:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        yield http


def test_brief_streams_typed_events_in_order(client: httpx.Client) -> None:
    events = chat(client, "佛山市第一人民医院")
    kinds = [e for e, _ in events]
    assert kinds[:3] == ["meta", "profile", "sources"]
    assert kinds[-1] == "done" and kinds.count("delta") > 20
    profile = events[1][1]
    assert profile["industry"] == "healthcare" and profile["region"]["city"] == "佛山市"
    sources = events[2][1]["sources"]
    text = "".join(d["text"] for e, d in events if e == "delta")
    assert {int(n) for n in re.findall(r"\[(\d+)\]", text)} == {s["n"] for s in sources}
    done = events[-1][1]
    assert done["conversation_id"] == events[0][1]["conversation_id"]
    assert done["message_id"] == events[0][1]["message_id"]
    assert done["mode"] == "brief" and done["writer"] == "composer" and done["timing_ms"]["total"] > 0


def test_first_event_arrives_before_the_brief_is_written(client: httpx.Client) -> None:
    started = time.perf_counter()
    with client.stream("POST", "/api/chat", json={"message": "嘉兴银行"}) as response:
        lines = response.iter_lines()
        first = next(line for line in lines if line.startswith("event:"))
        first_at = time.perf_counter() - started
        rest = list(lines)
        total = time.perf_counter() - started
    assert first == "event: meta"
    assert first_at < total and any("event: done" in line for line in rest)


def test_follow_up_keeps_the_customer(client: httpx.Client) -> None:
    first = chat(client, "嘉兴银行")
    conversation = first[0][1]["conversation_id"]
    follow = chat(client, "那他们的数据安全呢？", conversation)
    assert all(e != "profile" for e, _ in follow), "the profile card is shown once per customer, not on every follow-up"
    text = "".join(d["text"] for e, d in follow if e == "delta")
    assert text.startswith("# 嘉兴银行") and "## 数据安全" in text and "## 网络安全" not in text
    assert follow[-1][1]["mode"] == "brief" and follow[-1][1]["intent"] == "focus"


def test_json_reply_when_asked_for(client: httpx.Client) -> None:
    response = client.post("/api/chat", json={"message": "等保三级对医院有什么要求？"}, headers={"Accept": "application/json"})
    assert response.status_code == 200
    body = response.json()
    assert body["mode"] == "answer" and body["sources"] and "[1]" in body["text"]
    assert body["conversation_id"] and body["message_id"]


def test_conversations_are_listed_read_and_deleted(client: httpx.Client) -> None:
    events = chat(client, "临江市第一人民医院")
    conversation = events[0][1]["conversation_id"]
    message_id = events[0][1]["message_id"]
    listed = client.get("/api/conversations", params={"limit": 100}).json()
    assert any(c["id"] == conversation and c["customer"] == "临江市第一人民医院" for c in listed["items"])
    detail = client.get(f"/api/conversations/{conversation}").json()
    assert [m["role"] for m in detail["messages"]] == ["user", "assistant"]
    reply = detail["messages"][1]
    assert reply["id"] == message_id and reply["status"] == "complete" and reply["sources"]
    assert reply["content"].startswith("# 临江市第一人民医院")
    assert client.post("/api/feedback", json={"message_id": message_id, "rating": "down", "comment": "缺少案例"}).json() == {"ok": True}
    assert client.post("/api/feedback", json={"message_id": message_id, "rating": "up"}).status_code == 200
    detail = client.get(f"/api/conversations/{conversation}").json()
    assert detail["messages"][1]["feedback"] == {"rating": "up", "comment": ""}
    assert client.delete(f"/api/conversations/{conversation}").status_code == 204
    assert client.get(f"/api/conversations/{conversation}").status_code == 404


@pytest.mark.parametrize(
    ("kwargs", "status", "fragment"),
    [
        ({"json": {"message": ""}}, 422, "消息不能为空"),
        ({"json": {"message": "   "}}, 422, "消息不能为空"),
        ({"json": {"message": "字" * 2001}}, 422, "消息过长"),
        ({"json": {}}, 422, "message"),
        ({"json": {"message": 5}}, 422, "message"),
        ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 422, "JSON"),
        ({"content": "嘉兴银行".encode(), "headers": {"Content-Type": "text/plain"}}, 415, "application/json"),
        ({"json": {"message": "嘉兴银行", "conversation_id": "nope"}}, 404, "对话不存在"),
    ],
)
def test_bad_chat_requests_get_a_clear_4xx(client: httpx.Client, kwargs: dict[str, Any], status: int, fragment: str) -> None:
    response = client.post("/api/chat", **kwargs)
    assert response.status_code == status, response.text
    assert fragment in json.dumps(response.json(), ensure_ascii=False)


def test_unknown_ids_are_404(client: httpx.Client) -> None:
    assert client.get("/api/conversations/unknown").status_code == 404
    assert client.delete("/api/conversations/unknown").status_code == 404
    response = client.post("/api/feedback", json={"message_id": "unknown", "rating": "up"})
    assert response.status_code == 404 and "消息不存在" in response.json()["detail"]
    assert client.post("/api/feedback", json={"message_id": "x", "rating": "meh"}).status_code == 422


def test_health_and_readiness(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["chunks"] > 1000
    assert client.get("/openapi.json").json()["info"]["title"].startswith("ToP Advisor")
