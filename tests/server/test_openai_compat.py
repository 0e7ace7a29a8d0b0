"""`/v1` through the official `openai` client against real uvicorn: ToP Advisor as an OpenAI model."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from conftest import LiveServer
from fake_llm import FakeLLM, Reply
from test_chat_llm import driver

MODEL = "top-advisor"
DRIVER = "《网络安全法》第二十三条（2025年修正前为第二十一条）要求落实等级保护，并留存网络日志不少于六个月。[1]"


def _client(server: LiveServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0, timeout=60)


@pytest.fixture
def client(live_server: LiveServer) -> openai.OpenAI:
    return _client(live_server)


def ask(client: openai.OpenAI, *messages: tuple[str, str]) -> tuple[str, list[dict[str, Any]]]:
    """(content, citations) of a non-streamed completion."""
    completion = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": role, "content": text} for role, text in messages],  # type: ignore[misc]
    )
    assert completion.object == "chat.completion" and completion.id.startswith("chatcmpl-")
    assert completion.choices[0].finish_reason == "stop" and completion.choices[0].message.role == "assistant"
    return completion.choices[0].message.content or "", (completion.model_extra or {})["citations"]


def stream(client: openai.OpenAI, *messages: tuple[str, str]) -> list[Any]:
    chunks = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": role, "content": text} for role, text in messages],
        stream=True,  # type: ignore[misc]
    )
    return list(chunks)


def joined(chunks: list[Any]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def markers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\[(\d+)\]", text)}


def source_list(content: str) -> list[str]:
    assert "\n\n来源：\n" in content, content[-500:]
    lines = content.split("\n\n来源：\n", 1)[1].strip().splitlines()
    assert all(line.startswith("- [") for line in lines), lines
    return [line.removeprefix("- ") for line in lines]


def test_the_model_is_listed(client: openai.OpenAI) -> None:
    models = client.models.list()
    assert [m.id for m in models.data] == [MODEL]
    assert models.data[0].owned_by == MODEL and isinstance(models.data[0].created, int)


def test_brief_comes_with_markers_a_source_list_and_citations(client: openai.OpenAI) -> None:
    content, citations = ask(client, ("user", "佛山市第一人民医院"))
    assert content.startswith("> 客户画像（系统推断，供核对）：行业：医疗卫生")
    assert "# 佛山市第一人民医院：客户需求简报" in content
    numbers = {c["n"] for c in citations}
    assert markers(content) and markers(content) <= numbers
    listed = source_list(content)
    assert [int(line[1 : line.index("]")]) for line in listed] == sorted(numbers)
    first = citations[0]
    assert set(first) == {"n", "doc_id", "chunk_id", "title", "locator", "issuer", "url", "text"}
    assert first["text"] and first["doc_id"] and listed[0].startswith(f"[1] 《{first['title']}》")


def test_stream_sends_role_then_content_then_stop_with_citations(client: openai.OpenAI) -> None:
    chunks = stream(client, ("user", "佛山市第一人民医院"))
    assert all(c.object == "chat.completion.chunk" and c.model == MODEL for c in chunks)
    assert len({c.id for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    assert sum(1 for c in chunks if c.choices and c.choices[0].delta.content) > 20
    final = chunks[-1]
    assert final.choices[0].finish_reason == "stop" and not final.choices[0].delta.content
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])
    citations = (final.model_extra or {})["citations"]
    content, expected = ask(client, ("user", "佛山市第一人民医院"))
    assert joined(chunks) == content, "streamed and whole replies are the same text (the composer is deterministic)"
    assert citations == expected


def test_stream_ends_with_done_on_the_wire(live_server: LiveServer) -> None:
    body = {
        "model": MODEL,
        "stream": True,
        "stream_options": {"include_usage": True},
        "messages": [{"role": "user", "content": "等保三级对医院有什么要求？"}],
    }
    with httpx.Client(base_url=live_server.url, timeout=60) as http:
        with http.stream("POST", "/v1/chat/completions", json=body) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = [line for line in response.iter_lines() if line and not line.startswith(":")]
    assert all(line.startswith("data: ") for line in lines), "no event names: OpenAI's format"
    assert lines[-1] == "data: [DONE]"
    assert '"usage"' in lines[-2] and '"choices": []' in lines[-2]


def test_follow_up_takes_the_customer_from_earlier_messages(client: openai.OpenAI) -> None:
    content, citations = ask(
        client, ("system", "你是渠道参谋。"), ("user", "嘉兴银行"), ("assistant", "..."), ("user", "那他们的数据安全呢？")
    )
    assert "嘉兴银行" in content and "## 数据安全" in content and "## 网络安全" not in content
    assert citations and markers(content) <= {c["n"] for c in citations}


def test_follow_up_keeps_the_customer_of_the_conversation(client: openai.OpenAI) -> None:
    brief, _ = ask(client, ("user", "嘉兴银行"))
    content, _ = ask(client, ("user", "嘉兴银行"), ("assistant", brief), ("user", "那他们的数据安全呢？"))
    assert content.startswith("# 嘉兴银行：客户需求简报") and "## 数据安全" in content and "## 网络安全" not in content


def test_a_clarification_completes_the_customer_asked_about(client: openai.OpenAI) -> None:
    asked, citations = ask(client, ("user", "北辰云帆"))
    assert "暂时无法判断“北辰云帆”" in asked and "可选回答：" in asked and citations == []
    content, _ = ask(client, ("user", "北辰云帆"), ("assistant", asked), ("user", "制造业"))
    assert "行业：制造业" in content and "\n# 北辰云帆：客户需求简报" in content  # the name asked about, not a customer "制造业"


def test_content_parts_are_read_as_text(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": [{"type": "text", "text": "佛山市第一人民医院"}]}]
    )
    assert "# 佛山市第一人民医院：客户需求简报" in (completion.choices[0].message.content or "")


def test_a_question_outside_the_corpus_is_not_answered(client: openai.OpenAI) -> None:
    content, citations = ask(client, ("user", "火星基地的氧气循环系统怎么维护？"))
    assert "知识库中没有找到" in content
    assert "\n\n来源：\n" not in content, "the nearest sources are listed by the reply itself"
    assert markers(content) <= {c["n"] for c in citations}


@pytest.mark.parametrize(
    ("messages", "model", "error", "fragment"),
    [
        ([{"role": "system", "content": "你好"}], MODEL, openai.BadRequestError, "没有 user 消息"),
        ([{"role": "user", "content": "   "}], MODEL, openai.BadRequestError, "消息不能为空"),
        ([{"role": "user", "content": "字" * 2001}], MODEL, openai.BadRequestError, "消息过长"),
        (
            [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}],
            MODEL,
            openai.BadRequestError,
            "消息不能为空",
        ),
        ([], MODEL, openai.BadRequestError, "messages"),
        ([{"role": "user", "content": "嘉兴银行"}], "gpt-4o", openai.NotFoundError, "gpt-4o"),
    ],
    ids=["no-user", "empty", "too-long", "no-text", "no-messages", "unknown-model"],
)
def test_bad_requests_raise_openai_errors(
    client: openai.OpenAI, messages: list[dict[str, Any]], model: str, error: type[Exception], fragment: str
) -> None:
    with pytest.raises(error) as raised:
        client.chat.completions.create(model=model, messages=messages)  # type: ignore[arg-type]
    assert fragment in raised.value.message  # type: ignore[attr-defined]
    body = raised.value.body  # type: ignore[attr-defined]
    assert body["type"] == "invalid_request_error" and "message" in body
    if model != MODEL:
        assert body["code"] == "model_not_found" and body["param"] == "model"


@pytest.mark.parametrize(
    ("content", "content_type", "status", "fragment"),
    [
        (b"{not json", "application/json", 400, "JSON"),
        (b'{"messages": "hi"}', "application/json", 400, "messages"),
        ("嘉兴银行".encode(), "text/plain", 415, "application/json"),
    ],
)
def test_raw_bad_bodies_get_openai_shaped_errors(
    live_server: LiveServer, content: bytes, content_type: str, status: int, fragment: str
) -> None:
    response = httpx.post(
        live_server.url + "/v1/chat/completions", content=content, headers={"Content-Type": content_type}, timeout=30
    )
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert fragment in error["message"] and error["type"] == "invalid_request_error"
    assert set(error) == {"message", "type", "param", "code"}


def test_other_api_errors_keep_their_shape(live_server: LiveServer) -> None:
    response = httpx.post(
        live_server.url + "/api/chat", content=b"{not json", headers={"Content-Type": "application/json"}, timeout=30
    )
    assert response.status_code == 422 and "detail" in response.json()


# -- through the LLM writer -----------------------------------------------------------------


@pytest.fixture
def llm_client(llm_server: LiveServer) -> Iterator[openai.OpenAI]:
    yield _client(llm_server)


def test_llm_answer_is_citation_checked_and_cited(llm_client: openai.OpenAI, fake_llm: FakeLLM, starter_container) -> None:  # type: ignore[no-untyped-def]
    cited = driver(starter_container)
    n = int(cited.rsplit("[", 1)[1].rstrip("]"))
    fake_llm.enqueue(Reply(cited + "该院一定采购了某品牌防火墙十台。[1]"))
    content, citations = ask(llm_client, ("user", "临江市第一人民医院"))
    assert "第二十三条" in content and "十台" not in content
    assert "\n\n> 注意：已删除 1 句无法在所列来源中核实的内容" in content
    body = content.split("\n\n来源：\n", 1)[0]
    source = next(c for c in citations if c["n"] == n)
    assert markers(body) == {n} and "第二十三条" in source["locator"] + source["text"]
    assert source_list(content)[0].startswith("[1] 《")
    assert "[1]" in fake_llm.prompt(), "the numbered sources were in the LLM's prompt"


def test_replaced_llm_text_is_separated_in_a_stream_and_dropped_when_whole(llm_client: openai.OpenAI, fake_llm: FakeLLM) -> None:
    reply = Reply("以下按四类需求分述。\n" + "该院一定采购了某品牌防火墙十台。[1]")
    fake_llm.enqueue(reply, reply)
    streamed = joined(stream(llm_client, ("user", "临江市第一人民医院")))
    content, _ = ask(llm_client, ("user", "临江市第一人民医院"))
    assert streamed.index("以下按四类需求分述") < streamed.index("> 注意：") < streamed.index("\n\n---\n\n")
    assert "# 临江市第一人民医院：客户需求简报" in streamed.split("\n\n---\n\n", 1)[1]
    assert "以下按四类需求分述" not in content and "---" not in content
    assert "> 注意：" in content and "# 临江市第一人民医院：客户需求简报" in content
