"""The grounded composer: the embedded default writer, no LLM.

It renders the outline the gather stage built (assistant/outline.py): sentences taken verbatim from
the corpus, each ending with the `[n]` markers of the passages that state it. Its own words are
limited to headings, labels and the gather stage's non-factual leads, which state no facts about
the world; so every factual sentence is cited and supported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from assistant.events import DeltaEvent
from assistant.models import Claim, Profile
from assistant.outline import render
from assistant.sources import number_sources, source_ref
from assistant.writers import WriteRequest, WriterEvent

__all__ = ["ComposerWriter", "citer", "number_sources", "profile_line", "source_ref"]


def profile_line(profile: Profile) -> str:
    """The profiler's inference, labelled as such (it is not a corpus fact and carries no marker)."""
    parts = [f"{label}：{value}" for label, value in profile.facts()]
    if any(e.field == "industry" and e.source == "llm" for e in profile.evidence):
        parts.append("行业依据：大模型判断，未经核实")
    return "> 客户画像（系统推断，供核对）：" + "｜".join(parts) + f"｜置信度：{profile.confidence:.0%}"


def citer(request: WriteRequest) -> Callable[[Claim], str]:
    """claim → its sentence followed by the [n] markers of the sources that state it."""

    def cite(claim: Claim) -> str:
        numbers = []
        for chunk_id in (claim.chunk_id, *claim.also):
            try:
                numbers.append(request.source_number(chunk_id))
            except KeyError:
                continue
        return claim.text + "".join(f"[{n}]" for n in dict.fromkeys(numbers))

    return cite


class ComposerWriter:
    name = "composer"
    computes = True  # no network: its replies take turns on the CPU threads (api/streaming.py)

    def write(self, request: WriteRequest) -> Iterator[WriterEvent]:
        lines = self._not_found(request) if request.mode == "not_found" else render(request.sections, citer(request))
        for line in lines:
            yield DeltaEvent(text=line + "\n")

    @staticmethod
    def _not_found(request: WriteRequest) -> Iterator[str]:
        yield f"知识库中没有找到能回答“{request.question}”的内容，因此不作回答。"
        if request.sources:
            yield ""
            yield "最接近的资料如下，仅供参考："
            yield ""
            for source in request.sources:
                # A title ending in ？ would read as a sentence end inside the list item.
                yield f"- [{source.n}] {re.sub(r'[。！？!?]', '', source.label)}"
