"""What a user typed, validated once: every later stage takes a `UserMessage` and trusts it.

    message = UserMessage.parse("  佛山市第一人民医院 ")   # "佛山市第一人民医院"; ValueError when empty or too long

The HTTP models validate through `UserMessage.parse` (a 422 naming the problem), the CLI and the
OpenAI-compatible route call it directly; `ChatService`, the router and the stages after it do not re-check.
"""

from __future__ import annotations

from corpus.text import InvalidText, check_text

MAX_MESSAGE_CHARS = 2000

__all__ = ["MAX_MESSAGE_CHARS", "UserMessage"]


class UserMessage(str):
    """A message with whitespace runs collapsed, 1..MAX_MESSAGE_CHARS characters."""

    __slots__ = ()

    @classmethod
    def parse(cls, raw: object) -> UserMessage:
        """The validated message; InvalidText (a ValueError with a Chinese message for the user) when it is
        not usable: empty, too long, or holding a character no text may hold (NUL, a lone surrogate …)."""
        if isinstance(raw, UserMessage):
            return raw
        if not isinstance(raw, str):
            raise InvalidText("消息必须是文本")
        message = " ".join(check_text(raw, what="消息").split())
        if not message:
            raise InvalidText("消息不能为空")
        if len(message) > MAX_MESSAGE_CHARS:
            raise InvalidText(f"消息过长：{len(message)} 个字符，上限 {MAX_MESSAGE_CHARS}")
        return cls(message)
