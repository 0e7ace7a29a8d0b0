"""`OpenAIWriter`: any OpenAI-compatible chat server writes, the citation check decides what is shown.

The prompt (prompts/brief.v1.md, prompts/answer.v1.md) gets the plan as an
outline whose claims carry their source numbers, and the sources numbered
exactly as `request.sources`. Tokens are cut into sentences; each complete
sentence passes `CitationFilter` before it is yielded. Any LLM failure
(timeout, HTTP 429/5xx, refused connection, a broken stream) or an answer with
nothing supported hands over to the fallback writer (the composer), after a
`llm_fallback` notice; its first delta replaces text already sent.

    writer = make_writer(WriterConfig(kind="openai", base_url="http://127.0.0.1:8080/v1"), composer)  # writer_plugins
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterator
from contextlib import closing
from string import Template
from typing import Any

from pydantic import BaseModel, Field, SecretStr

import prompts
from assistant.citations import DEFAULT_THRESHOLD, CitationFilter, SentenceCutter
from assistant.composer import citer
from assistant.events import DeltaEvent, NoticeEvent
from assistant.models import Profile
from assistant.outline import render
from assistant.writers import Writer, WriteRequest, WriterEvent

__all__ = ["LLMUnavailable", "OpenAIWriter", "WriterConfig"]

logger = logging.getLogger(__name__)


class WriterConfig(BaseModel):
    """Which writer produces answer text: `composer` (embedded, no LLM) or `openai` (any compatible server)."""

    kind: str = Field(
        "composer",
        min_length=1,
        max_length=64,
        description="composer: built-in extractive writer; openai: any OpenAI-compatible server; "
        "or a plugin's name (entry point group top_advisor.writers, see assistant/writer_plugins.py)",
    )
    base_url: str | None = Field(None, description="OpenAI-compatible API root, e.g. https://api.deepseek.com/v1")
    model: str = Field("deepseek-chat", description="model name sent to the server")
    api_key: SecretStr | None = Field(None, description="bearer key; local servers usually need none")
    timeout: float = Field(30.0, gt=0, description="seconds per request (and per wait between streamed chunks)")
    stream: bool = Field(True, description="stream tokens and check them sentence by sentence")
    temperature: float = Field(0.2, ge=0, le=2)
    max_tokens: int | None = Field(2048, ge=1, description="answer length limit; None: the server's default")
    support_threshold: float = Field(
        DEFAULT_THRESHOLD, ge=0, le=1, description="lexical support a cited sentence needs to be shown"
    )
    brief_prompt: str = Field("brief.v1", description="prompt file for briefs (prompts/<name>.md)")
    answer_prompt: str = Field("answer.v1", description="prompt file for answers to free questions")
    reply_prompt: str = Field("reply.v1", description="prompt file for the other intents (options, cases, budget, drafts …)")
    options: dict[str, str] = Field(default_factory=dict, description="a plugin writer's own settings (JSON object)")


class LLMUnavailable(Exception):
    """The LLM call failed; `reason` is a short Chinese phrase for the notice."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _reason(exc: BaseException, *, midway: bool) -> str:
    import httpx
    import openai

    if isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException)):
        return "超时"
    if midway:  # a dropped connection or a malformed chunk after the answer had started
        return "响应中断"
    if isinstance(exc, openai.RateLimitError):
        return "请求过于频繁，HTTP 429"
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    if isinstance(exc, (openai.APIConnectionError, httpx.ConnectError)):
        return "无法连接"
    return "响应无法解析"


# -- rendering ---------------------------------------------------------------------------

# What the reply prompt (prompts/reply.v1.md) asks for, per intent.
TASKS = {
    "recommend": "回答厂商或产品选择的问题：先写选型要点，再列出提纲中的可选厂商并注明“排名不分先后”；不评出最好的一家。",
    "cases": "列出提纲中的案例，每个案例写背景、方案要点和成效；案例为示意案例时注明。",
    "budget": "回答预算与时间安排的问题：金额或比例只写资料中的数字，资料没有数字时如实说明；再写预算周期和采购节奏。",
    "compare": "比较提纲中的两个对象：先分别说明，再写两者的区别。",
    "draft": "把提纲中的草稿整理成可以直接使用的文稿，保留方括号中的待填内容和每条事实的来源编号。",
}
DEFAULT_TASK = "按提纲回答用户的问题。"


def render_profile(profile: Profile | None) -> str:
    if profile is None:
        return "（无）"
    return "\n".join([f"客户名称：{profile.name}"] + [f"{label}：{value}" for label, value in profile.facts() if value != "未知"])


def render_outline(request: WriteRequest) -> str:
    """The outline both writers share: the composer's rendering of the request's sections."""
    return "\n".join(render(request.sections, citer(request))).strip() or "（无）"


def render_sources(request: WriteRequest) -> str:
    return "\n\n".join(f"[{s.n}] {s.label}\n{s.text.strip()}" for s in request.sources)


def render_messages(request: WriteRequest, config: WriterConfig) -> list[tuple[str, str]]:
    """(role, content) pairs of the versioned prompt filled from the request."""
    outline = render_outline(request)
    if request.mode == "brief":
        name, values = config.brief_prompt, {"outline": outline}
    elif request.intent == "question":
        name, values = config.answer_prompt, {"claims": outline}
    else:
        name, values = config.reply_prompt, {"outline": outline, "task": TASKS.get(request.intent, DEFAULT_TASK)}
    profile = request.profile or (request.plan.profile if request.plan else None)
    values |= {"profile": render_profile(profile), "sources": render_sources(request), "question": request.question}
    system, user = prompts.split(prompts.load(name))
    return [("system", Template(system).substitute(values)), ("user", Template(user).substitute(values))]


# -- the writer --------------------------------------------------------------------------


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(b if isinstance(b, str) else str(b.get("text", "")) for b in content)
    return ""


class OpenAIWriter:
    """Writes with an OpenAI-compatible chat model; shows only citation-checked sentences."""

    name = "openai"
    computes = False  # waits on the network: a thread of its own (api/streaming.py)

    def __init__(self, config: WriterConfig, fallback: Writer, *, chat_model: Any | None = None) -> None:
        if not config.base_url and chat_model is None:
            raise ValueError("TOP_WRITER__BASE_URL is required when TOP_WRITER__KIND=openai")
        self.config = config
        self.fallback = fallback
        self._chat = chat_model or self._chat_model(config)

    @staticmethod
    def _chat_model(config: WriterConfig) -> Any:
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            model=config.model,
            base_url=config.base_url,
            # OpenAI-compatible local servers accept any key; the client insists on one.
            api_key=config.api_key or SecretStr("not-needed"),
            timeout=config.timeout,
            max_retries=0,
            streaming=config.stream,
            temperature=config.temperature,
            max_tokens=config.max_tokens,
        )

    def write(self, request: WriteRequest) -> Iterator[WriterEvent]:
        if request.mode in ("not_found", "ask_user", "smalltalk") or not request.sources:
            yield from self.fallback.write(request)  # nothing for an LLM to ground an answer on
            return
        profile = request.profile or (request.plan.profile if request.plan else None)
        checker = CitationFilter(
            request.sources,
            threshold=self.config.support_threshold,
            context=f"{render_profile(profile)}\n{request.question}" if profile else request.question,
        )
        cutter = SentenceCutter()
        emitted = False
        try:
            with closing(self._tokens(render_messages(request, self.config))) as tokens:
                for piece in tokens:
                    for segment in cutter.feed(piece):
                        if text := checker.push(segment):
                            emitted = True
                            yield DeltaEvent(text=text)
        except LLMUnavailable as exc:
            yield NoticeEvent(code="llm_fallback", message=f"大模型服务暂不可用（{exc.reason}），以下为内置撰写器生成的答案。")
            yield from self._fall_back(request, replace=emitted)
            return
        for segment in cutter.flush():
            if text := checker.push(segment):
                emitted = True
                yield DeltaEvent(text=text)
        checker.finish()
        report = checker.report()
        if report.supported == 0:
            logger.warning("LLM answer had no supported sentence (%d checked); falling back", len(report.sentences))
            yield NoticeEvent(code="llm_fallback", message="大模型的答案未能通过来源核查，以下为内置撰写器生成的答案。")
            yield from self._fall_back(request, replace=emitted)
            return
        if failed := report.failed:
            yield NoticeEvent(
                code="unsupported_dropped",
                message=f"已删除 {len(failed)} 句无法在所列来源中核实的内容（引用编号不存在、与来源不符或缺少引用）。",
            )

    def _tokens(self, messages: list[tuple[str, str]]) -> Generator[str, None, None]:
        """The model's text as it arrives; every failure surfaces as `LLMUnavailable`."""
        midway = False
        try:
            if self.config.stream:
                for chunk in self._chat.stream(messages):
                    midway = True
                    yield _text(chunk.content)
            else:
                yield _text(self._chat.invoke(messages).content)
        except Exception as exc:  # noqa: BLE001 - only the LLM call is inside: any failure means fall back
            logger.warning("LLM call failed: %s: %s", type(exc).__name__, exc)
            raise LLMUnavailable(_reason(exc, midway=midway)) from exc

    def _fall_back(self, request: WriteRequest, *, replace: bool) -> Iterator[WriterEvent]:
        for event in self.fallback.write(request):
            if replace and isinstance(event, DeltaEvent):
                event = event.model_copy(update={"replace": True})
                replace = False
            yield event
