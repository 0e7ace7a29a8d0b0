"""The customer a stateless conversation is about, read back from its earlier messages.

Channels that keep no conversation (the OpenAI-compatible API: the client resends
the whole history each time) still need the follow-up behaviour of the web chat:
after "青禾农商银行", "那他们的数据安全呢？" is about 青禾农商银行. The newest earlier
message that names a known customer wins, as in the stored conversation:

    context_from_history([("user", "青禾农商银行"), ("assistant", "…")], profiler)  # → 青禾农商银行's Profile
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.advisor import ProfilerLike, is_question
from assistant.models import Profile

__all__ = ["MAX_HISTORY", "context_from_history"]

MAX_HISTORY = 20  # earlier messages looked at, newest first
# The heading of a needs brief (ComposerWriter, and what an LLM writer is asked to keep).
_BRIEF_HEADING = re.compile(r"^#\s+(?P<name>[^\n：:]{2,60})[：:]\s*客户需求简报", re.MULTILINE)


def context_from_history(history: Sequence[tuple[str, str]], profiler: ProfilerLike) -> Profile | None:
    """The context for the next question, from earlier `(role, text)` messages (oldest first).

    A user message that is not a question is profiled as a customer name; an assistant
    message that is a needs brief names its customer in its heading. The first known
    profile, newest first, is the context; None when no earlier message names a customer.
    """
    for role, text in list(reversed(history))[:MAX_HISTORY]:
        name = _customer_name(role, " ".join(text.split()) if role == "user" else text)
        if not name:
            continue
        try:
            profile = profiler.profile(name)
        except ValueError:  # not a usable name (too long, nothing left after cleaning)
            continue
        if profile.known:
            return profile
    return None


def _customer_name(role: str, text: str) -> str | None:
    if role == "user":
        return text if text and not is_question(text) else None
    if role == "assistant":
        match = _BRIEF_HEADING.search(text)
        return match.group("name").strip() if match else None
    return None
