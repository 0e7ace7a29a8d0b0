"""Before a post goes out: does it name a person, a phone, an ID number, an organisation or one of the poster's
own customers? The redaction engine answers (the same detectors as for cases, without generalising amounts,
dates or places, which are fine in a discussion).

    warnings = pii_warnings("张主任说…联系13800138000", known=["临江市第一人民医院"])
    [{"kind": "person", "label": "人名", "original": "张主任", "start": 0, "end": 3}, …]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from community.redaction import IDENTIFIERS, Redactor

__all__ = ["PiiWarning", "pii_warnings"]

_redactor: Redactor | None = None


class PiiWarning(ValueError):
    """The text seems to contain personal or customer-identifying information; `findings` say where."""

    def __init__(self, findings: list[dict[str, Any]]) -> None:
        kinds = "、".join(dict.fromkeys(f["label"] for f in findings))
        examples = "、".join(dict.fromkeys(f"“{f['original']}”" for f in findings[:5]))
        super().__init__(f"内容里可能有可识别的信息（{kinds}：{examples}）。请修改后再发，"
                         "或确认无妨后勾选“仍然发布”（acknowledge_pii）")  # fmt: skip
        self.findings = findings


def pii_warnings(text: str, *, known: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Identifier findings in `text`; `known` are names the poster's organisation must not reveal (its customers)."""
    global _redactor
    if _redactor is None:
        _redactor = Redactor()
    result = _redactor.redact(text, aliases=list(known), generalise=False)
    return [{"kind": f.kind.value, "label": f.label, "original": f.original, "start": f.start, "end": f.end}
            for f in result.findings if f.kind in IDENTIFIERS]  # fmt: skip
