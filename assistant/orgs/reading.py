"""What a knowledge-base match says about a customer's industry, with its evidence.

The decision in one place (`read_knowledge`):

- a brand read out of a longer name (美的 + 置业, 招商局 + 蛇口工业区港口) belongs to the group, but a sector
  word after it names the business: 美的置业 is real estate whatever 美的 makes (a neighbouring sector's
  trade word does not: 海康威视 + 数字技术 is still the camera maker, see `names.adjacent`);
- a short name that fits several organisations of different industries is not guessed: the candidates go
  to the user, unless the name's own words decide;
- a listed company on a board that mixes several of our codes (通信服务) yields to a sector word in its name;
- a short name known only with its sector word removed (长城 from 长城汽车) is offered, never decided, unless
  it is written as on a stock list (*ST长城: the special-treatment name of the one company that fits);
- a special-treatment name read by abbreviation (*ST鹭汀 from 临江鹭汀) decides only when one company fits:
  several are offered, whatever their industries;
- otherwise the knowledge base decides, its confidence by how the name matched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.models import INDUSTRY_LABELS, UNKNOWN, Evidence, OrgCandidate
from assistant.name_rules import NameReading, read_name
from assistant.orgs.knowledge import ALIAS, DERIVED, DERIVED_SECTOR, LEGAL, NAME, OrgEntity, OrgMatch
from assistant.orgs.names import adjacent

__all__ = ["KnowledgeReading", "as_candidate", "candidate_question", "read_knowledge"]

CONFIDENCE = {LEGAL: 0.97, NAME: 0.95, ALIAS: 0.93, DERIVED: 0.86, DERIVED_SECTOR: 0.8}
BRAND_PENALTY = 0.04  # a brand inside a longer name is a little less certain than the name itself

MAX_CANDIDATES = 8


@dataclass(frozen=True)
class KnowledgeReading:
    industry: str = UNKNOWN  # UNKNOWN: the knowledge base decides nothing (the name rules go on)
    confidence: float = 0.0
    evidence: list[Evidence] = field(default_factory=list)
    candidates: list[OrgCandidate] = field(default_factory=list)  # the choices, when the match is ambiguous
    entity: OrgEntity | None = None  # the organisation recognised, for its region


def as_candidate(entity: OrgEntity) -> OrgCandidate:
    return OrgCandidate(name=entity.name, industry=entity.industry or UNKNOWN, region=entity.place, source=entity.detail)


def _decides(reading: NameReading) -> bool:
    """A sector or organisation word that names a business (not a bare 局/部 that a group's units carry too)."""
    head = reading.head
    return head is not None and head.rule.tier >= 2 and not head.rule.end_only


def read_knowledge(match: OrgMatch, name_reading: NameReading) -> KnowledgeReading:
    """`name_reading` is the name rules' reading of the whole name (places blanked out)."""
    entity = match.entity
    if match.how == "brand":
        rest = read_name(match.rest)
        if _decides(rest) and rest.industry != entity.industry and not adjacent(rest, entity.industry):
            label = INDUSTRY_LABELS[rest.industry]
            detail = f"名称以“{match.surface}”（{entity.detail}）开头，其后的“{rest.head.rule.word}”表明是{label}"  # type: ignore[union-attr]
            return KnowledgeReading(rest.industry, rest.confidence, [_evidence(rest.industry, detail, rest.confidence)],
                                    entity=entity)  # fmt: skip
    # *ST + 字号 is a listed company's special-treatment name: its 字号 cut from the full short name (…能源).
    st_short = match.listed_form and match.quality == DERIVED_SECTOR and len(match.candidates) == 1
    several = match.how == "st" and len(match.candidates) > 1  # an abbreviation several companies fit
    if match.ambiguous or several or (match.quality == DERIVED_SECTOR and not st_short):
        candidates = [as_candidate(c) for c in match.candidates[:MAX_CANDIDATES]]
        names = "、".join(c.label for c in match.candidates[:MAX_CANDIDATES])
        note = f"“{match.written or match.surface}”可能指：{names}"
        if _decides(name_reading):
            return KnowledgeReading(evidence=[_evidence(UNKNOWN, note + "；按名称用语判断", 0.3)])
        return KnowledgeReading(evidence=[_evidence(UNKNOWN, note, 0.3)], candidates=candidates)
    if not entity.industry:
        return KnowledgeReading(evidence=[_evidence(UNKNOWN, entity.detail + "；按名称用语判断行业", 0.3)], entity=entity)
    loose = match.how == "brand" and adjacent(name_reading, entity.industry)  # a legal name's trade words, as above
    if entity.mixed and _decides(name_reading) and name_reading.industry != entity.industry and not loose:
        word = name_reading.head.rule.word  # type: ignore[union-attr]
        detail = f"{entity.detail}（该板块行业混杂，以名称中的“{word}”为准）"
        return KnowledgeReading(evidence=[_evidence(UNKNOWN, detail, 0.3)], entity=entity)
    confidence = CONFIDENCE.get(match.quality, CONFIDENCE[DERIVED]) - (BRAND_PENALTY if match.how == "brand" else 0.0)
    if match.how == "brand":
        detail = f"{entity.detail}（名称中的字号“{match.surface}”）"
    elif match.how == "st":
        detail = f"{entity.detail}（“{match.written}”按ST简称规则读作{entity.name}）"
    elif match.quality <= ALIAS and match.surface != entity.name.lower():
        detail = f"{entity.detail}（“{match.surface}”是其简称）"
    else:
        detail = entity.detail
    return KnowledgeReading(entity.industry, round(confidence, 2), [_evidence(entity.industry, detail, confidence)],
                            entity=entity)  # fmt: skip


def candidate_question(name: str, candidates: list[OrgCandidate]) -> str:
    choices = [f"{c.name}（{INDUSTRY_LABELS.get(c.industry, '行业未知')}）" for c in candidates]
    if len(choices) == 1:
        return f"“{name}”是指{choices[0]}吗？请确认，或输入机构全称。"
    return f"“{name}”可能指多家机构：{'、'.join(choices)}。请选择其中一家，或输入机构全称。"


def _evidence(industry: str, detail: str, weight: float) -> Evidence:
    return Evidence(field="industry", value=industry, source="knowledge", detail=detail, weight=round(min(weight, 1.0), 2))

