"""The author's redaction review: the engine's proposal, what the author undid and added, the region chosen.

    state = RedactionState(original, proposed, undone={"12:19"}, manual=[(40, 44)], phrases=["某项目代号"],
                           region_level=RegionLevel.region, province="浙江省")
    changes = state.changes()            # every proposed and added change, accepted or not (the author's table)
    findings = state.findings()          # what is applied: engine findings not undone, manual ones, the region
    rows = side_by_side(original, findings)

Everything here carries originals, so it is for the author's organisation only; `public_findings` is what an
editor may see (kind, replacement, where it sits in the redacted text).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from community.cases.models import CaseError, RegionLevel
from community.redaction import Finding, FindingKind, apply, assess_uniqueness, manual_finding
from community.redaction.places import REGIONS, region_of
from community.redaction.uniqueness import estimate_peers

__all__ = ["RedactionState", "finding_key", "public_findings", "region_label", "side_by_side", "uniqueness_for"]

MAX_MANUAL = 500


def finding_key(f: Finding) -> str:
    return f"{f.start}:{f.end}"


def region_label(level: RegionLevel, province: str) -> str:
    """How the published case names where the customer is."""
    if level is RegionLevel.province and province:
        return province
    if level is RegionLevel.region and province and region_of(province):
        return f"{region_of(province)}地区"
    return "全国"


def _short(province: str) -> str:
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"):
        if province.endswith(suffix) and len(province) > len(suffix) + 1:
            return province[: -len(suffix)]
    return province


def _overlaps(a: Finding, b: Finding) -> bool:
    return a.start < b.end and b.start < a.end


@dataclass
class RedactionState:
    original: str
    proposed: list[Finding]
    undone: set[str] = field(default_factory=set)
    manual: list[tuple[int, int]] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    region_level: RegionLevel = RegionLevel.province
    province: str = ""

    def _added(self) -> list[Finding]:
        """Manual spans first, then every occurrence of each phrase; the first of two overlapping wins."""
        added: list[Finding] = []
        spans = list(self.manual)
        for phrase in self.phrases:
            spans += [(m.start(), m.end()) for m in re.finditer(re.escape(phrase), self.original)]
        for start, end in spans:
            candidate = manual_finding(self.original, start, end)
            if not any(_overlaps(candidate, f) for f in added):
                added.append(candidate)
        return added

    def _region(self, findings: list[Finding]) -> list[Finding]:
        """Below province level the own province's name gives way to the region (or 某省 for 全国)."""
        if self.region_level is RegionLevel.province or not self.province:
            return findings
        label = region_label(self.region_level, self.province) if self.region_level is RegionLevel.region else "某省"
        names = sorted({self.province, _short(self.province)}, key=len, reverse=True)
        out = []
        for f in findings:
            if f.kind is FindingKind.place and any(n in f.replacement for n in names):
                replacement = f.replacement
                for n in names:
                    replacement = replacement.replace(n, label)
                f = f.model_copy(update={"replacement": replacement})
            out.append(f)
        for name in names:
            for m in re.finditer(re.escape(name), self.original):
                candidate = Finding(kind=FindingKind.place, original=name, replacement=label, start=m.start(), end=m.end())
                if not any(_overlaps(candidate, f) for f in out):
                    out.append(candidate)
        return sorted(out, key=lambda f: f.start)

    def findings(self) -> list[Finding]:
        added = self._added()
        kept = [f for f in self.proposed if finding_key(f) not in self.undone and not any(_overlaps(f, a) for a in added)]
        return self._region(sorted(kept + added, key=lambda f: f.start))

    def text(self) -> str:
        return apply(self.original, self.findings())

    def changes(self) -> list[dict[str, Any]]:
        """The author's table: every change with its source and whether it is applied."""
        applied = {finding_key(f): f for f in self.findings()}
        proposed = {finding_key(f) for f in self.proposed}
        rows = []
        for f in self.proposed:
            k = finding_key(f)
            shown = applied.get(k, f)
            rows.append({**_finding(shown), "key": k, "source": "engine", "accepted": k in applied})
        for k, f in applied.items():
            if k not in proposed:
                source = "region" if f.kind is FindingKind.place else "manual"
                rows.append({**_finding(f), "key": k, "source": source, "accepted": True})
        return sorted(rows, key=lambda r: (r["start"], r["end"]))

    def check_manual(self) -> None:
        if len(self.manual) + len(self.phrases) > MAX_MANUAL:
            raise CaseError(f"手动删除最多 {MAX_MANUAL} 处")
        for phrase in self.phrases:
            if not phrase.strip():
                raise CaseError("要删除的词语不能为空")
        for start, end in self.manual:
            manual_finding(self.original, start, end)  # RedactionError when outside the text


def _finding(f: Finding) -> dict[str, Any]:
    return {"kind": f.kind.value, "label": f.label, "original": f.original, "replacement": f.replacement,
            "start": f.start, "end": f.end}  # fmt: skip


def public_findings(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """Findings as an editor may see them: kind and replacement at their place in the redacted text, no original."""
    out, shift = [], 0
    for f in sorted(findings, key=lambda f: f.start):
        start = f.start + shift
        out.append({"kind": f.kind.value, "label": f.label, "replacement": f.replacement, "start": start,
                    "end": start + len(f.replacement)})  # fmt: skip
        shift += len(f.replacement) - (f.end - f.start)
    return out


def side_by_side(original: str, findings: Sequence[Finding]) -> list[dict[str, list[list[Any]]]]:
    """Rows of (original, redacted) segments for the review page: `[text, key | None, start]` on the left
    (start: the code-point offset in the original, for selecting more to redact), `[text, key | None]` on the
    right. A row is a line of the original; a change spanning lines keeps them in one row."""
    rows: list[dict[str, list[list[Any]]]] = []
    left: list[list[Any]] = []
    right: list[list[Any]] = []

    def close() -> None:
        nonlocal left, right
        rows.append({"original": left, "redacted": right})
        left, right = [], []

    def plain(start: int, end: int) -> None:
        pos = start
        while pos < end:
            newline = original.find("\n", pos, end)
            stop = end if newline < 0 else newline
            if stop > pos:
                left.append([original[pos:stop], None, pos])
                right.append([original[pos:stop], None])
            if newline < 0:
                break
            close()
            pos = newline + 1

    pos = 0
    for f in sorted(findings, key=lambda f: f.start):
        plain(pos, f.start)
        left.append([f.original, finding_key(f), f.start])
        right.append([f.replacement, finding_key(f)])
        pos = f.end
    plain(pos, len(original))
    if left or right:
        close()
    return rows


def uniqueness_for(
    *, industry: str, segment: str, province: str, year: int | None, size_band: str, level: RegionLevel
) -> dict[str, Any] | None:
    """The uniqueness warning for the province, and whether the region the author chose resolves it."""
    found = assess_uniqueness(industry=industry, segment=segment or None, province=province or None, year=year,
                              size_band=size_band or None)  # fmt: skip
    if found is None:
        return None
    out = found.model_dump(mode="json") | {"unique": found.unique, "resolved": not found.unique, "level": level.value}
    if found.unique and level is not RegionLevel.province:
        provinces = REGIONS.get(region_of(province) or "", ()) if level is RegionLevel.region else ()
        estimate = estimate_peers(industry=industry, segment=segment or None, provinces=provinces,
                                  size_band=size_band or None)  # fmt: skip
        label = region_label(level, province)
        out["resolved"] = estimate is not None and estimate >= found.threshold
        out["level_estimate"] = round(estimate or 0.0, 1)
        out["level_message"] = f"按“{label}”发布：约 {estimate or 0:.0f} 家同类机构" + (
            "，不易据此认出客户。" if out["resolved"] else "，仍然偏少，建议再放宽地区或去掉规模描述。")
    return out


def public_uniqueness(found: dict[str, Any] | None, level: RegionLevel) -> dict[str, Any] | None:
    """What leaves the organisation: when the author chose a coarser region, nothing that names the province."""
    if found is None or level is RegionLevel.province:
        return found
    keep: dict[str, Any] = {k: found[k] for k in ("threshold", "unique", "resolved", "level", "level_estimate", "level_message") if k in found}
    keep["attributes"] = {k: v for k, v in found.get("attributes", {}).items() if k != "省份"}
    keep["message"] = found.get("level_message") or "作者已按更大的地区发布。"
    return keep
