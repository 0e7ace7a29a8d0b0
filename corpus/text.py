"""Text that is safe to store, index and show: one check for every channel that takes text in.

JSON can carry what no text file can: NUL and other control characters, and lone UTF-16
surrogates (`"\\ud800"`), which Python keeps in a `str` but no database driver or encoder
accepts. Every channel (the web chat, `/v1`, the widget and its identity token, the editor)
refuses them at its edge with the same message, instead of failing deep inside.

    check_text("佛山市第一人民医院")       # returned unchanged
    check_text("\\x00")                    # InvalidText: 含有无效字符 U+0000（第 1 个字符）
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, model_validator

__all__ = ["CheckedInput", "CheckedText", "InvalidText", "check_strings", "check_text", "first_invalid"]

# C0 controls except tab, line feed and carriage return; DEL; lone surrogates; the two noncharacters
# U+FFFE/U+FFFF (a byte-order mark read the wrong way round).
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


class InvalidText(ValueError):
    """Text with a character that cannot be stored or shown; the message names it (in Chinese)."""


def first_invalid(text: str) -> tuple[int, str] | None:
    """(index, character) of the first character `check_text` refuses, or None."""
    match = _INVALID.search(text)
    return (match.start(), match.group()) if match else None


def check_text(text: str, *, what: str = "文本") -> str:
    """`text` unchanged, or InvalidText naming the first invalid character and where it is."""
    found = first_invalid(text)
    if found is None:
        return text
    index, char = found
    kind = "孤立的代理字符" if "\ud800" <= char <= "\udfff" else "控制字符"
    raise InvalidText(f"{what}含有无效字符 U+{ord(char):04X}（{kind}，第 {index + 1} 个字符）")


def check_strings(value: object, path: str = "") -> None:
    """`check_text` on every string inside JSON-shaped data (dicts, lists), naming the field that fails."""
    if isinstance(value, str):
        check_text(value, what=f"{path} " if path else "文本")
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                check_text(key, what="字段名")
            check_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_strings(item, f"{path}.{index}" if path else str(index))


class CheckedInput(BaseModel):
    """Base of request bodies: every string anywhere in the input passes `check_text` before the
    fields are validated, so no handler ever sees a NUL or a lone surrogate."""

    @model_validator(mode="before")
    @classmethod
    def _valid_text(cls, data: Any) -> Any:
        check_strings(data)
        return data


CheckedText = Annotated[str, AfterValidator(check_text)]
