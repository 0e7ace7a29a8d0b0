"""The customer profiler: who is this organisation, from its name and what we know.

Sources, strongest first: the partner's customer directory (exact name), the
user's hints, the issuers of our corpus's regulations (they are government
bodies, whatever their names end with) and name rules (`assistant.name_rules`);
then, only when an OpenAI-compatible LLM is configured, the model's knowledge
of the organisation (`assistant.industry_llm`, marked as unverified). Weak
evidence gives `industry="unknown"` and a question, never a guess. (An
embedding fallback was measured and left out: see `bench/profiler.py`.)

    profiler = Profiler(directory=CustomerDirectory(engine), regulators=corpus_issuers(STARTER_DIR))
    profiler.profile("临江县人民医院").segment  # "二级医院"
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol


from assistant.gazetteer import Gazetteer, RegionMatch, default_gazetteer
from assistant.industry_llm import IndustryGuesser
from assistant.models import INDUSTRY_LABELS, UNKNOWN, Evidence, Profile, Region
from assistant.name_rules import (
    MLPS_BY_INDUSTRY,
    MLPS_BY_SEGMENT,
    REGULATORS,
    SEGMENT_REGULATORS,
    WordMatch,
    clean_name,
    match_words,
    name_key,
    segment_for,
    strip_tails,
)
from corpus.document import INDUSTRY_CODES, Kind
from corpus.validate import load_corpus

__all__ = ["INDUSTRY_LABELS", "MAX_NAME_LENGTH", "ProfileInputError", "Profiler", "corpus_issuers", "infer_industry", "read_name"]

MAX_NAME_LENGTH = 200

assert set(INDUSTRY_LABELS) == set(INDUSTRY_CODES)

NATIONAL = re.compile(r"^(国家|中华人民共和国|国务院|中国|中央|全国|最高人民)")
NATIONAL_ORGAN = re.compile(r"(部|委员会|委|局|总局|署|总署|院|办公厅|办公室)$")
CONFIDENCE = {"directory": 0.98, "hint": 0.9, "issuer": 0.95}
LLM_CONFIDENCE = 0.6  # the model's word, unverified: below every rule-based answer


class ProfileInputError(ValueError):
    """The name cannot be profiled at all (empty, too long); the message is for the user."""


class DirectoryLookup(Protocol):
    def lookup(self, name: str) -> object | None: ...  # a DirectoryEntry: name, industry, region, notes


@dataclass(frozen=True)
class NameReading:
    """What the name rules read: the deciding word, if any, and every clue seen."""

    industry: str
    confidence: float
    head: WordMatch | None
    clues: tuple[WordMatch, ...]


def read_name(core: str) -> NameReading:
    """Highest tier wins; within a tier the rightmost (head) word decides. Tier 1 alone decides nothing."""
    clues = tuple(m for m in match_words(core) if m.rule.tier > 0)
    strong = [m for m in clues if m.rule.tier >= 2]
    if not strong:
        return NameReading(UNKNOWN, 0.2 if clues else 0.0, None, clues)
    top = max(m.rule.tier for m in strong)
    head = max((m for m in strong if m.rule.tier == top), key=lambda m: m.end)
    confidence = (0.9 if top == 3 else 0.75) + (0.04 if head.at_end else 0.0)
    rivals = {m.rule.industry for m in strong if m.rule.tier == top} - {head.rule.industry}
    if rivals:
        confidence -= 0.1
    return NameReading(head.rule.industry, round(confidence, 2), head, clues)


def _split_issuer(issuer: str) -> list[str]:
    text = re.sub(r"等(?:[一二三四五六七八九十\d]+部门)?", "、", issuer)
    parts = re.split(r"[、，,;；（）():：\s]+", text)
    return [p for p in parts if re.fullmatch(r"[\u4e00-\u9fff]{3,}", p) and not p.endswith("编辑部") and p != "综合"]


@lru_cache(maxsize=4)
def corpus_issuers(corpus_dir: Path) -> frozenset[str]:
    """Issuing bodies of the corpus's regulations and standards (all government organs).

    Read through the corpus loader, so invalid documents are skipped the same way ingest skips them.
    """
    names: set[str] = set()
    for document in load_corpus(Path(corpus_dir)).documents:
        if document.meta.kind in (Kind.regulation, Kind.standard):
            names.update(_split_issuer(document.meta.source.issuer or ""))
    return frozenset(names)


def government_segment(name: str, region: Region, *, national: bool) -> tuple[str, str] | None:
    if national:
        return "国务院部委", "中央国家机关"
    if region.province is None:
        # No known place: the level words of the name itself (某某县人民政府).
        for pattern, segment in ((r"[县旗]|区(?!域)", "区县政府"), (r"市", "地市级政府"), (r"省|自治区", "省级部门")):
            if re.search(pattern, name):
                if segment == "省级部门" and name.endswith("人民政府"):
                    segment = "省级政府"
                return segment, "名称含行政级别用语"
        return None
    direct = region.province.endswith("市")  # 直辖市: its bureaux are provincial-level
    if region.district or re.search(r"[县旗]|[^\d]区(?!域)", name.split(region.city or region.province)[-1]):
        return "区县政府", "名称含区县级地名"
    if region.city and not direct:
        return "地市级政府", "名称含地市级地名"
    if "人民政府" in name and not re.search(r"(厅|局|委员会|办公厅)$", name):
        return "省级政府", "省级人民政府"
    return "省级部门", "名称含省级地名"


def infer_industry(
    core: str,
    reading: NameReading,
    *,
    directory_industry: str,
    hint: str | None,
    regulators: list[str],
    evidence: list[Evidence],
) -> tuple[str, float, bool]:
    """(industry, confidence, is a central organ), appending the deciding evidence.

    Order: directory, user hint, corpus issuers (and their branches), the
    国家…局 pattern, the name rules. Nothing decisive gives unknown.
    """
    if directory_industry in INDUSTRY_LABELS:
        evidence.append(Evidence(field="industry", value=directory_industry, source="directory",
                                 detail=f"客户名录：行业={directory_industry}（{INDUSTRY_LABELS[directory_industry]}）"))
        return directory_industry, CONFIDENCE["directory"], False
    if hint in INDUSTRY_LABELS:
        evidence.append(Evidence(field="industry", value=hint, source="hint",
                                 detail=f"用户指定行业：{INDUSTRY_LABELS[hint]}"))
        return hint, CONFIDENCE["hint"], False  # type: ignore[return-value]
    issuer = next((r for r in regulators if core.startswith(r)), None)
    if issuer is not None:
        detail = f"“{issuer}”是语料库法规的发布机关" + ("" if core == issuer else "（名称为其下属机构）")
        evidence.append(Evidence(field="industry", value="government", source="corpus", detail=detail))
        return "government", CONFIDENCE["issuer"], core == issuer
    if NATIONAL.search(core) and NATIONAL_ORGAN.search(core):
        evidence.append(Evidence(field="industry", value="government", source="name",
                                 detail="名称以“国家/中国”等开头、以部/委/局/署等机关用语结尾"))
        return "government", 0.9, True
    if reading.head is not None:
        label = INDUSTRY_LABELS[reading.industry]
        evidence.append(Evidence(field="industry", value=reading.industry, source="name", weight=reading.confidence,
                                 detail=f"{reading.head.detail}，判断为{label}"))
        return reading.industry, reading.confidence, False
    return UNKNOWN, reading.confidence, False


class Profiler:
    """Builds a `Profile`; every inference carries its `Evidence`."""

    def __init__(
        self,
        *,
        directory: DirectoryLookup | None = None,
        gazetteer: Gazetteer | None = None,
        regulators: Iterable[str] = (),
        guesser: IndustryGuesser | None = None,
    ) -> None:
        self.directory = directory
        self.guesser = guesser  # asked only when nothing else places the name
        self.gazetteer = gazetteer or default_gazetteer()
        self.regulators = sorted({name_key(r) for r in regulators if r}, key=len, reverse=True)

    def profile(
        self, name: str, *, industry_hint: str | None = None, region_hint: str | None = None, ask_llm: bool = True
    ) -> Profile:
        """`ask_llm=False` skips the LLM step (the advisor asks it only once a message is known not to be a topic)."""
        cleaned = clean_name(name if isinstance(name, str) else "")
        if not cleaned:
            raise ProfileInputError("客户名称为空")
        if len(cleaned) > MAX_NAME_LENGTH:
            raise ProfileInputError(f"客户名称过长（{len(cleaned)} 字，上限 {MAX_NAME_LENGTH} 字）")
        evidence: list[Evidence] = []
        core = strip_tails(name_key(cleaned))
        entry = self.directory.lookup(cleaned) if self.directory is not None else None
        region = self._region(cleaned, entry, region_hint, evidence)
        if entry is None and industry_hint is None:
            place = self._bare_place(name_key(cleaned))
            if place is not None:  # 连云港 is a city, not a port operator: ask which organisation
                if not region.label:  # the strict reading wants 市/县; a bare 连云港 still says where
                    region = place.region
                    evidence.append(Evidence(field="region", value=region.label, source="name", detail=place.detail))
                return Profile(name=cleaned, region=region, confidence=0.0, evidence=evidence,
                               question=f"“{cleaned}”是地名，不是机构名称：请输入该地的具体机构，例如某单位、某医院或某企业的全称。")
        place_free = core
        match = self.gazetteer.find(core)
        for surface, _ in match.spans if match is not None else ():
            place_free = place_free.replace(surface, "□" * len(surface))  # 云南 is not 云

        entry_industry = getattr(entry, "industry", UNKNOWN) if entry is not None else UNKNOWN
        reading = read_name(place_free)
        industry, confidence, national = infer_industry(
            core, reading, directory_industry=entry_industry, hint=industry_hint,
            regulators=self.regulators, evidence=evidence,
        )
        if industry == UNKNOWN and ask_llm and self.guesser is not None:
            guess = self.guesser.guess(cleaned)
            if guess is not None:
                industry, confidence = guess.industry, LLM_CONFIDENCE
                evidence.append(Evidence(field="industry", value=industry, source="llm", weight=LLM_CONFIDENCE,
                                         detail=f"大模型判断为{INDUSTRY_LABELS[industry]}（{guess.reason or '未说明依据'}；未经核实，请确认）"))
        if industry == UNKNOWN:
            evidence.extend(
                Evidence(field="industry", value=m.rule.industry, source="name", weight=0.2,
                         detail=f"{m.detail}，但不足以判断行业（{INDUSTRY_LABELS[m.rule.industry]}？）")
                for m in reading.clues
            )
            return Profile(name=cleaned, region=region, confidence=round(confidence, 2), evidence=evidence,
                           question=self._question(cleaned))

        segment = self._segment(industry, core, region, national, evidence)
        mlps = self._mlps(industry, segment, evidence)
        regulators = list(SEGMENT_REGULATORS.get(segment or "", REGULATORS[industry]))
        basis = f"细分“{segment}”" if segment in SEGMENT_REGULATORS else f"行业“{INDUSTRY_LABELS[industry]}”"
        decided_by = next((e.source for e in reversed(evidence) if e.field == "industry" and e.value == industry), "name")
        evidence.append(Evidence(field="regulators", value="、".join(regulators), source=decided_by,
                                 detail=f"按{basis}适用的监管部门"))
        return Profile(name=cleaned, industry=industry, segment=segment, region=region, mlps_level=mlps,
                       regulators=regulators, confidence=round(confidence, 2), evidence=evidence)

    # -- pieces -------------------------------------------------------------------------------

    def _bare_place(self, key: str) -> RegionMatch | None:
        """The place, when the whole name is one (a city or county name alone names no organisation)."""
        match = self.gazetteer.find(key, relaxed=True)
        if match is None or "".join(surface for surface, _ in match.spans) != key:
            return None
        return match

    def _region(self, cleaned: str, entry: object | None, hint: str | None, evidence: list[Evidence]) -> Region:
        for text, source, label in (
            (clean_name(hint or ""), "hint", "用户指定地区"),
            (getattr(entry, "region", "") or "", "directory", "客户名录：地区"),
        ):
            if text:
                match = self.gazetteer.find(text, relaxed=True)
                if match is not None:
                    evidence.append(Evidence(field="region", value=match.region.label, source=source,  # type: ignore[arg-type]
                                             detail=f"{label}“{text}”"))
                    return match.region
        match = self.gazetteer.find(cleaned)
        if match is None:
            return Region()
        evidence.append(Evidence(field="region", value=match.region.label, source="name", detail=match.detail))
        return match.region

    def _segment(self, industry: str, core: str, region: Region, national: bool, evidence: list[Evidence]) -> str | None:
        if industry == "government":
            found = government_segment(core, region, national=national)
        else:
            found = segment_for(industry, core)
            if found is None and industry == "healthcare" and "医院" in core and region.city and not region.district \
                    and not re.search(r"[县区旗镇乡]", core) and not region.province.endswith("市"):
                found = ("三级医院", "地市级综合医院多为三级医院（推断）")
            if found is None and industry == "finance" and core.endswith("银行") and region.province:
                found = ("城商行", "地名加“银行”，多为城市商业银行（推断）")
        if found is None:
            return None
        segment, detail = found
        evidence.append(Evidence(field="segment", value=segment, source="name", detail=detail))
        return segment

    @staticmethod
    def _mlps(industry: str, segment: str | None, evidence: list[Evidence]) -> int | None:
        level = MLPS_BY_SEGMENT.get(segment or "") or MLPS_BY_INDUSTRY.get(industry)
        if level is None:
            return None
        evidence.append(Evidence(field="mlps_level", value=str(level[0]), source="name", detail=level[1]))
        return level[0]

    @staticmethod
    def _question(name: str) -> str:
        options = "、".join(INDUSTRY_LABELS.values())
        return f"未能从名称判断“{name}”的行业，请补充：它属于{options}中的哪一类？"
