"""`/api/chat` with the OpenAI-compatible writer (the fake LLM server is the only stand-in):
verified sentences stream through, and a client that disconnects stops the work."""

from __future__ import annotations

import time

import httpx
from conftest import LiveServer
from fake_llm import FakeLLM, Reply
from test_chat_api import sse_events

DRIVER = "《网络安全法》第二十三条（2025年修正前为第二十一条）要求落实等级保护，并留存网络日志不少于六个月。[1]"


def driver(container, customer: str = "临江市第一人民医院") -> str:  # type: ignore[no-untyped-def]
    """DRIVER cited with the number its passage has among the brief's sources (sources are numbered in reading order)."""
    request = container.advisor.prepare(customer)
    n = next(s.n for s in request.sources if "要求落实等级保护，并留存网络日志不少于六个月" in s.text)
    return DRIVER.replace("[1]", f"[{n}]")


def test_llm_answer_streams_verified_sentences(llm_server: LiveServer, fake_llm: FakeLLM, starter_container) -> None:  # type: ignore[no-untyped-def]
    fake_llm.enqueue(Reply(driver(starter_container) + "该院一定采购了某品牌防火墙十台。[1]"))
    with httpx.Client(base_url=llm_server.url, timeout=30) as client:
        with client.stream("POST", "/api/chat", json={"message": "临江市第一人民医院"}) as response:
            events = list(sse_events(response))
    text = "".join(d["text"] for e, d in events if e == "delta")
    assert "第二十三条" in text and "十台" not in text
    assert any(e == "notice" and d["code"] == "unsupported_dropped" for e, d in events)
    assert events[-1][0] == "done" and events[-1][1]["writer"] == "openai"
    assert "[1]" in fake_llm.prompt() and "《" in fake_llm.prompt(), "the numbered sources were in the prompt"


def test_client_disconnect_stops_the_llm_stream_and_keeps_the_partial_reply(
    llm_server: LiveServer, fake_llm: FakeLLM, starter_container  # type: ignore[no-untyped-def]
) -> None:
    cited = driver(starter_container)
    fake_llm.enqueue(Reply(cited * 31, chunk_size=10, chunk_delay=0.2))
    with httpx.Client(base_url=llm_server.url, timeout=30) as client:
        with client.stream("POST", "/api/chat", json={"message": "临江市第一人民医院"}) as response:
            meta = None
            for event, data in sse_events(response):
                if event == "meta":
                    meta = data
                if event == "delta":
                    break  # the user closes the tab after the first sentence
        assert meta is not None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            stored = client.get(f"/api/conversations/{meta['conversation_id']}").json()["messages"][1]
            if stored["status"] != "pending" and fake_llm.streams and not _streaming(fake_llm):
                break
            time.sleep(0.1)
    record = fake_llm.streams[0]
    assert not _streaming(fake_llm), "the LLM stream was closed when the client went away"
    assert not record["finished"] and record["sent"] < record["pieces"], record
    assert stored["status"] == "interrupted"
    assert stored["content"].startswith("《网络安全法》第二十三条"), "what was shown is kept"


def _streaming(fake: FakeLLM) -> bool:
    """Still sending: the count grows over a short wait."""
    before = fake.streams[0]["sent"]
    time.sleep(0.5)
    return fake.streams[0]["sent"] != before
