"""From what the author sends to a stored draft: fill in from a directory entry, validate, compose, redact.

    prepared = prepare(data, org_id=…, watch=…, profiler=…, solutions=catalogue_titles)
    prepared.fields, prepared.original, prepared.proposed

The customer's other names come from the author (`aliases`), from the name itself (the engine's
`propose_aliases`) and from the organisation's watchlist entry it was started from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from assistant.models import UNKNOWN, Profile
from community.cases.attachments import attachment
from community.cases.compose import compose
from community.cases.models import MAX_ATTACHMENTS, Attachment, CaseError, CaseFields
from community.redaction import Finding, Redactor
from community.redaction.uniqueness import normalise_province
from community.watch.store import WatchedCustomer

__all__ = ["Prepared", "prepare", "solution_needs"]

ProfileFn = Callable[[str], Profile]


@dataclass
class Prepared:
    fields: CaseFields
    original: str
    proposed: list[Finding]


def _from_entry(data: dict[str, Any], entry: WatchedCustomer) -> None:
    """A watchlist entry fills what the author left empty."""
    if not data.get("customer"):
        data["customer"] = entry.customer
    for key, value in (("industry", entry.industry if entry.industry != UNKNOWN else ""), ("segment", entry.segment),
                       ("province", entry.province)):  # fmt: skip
        if not data.get(key) and value:
            data[key] = value


def _from_profile(data: dict[str, Any], profile: ProfileFn | None) -> None:
    """Industry, segment and province read off the customer's name, when the author left them empty."""
    customer = str(data.get("customer") or "").strip()
    if profile is None or not customer or (data.get("industry") and data.get("province")):
        return
    try:
        found = profile(customer)
    except ValueError:
        return
    if not data.get("industry") and found.industry != UNKNOWN:
        data["industry"] = found.industry
        if not data.get("segment") and found.segment:
            data["segment"] = found.segment[:40]
    if not data.get("province") and found.region.province:
        data["province"] = found.region.province


def solution_needs(solutions: list[str], catalogue: Mapping[str, list[str]]) -> list[str]:
    """Need categories of the chosen solutions (catalogue: solution id → its need categories)."""
    return list(dict.fromkeys(c for s in solutions for c in catalogue.get(s, [])))


def prepare(
    data: dict[str, Any],
    *,
    entries: Mapping[str, WatchedCustomer],
    profile: ProfileFn | None,
    solutions: Mapping[str, tuple[str, list[str]]],
    redactor: Redactor,
    keep_attachments: list[dict[str, Any]] | None = None,
) -> Prepared:
    """Validate and compose the write-up, then run the engine over it.

    `entries`: the organisation's watchlist by id; `solutions`: solution id → (title, need categories), or an
    empty mapping when the catalogue is not known (then any solution id is kept as written)."""
    data = {k: v for k, v in data.items() if v is not None}
    if data.get("watch_id"):
        entry = entries.get(str(data["watch_id"]))
        if entry is None:
            raise CaseError("没有这条客户名录记录（或不属于您的组织）")
        _from_entry(data, entry)
    _from_profile(data, profile)
    if not data.get("industry"):
        raise CaseError("无法从客户名称判断行业，请选择行业（industry）")
    uploads = data.pop("attachments", None)  # absent: keep what the case has; []: none
    if uploads is None:
        converted = [Attachment.model_validate(a) for a in keep_attachments or []]
    else:
        if len(uploads) > MAX_ATTACHMENTS:
            raise CaseError(f"附件最多 {MAX_ATTACHMENTS} 个")
        converted = [attachment(str(u.get("filename", "")), str(u.get("content_base64", ""))) for u in uploads]
    fields = CaseFields.model_validate({**data, "attachments": [a.model_dump() for a in converted]})
    if fields.province:
        fields.province = normalise_province(fields.province)
    if solutions:
        unknown = [s for s in fields.solutions if s not in solutions]
        if unknown:
            raise CaseError(f"未知的方案类别：{'、'.join(unknown)}（请从方案指南中选择）")
    if not fields.need_categories:
        fields.need_categories = solution_needs(fields.solutions, {k: v[1] for k, v in solutions.items()})
    titles = {k: v[0] for k, v in solutions.items()}
    original = compose(fields, titles)
    result = redactor.redact(original, customer=fields.customer, aliases=fields.aliases)
    return Prepared(fields=fields, original=original, proposed=result.findings)
