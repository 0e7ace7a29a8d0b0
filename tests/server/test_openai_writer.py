"""`OpenAIWriter` against a real OpenAI-compatible server (tests/fake_llm.py), falling back to the real composer.

Sources are real starter-corpus chunks; the plan is built by hand from their sentences.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from fake_llm import Broken, Fail, FakeLLM, Reply
from pydantic import SecretStr

from assistant.citations import check_citations
from assistant.composer import ComposerWriter, source_ref
from assistant.events import DeltaEvent, NoticeEvent
from assistant.models import CategoryPlan, Claim, Need, NeedsPlan, Profile, SourceRef
from assistant.openai_writer import OpenAIWriter, WriterConfig
from assistant.outline import Section, brief_outline
from assistant.writer_plugins import make_writer
from assistant.writers import WriteRequest, WriterEvent
from corpus import STARTER_DIR
from corpus.validate import parse_file
from retrieval.chunking import chunk_document

HOSPITAL = Profile(name="临江市第一人民医院", industry="healthcare", segment="三级医院", mlps_level=3, confidence=0.9)


def _source(n: int, path: str, locator: str) -> SourceRef:
    document, problems = parse_file(STARTER_DIR / path)
    assert document is not None, problems
    chunk = next(c for c in chunk_document(document) if c.locator == locator)
    return source_ref(n, chunk)


SOURCES = [
    _source(1, "faq/faq-log-retention-period.md", "《网络安全法》：网络日志不少于六个月"),
    _source(2, "faq/faq-hospital-mlps-level3.md", "哪些系统要做三级"),
    _source(3, "faq/faq-hospital-mlps-level3.md", "卫健行业的附加要求"),
    _source(4, "solutions/sol-database-audit.md", "部署方式与选型要点"),
]


def _claim(n: int, sentence: str) -> Claim:
    source = SOURCES[n - 1]
    assert sentence in source.text, sentence
    return Claim(text=sentence, chunk_id=source.chunk_id)


LOG = "《网络安全法》第二十三条（2025年修正前为第二十一条）要求网络运营者采取监测、记录网络运行状态和网络安全事件的技术措施，并按规定留存相关网络日志不少于六个月。"
SYSTEMS = "HIS、电子病历、LIS、PACS和集成平台通常定为第三级。"
TESTING = "第三级系统每年至少测评一次，医疗健康信息属于《个人信息保护法》第二十八条规定的敏感个人信息。"
BYPASS = "数据库审计最常见的是旁路部署：在核心交换机上做端口镜像，把数据库流量复制给审计设备，不影响业务性能。"

PLAN = NeedsPlan(
    profile=HOSPITAL,
    drivers=[_claim(1, LOG)],
    categories=[
        CategoryPlan(
            category="network_security",
            needs=[Need(category="network_security", title="等保三级测评与整改", priority=1, why=[_claim(2, SYSTEMS), _claim(3, TESTING)])],
        ),
        CategoryPlan(
            category="data_security",
            needs=[Need(category="data_security", title="数据库审计", priority=2, options=[_claim(4, BYPASS)], vendors=["某厂商"], single_vendor="某厂商")],
        ),
    ],
)
BRIEF = WriteRequest(mode="brief", question="临江市第一人民医院", profile=HOSPITAL, plan=PLAN, sections=brief_outline(PLAN),
                     sources=SOURCES)
ANSWER = WriteRequest(
    mode="answer", question="医院哪些系统要做等保三级？", sections=[Section(claims=[_claim(2, SYSTEMS), _claim(3, TESTING)])],
    sources=SOURCES[1:3],
)

GOOD_REPLY = f"""## 网络安全

### 等保三级测评与整改

{LOG.rstrip('。')}[1]。医院的HIS、电子病历、LIS、PACS及集成平台一般定为第三级[2]。第三级系统每年至少要开展一次等级测评[3]。

目前核心系统的日志是否已集中保存满六个月？

## 数据安全

{BYPASS.rstrip('。')}[4]。以上方案仅来自该厂商的资料，建议补充其他厂商的同类方案进行比较。
"""
BAD_SENTENCES = [
    "数据库审计还能自动修复全部数据库漏洞[9]。",  # no source 9
    "医院必须在明年底前完成零信任架构改造[2]。",  # source 2 says nothing of the kind
    "网络日志须留存一年[1]。",  # source 1 says six months
    "该院应当立即采购态势感知平台。",  # a factual claim without a marker
]


@pytest.fixture
def composer() -> ComposerWriter:
    return ComposerWriter()


def _writer(fake_llm: FakeLLM, composer: ComposerWriter, **overrides: object) -> OpenAIWriter:
    settings: dict[str, object] = {"kind": "openai", "base_url": fake_llm.base_url, "model": "fake-model", "timeout": 5}
    config = WriterConfig.model_validate(settings | overrides)
    writer = make_writer(config, composer)
    assert isinstance(writer, OpenAIWriter)
    return writer


def _text(events: list[WriterEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, DeltaEvent))


def _notices(events: list[WriterEvent]) -> list[str]:
    return [e.code for e in events if isinstance(e, NoticeEvent)]


def _composed(request: WriteRequest) -> list[WriterEvent]:
    return list(ComposerWriter().write(request))


def _assert_fell_back(events: list[WriterEvent], request: WriteRequest, *, reason: str, replace: bool) -> None:
    """A llm_fallback notice, then exactly the composer's events (the first delta replacing text already sent)."""
    notice_at = next(i for i, e in enumerate(events) if isinstance(e, NoticeEvent) and e.code == "llm_fallback")
    notice = events[notice_at]
    assert isinstance(notice, NoticeEvent) and reason in notice.message and "内置撰写器" in notice.message
    after = events[notice_at + 1 :]
    expected = _composed(request)
    assert [e.model_copy(update={"replace": False}) if isinstance(e, DeltaEvent) else e for e in after] == expected
    first = next(e for e in after if isinstance(e, DeltaEvent))
    assert first.replace is replace
    assert not any(e.replace for e in after[1:] if isinstance(e, DeltaEvent))


# -- happy paths -------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "single"])
def test_a_cited_grounded_reply_passes_through_unchanged(fake_llm: FakeLLM, composer: ComposerWriter, stream: bool) -> None:
    fake_llm.enqueue(Reply(GOOD_REPLY, chunk_size=5))
    events = list(_writer(fake_llm, composer, stream=stream).write(BRIEF))
    assert _notices(events) == []
    assert _text(events) == GOOD_REPLY
    assert len([e for e in events if isinstance(e, DeltaEvent)]) > 1  # sentence by sentence, not one blob
    [request] = fake_llm.requests
    assert bool(request.get("stream")) is stream
    assert request["model"] == "fake-model" and request["temperature"] == 0.2


def test_the_prompt_carries_the_profile_the_outline_and_the_numbered_sources(fake_llm: FakeLLM, composer: ComposerWriter) -> None:
    fake_llm.enqueue(Reply(GOOD_REPLY))
    list(_writer(fake_llm, composer).write(BRIEF))
    [request] = fake_llm.requests
    system, user = (m["content"] for m in request["messages"])
    assert [m["role"] for m in request["messages"]] == ["system", "user"]
    assert "简体中文" in system and "只能使用" in system and "厂商中立" in system
    assert "临江市第一人民医院" in user and "三级医院" in user
    for source in SOURCES:  # numbered exactly as request.sources, with the passage itself
        assert f"[{source.n}] {source.label}\n{source.text.strip()}" in user
    # The outline is the composer's rendering of the same sections: one set of headings and labels.
    assert f"{SYSTEMS}[2]" in user and f"**可选方案**：{BYPASS}[4]" in user
    assert "## 网络安全" in user and "### 1. 等保三级测评与整改（优先级：高）" in user
    assert "全部来自“某厂商”一家厂商" in user
    assert "${" not in system + user


def test_an_answer_prompt_lists_its_claims_and_passages(fake_llm: FakeLLM, composer: ComposerWriter) -> None:
    reply = f"{SYSTEMS.rstrip('。')}[1]。{TESTING.rstrip('。')}[2]。"
    numbered = [s.model_copy(update={"n": i}) for i, s in enumerate(ANSWER.sources, start=1)]
    request = ANSWER.model_copy(update={"sources": numbered})
    fake_llm.enqueue(Reply(reply))
    events = list(_writer(fake_llm, composer).write(request))
    assert _text(events) == reply and _notices(events) == []
    prompt = fake_llm.prompt()
    assert "问题：医院哪些系统要做等保三级？" in prompt and f"- {SYSTEMS}[1]" in prompt
    assert "知识库中没有找到" in prompt


# -- the citation check on LLM text ------------------------------------------------------


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "single"])
def test_unresolved_unsupported_and_uncited_sentences_are_dropped_with_a_notice(
    fake_llm: FakeLLM, composer: ComposerWriter, stream: bool
) -> None:
    reply = GOOD_REPLY.replace("[3]。", "[3]。" + "".join(BAD_SENTENCES))
    fake_llm.enqueue(Reply(reply, chunk_size=4))
    events = list(_writer(fake_llm, composer, stream=stream).write(BRIEF))
    assert _text(events) == GOOD_REPLY
    assert _notices(events) == ["unsupported_dropped"]
    assert isinstance(events[-1], NoticeEvent) and "4 句" in events[-1].message
    report = check_citations(_text(events), SOURCES)
    assert report.failed == () and report.supported == 4


def test_a_reply_with_nothing_supported_falls_back_and_replaces_what_was_shown(
    fake_llm: FakeLLM, composer: ComposerWriter
) -> None:
    fake_llm.enqueue(Reply("以下按四类需求分述。\n" + "".join(BAD_SENTENCES)))
    events = list(_writer(fake_llm, composer).write(BRIEF))
    assert events[0] == DeltaEvent(text="以下按四类需求分述。\n")
    _assert_fell_back(events, BRIEF, reason="未能通过来源核查", replace=True)


def test_an_empty_reply_falls_back(fake_llm: FakeLLM, composer: ComposerWriter) -> None:
    fake_llm.enqueue(Reply(""))
    events = list(_writer(fake_llm, composer).write(BRIEF))
    _assert_fell_back(events, BRIEF, reason="未能通过来源核查", replace=False)


# -- failures ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure, reason",
    [(Fail(429, retry_after=1), "HTTP 429"), (Fail(503, message="overloaded"), "HTTP 503"), (Fail(500), "HTTP 500")],
    ids=["429", "503", "500"],
)
@pytest.mark.parametrize("stream", [True, False], ids=["stream", "single"])
def test_an_http_error_falls_back_at_once_without_retrying(
    fake_llm: FakeLLM, composer: ComposerWriter, failure: Fail, reason: str, stream: bool
) -> None:
    fake_llm.enqueue(failure, Reply(GOOD_REPLY))
    events = list(_writer(fake_llm, composer, stream=stream).write(BRIEF))
    _assert_fell_back(events, BRIEF, reason=reason, replace=False)
    assert isinstance(events[0], NoticeEvent) and events[0].message.startswith("大模型服务暂不可用")
    assert len(fake_llm.requests) == 1  # max_retries=0: the composer answers instead of waiting


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "single"])
def test_a_slow_server_times_out_and_falls_back(fake_llm: FakeLLM, composer: ComposerWriter, stream: bool) -> None:
    fake_llm.enqueue(Reply(GOOD_REPLY, delay=5.0))
    started = time.monotonic()
    events = list(_writer(fake_llm, composer, stream=stream, timeout=0.5).write(BRIEF))
    assert time.monotonic() - started < 3.0
    _assert_fell_back(events, BRIEF, reason="超时", replace=False)


def test_a_stream_stalling_midway_times_out_and_replaces_the_partial_text(fake_llm: FakeLLM, composer: ComposerWriter) -> None:
    fake_llm.enqueue(Reply(GOOD_REPLY, chunk_size=130, chunk_delay=2.0))
    events = list(_writer(fake_llm, composer, timeout=0.5).write(BRIEF))
    assert isinstance(events[0], DeltaEvent) and not events[0].replace  # some text was shown before the stall
    _assert_fell_back(events, BRIEF, reason="超时", replace=True)


@pytest.mark.parametrize("how", ["malformed", "drop"])
def test_a_stream_breaking_midway_falls_back_and_replaces_the_partial_text(
    fake_llm: FakeLLM, composer: ComposerWriter, how: str
) -> None:
    fake_llm.enqueue(Broken(GOOD_REPLY, after=14, how=how, chunk_size=10))  # type: ignore[arg-type]
    events = list(_writer(fake_llm, composer).write(BRIEF))
    shown = _text(events[: next(i for i, e in enumerate(events) if isinstance(e, NoticeEvent))])
    assert shown and GOOD_REPLY.startswith(shown)
    _assert_fell_back(events, BRIEF, reason="响应中断", replace=True)


def test_a_truncated_completion_falls_back(fake_llm: FakeLLM, composer: ComposerWriter) -> None:
    fake_llm.enqueue(Broken(GOOD_REPLY))
    events = list(_writer(fake_llm, composer, stream=False).write(BRIEF))
    _assert_fell_back(events, BRIEF, reason="响应无法解析", replace=False)


def test_a_refused_connection_falls_back(composer: ComposerWriter) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = WriterConfig(kind="openai", base_url=f"http://127.0.0.1:{port}/v1", timeout=2)
    events = list(make_writer(config, composer).write(BRIEF))
    _assert_fell_back(events, BRIEF, reason="无法连接", replace=False)


@pytest.mark.parametrize("mode", ["not_found", "ask_user"])
def test_requests_with_nothing_to_write_from_go_to_the_composer_directly(
    fake_llm: FakeLLM, composer: ComposerWriter, mode: str
) -> None:
    request = WriteRequest(mode=mode, question="草莓大棚的滴灌系统怎么设计？", profile=HOSPITAL)  # type: ignore[arg-type]
    events = list(_writer(fake_llm, composer).write(request))
    assert events == _composed(request)
    assert fake_llm.requests == []


def test_the_fake_server_speaks_the_openai_api(fake_llm: FakeLLM) -> None:
    import openai

    client = openai.OpenAI(base_url=fake_llm.base_url, api_key="not-needed", max_retries=0)
    assert [m.id for m in client.models.list()] == ["fake-model"]
    fake_llm.enqueue(Reply("你好。"), Fail(429, retry_after=7))
    completion = client.chat.completions.create(model="fake-model", messages=[{"role": "user", "content": "问"}])
    assert completion.choices[0].message.content == "你好。"
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="fake-model", messages=[{"role": "user", "content": "再问"}])
    assert caught.value.response.headers["retry-after"] == "7"
    assert fake_llm.prompt(0) == "问" and fake_llm.prompt(1) == "再问"


# -- configuration -----------------------------------------------------------------------


def test_make_writer_picks_the_configured_writer(composer: ComposerWriter) -> None:
    assert make_writer(WriterConfig(), composer) is composer
    writer = make_writer(WriterConfig(kind="openai", base_url="http://127.0.0.1:9/v1", api_key=SecretStr("sk-x")), composer)
    assert isinstance(writer, OpenAIWriter) and writer.name == "openai" and writer.fallback is composer


def test_openai_without_a_base_url_names_the_setting(composer: ComposerWriter) -> None:
    with pytest.raises(ValueError, match="TOP_WRITER__BASE_URL"):
        make_writer(WriterConfig(kind="openai"), composer)


def test_writer_settings_come_from_top_writer_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from api.settings import Settings

    monkeypatch.setenv("TOP_WRITER__KIND", "openai")
    monkeypatch.setenv("TOP_WRITER__BASE_URL", "http://llm.internal:8000/v1")
    monkeypatch.setenv("TOP_WRITER__API_KEY", "sk-secret")
    monkeypatch.setenv("TOP_WRITER__STREAM", "false")
    writer = Settings(_env_file=None).writer
    assert (writer.kind, writer.base_url, writer.stream, writer.model) == ("openai", "http://llm.internal:8000/v1", False, "deepseek-chat")
    assert writer.api_key is not None and writer.api_key.get_secret_value() == "sk-secret"
    assert "sk-secret" not in repr(writer)
    assert Settings(_env_file=None, writer={"kind": "composer"}).writer.kind == "composer"


def test_other_intents_feed_the_llm_the_same_outline_and_stay_citation_checked(fake_llm: FakeLLM, composer: ComposerWriter) -> None:
    options = Section(heading="数据库审计：选型要点", claims=[_claim(4, BYPASS)])
    request = WriteRequest(mode="answer", intent="recommend", question="数据库审计推荐哪家？", profile=HOSPITAL,
                           sections=[Section(lead="以下为知识库中的选型要点与厂商清单，供比较；渠道参谋不推荐单一厂商。"), options],
                           sources=[SOURCES[3].model_copy(update={"n": 1})])
    fake_llm.enqueue(Reply(f"{BYPASS.rstrip('。')}[1]。最好选择某厂商，它是第一名[1]。"))
    events = list(_writer(fake_llm, composer).write(request))
    system, user = (m["content"] for m in fake_llm.requests[0]["messages"])
    assert "排名不分先后" in system and "## 数据库审计：选型要点" in user and f"- {BYPASS}[1]" in user
    assert "第一名" not in _text(events) and "unsupported_dropped" in _notices(events)
