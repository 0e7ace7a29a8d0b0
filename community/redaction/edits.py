"""The author's edits to a redaction: undo findings, add manual ones.

    result = redact(text, customer="…")
    kept = [f for f in result.findings if f.original != "等保三级"]     # undo one
    undone = with_findings(text, kept)
    more = add_manual(text, undone, start=10, end=14)                  # redact 4 more characters
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from community.redaction.models import Finding, FindingKind, Redaction, RedactionError

__all__ = ["add_manual", "check_findings", "manual_finding", "with_findings"]


def check_findings(text: str, findings: Sequence[Finding]) -> list[Finding]:
    """The findings sorted by start; a clear error when one does not fit the text or two overlap."""
    ordered = sorted(findings, key=lambda f: f.start)
    for f in ordered:
        if f.end > len(text) or text[f.start : f.end] != f.original:
            raise RedactionError(f"第 {f.start}–{f.end} 个字符处的原文不是“{f.original}”：该标注与文本不符")
    for a, b in pairwise(ordered):
        if b.start < a.end:
            raise RedactionError(f"标注“{a.original}”与“{b.original}”重叠")
    return ordered


def with_findings(text: str, findings: Sequence[Finding]) -> Redaction:
    """A redaction of `text` with exactly these findings applied."""
    from community.redaction.engine import apply

    ordered = check_findings(text, findings)
    return Redaction(text=apply(text, ordered), findings=ordered)


def manual_finding(text: str, start: int, end: int, replacement: str | None = None) -> Finding:
    if start >= end:
        raise RedactionError(f"删除范围 {start}–{end} 为空：结束位置须大于开始位置")
    if start < 0 or end > len(text):
        raise RedactionError(f"删除范围 {start}–{end} 超出文本（长度 {len(text)}）")
    return Finding(kind=FindingKind.manual, original=text[start:end], replacement=replacement or "[已删除]", start=start, end=end)


def add_manual(text: str, redaction: Redaction, start: int, end: int, replacement: str | None = None) -> Redaction:
    """`redaction` plus a manual redaction of `text[start:end]`; findings it overlaps give way to it."""
    added = manual_finding(text, start, end, replacement)
    kept = [f for f in redaction.findings if f.end <= start or f.start >= end]
    return with_findings(text, kept + [added]).model_copy(update={"uniqueness": redaction.uniqueness})
