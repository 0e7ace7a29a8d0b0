"""An industry for the names the rules cannot place, asked of the configured OpenAI-compatible LLM.

Brand-style company names (a listed company's short name) carry no sector word, so the name rules answer
`unknown`; an LLM that knows the company can still place it. The answer is constrained to our industry codes
(anything else counts as no answer), marked in the profile's evidence as the model's judgement, unverified,
and cached per name (answers and refusals alike). Any LLM failure (timeout, HTTP error, unparsable reply)
leaves the profile `unknown` with its question to the user, exactly as without an LLM.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from string import Template
from typing import Any, Protocol

from pydantic import SecretStr

import prompts
from assistant.models import INDUSTRY_LABELS

__all__ = ["IndustryGuess", "IndustryGuesser", "LLMIndustryGuesser"]

logger = logging.getLogger(__name__)

CACHE_SIZE = 4096
_JSON_OBJECT = re.compile(r"\{.*\}", re.S)


@dataclass(frozen=True)
class IndustryGuess:
    industry: str  # one of INDUSTRY_LABELS
    reason: str


class IndustryGuesser(Protocol):
    def guess(self, name: str) -> IndustryGuess | None: ...


def parse_guess(text: str) -> IndustryGuess | None:
    """The guess in a model reply, or None when it is not one of our codes (or not JSON at all)."""
    found = _JSON_OBJECT.search(text or "")
    if found is None:
        return None
    try:
        data = json.loads(found.group(0))
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    industry = str(data.get("industry", "")).strip().lower()
    if industry not in INDUSTRY_LABELS:
        return None
    reason = " ".join(str(data.get("reason", "")).split())[:80]
    return IndustryGuess(industry=industry, reason=reason)


class LLMIndustryGuesser:
    """`guess(name)` through LangChain's `ChatOpenAI` (any OpenAI-compatible server); thread-safe, cached."""

    def __init__(
        self,
        *,
        base_url: str | None,
        model: str,
        api_key: SecretStr | None = None,
        timeout: float = 8.0,
        prompt: str = "industry.v1",
        chat_model: Any | None = None,
    ) -> None:
        system, user = prompts.split(prompts.load(prompt))
        codes = "\n".join(f"- {code}：{label}" for code, label in INDUSTRY_LABELS.items())
        self._system = Template(system).safe_substitute(codes=codes)
        self._user = Template(user)
        self._chat = chat_model or self._chat_model(base_url, model, api_key, timeout)
        self._cache: OrderedDict[str, IndustryGuess | None] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _chat_model(base_url: str | None, model: str, api_key: SecretStr | None, timeout: float) -> Any:
        if not base_url:
            raise ValueError("an OpenAI-compatible base URL is required for the LLM industry step")
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(model=model, base_url=base_url, api_key=api_key or SecretStr("not-needed"), timeout=timeout,
                          max_retries=0, temperature=0, max_tokens=200)  # fmt: skip

    def guess(self, name: str) -> IndustryGuess | None:
        with self._lock:
            if name in self._cache:
                self._cache.move_to_end(name)
                return self._cache[name]
        try:
            reply = self._chat.invoke([("system", self._system), ("user", self._user.safe_substitute(name=name))])
        except Exception as exc:  # noqa: BLE001 - any failure means "no answer"; not cached, so a later call retries
            logger.warning("LLM industry step failed (a name of %d characters; names stay out of logs): %s", len(name), exc)
            return None
        guess = parse_guess(str(getattr(reply, "content", "")))
        with self._lock:
            self._cache[name] = guess
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return guess
