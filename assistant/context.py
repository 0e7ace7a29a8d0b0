"""The state of a stateless conversation, replayed from its earlier user messages.

Channels that keep no conversation (the OpenAI-compatible API: the client resends the whole history
each time) still need what the web chat remembers: after "青禾农商银行", "那他们的数据安全呢？" is
about 青禾农商银行; after an unknown name, "制造业" completes that name. The earlier user messages
go through the same first two stages as a live turn (route, then profile); no assistant text is parsed.

    state = state_from_history([("user", "青禾农商银行"), ("assistant", "…")], advisor)
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.advisor import Advisor
from assistant.customer import next_state
from assistant.intents import ConversationState
from assistant.message import UserMessage

__all__ = ["MAX_HISTORY", "state_from_history"]

MAX_HISTORY = 20  # earlier user messages replayed, newest last


def state_from_history(history: Sequence[tuple[str, str]], advisor: Advisor) -> ConversationState:
    """The state before the next message, from earlier `(role, text)` messages (oldest first)."""
    state = ConversationState()
    for _, text in [m for m in history if m[0] == "user"][-MAX_HISTORY:]:
        try:
            message = UserMessage.parse(text)
        except ValueError:  # an empty or overlong message changed nothing
            continue
        route = advisor.route(message, state)
        state = next_state(state, advisor.customers.resolve(route, state))
    return state
