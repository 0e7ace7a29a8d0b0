"""The customer profiler: who is this organisation, from its name and what we know.

Sources, strongest first: the partner's customer directory (exact name), the
user's hints, the issuers of our corpus's regulations (they are government
bodies, whatever their names end with), the organisation knowledge base
(`assistant.orgs`: listed companies, central SOEs, big groups), the name rules
(`assistant.name_rules`); then, only where configured, an enterprise registry
(`assistant.orgs.registry`) and an OpenAI-compatible LLM (`assistant.industry_llm`,
marked as unverified). Weak evidence gives `industry="unknown"` and a question
(with the candidates, for an ambiguous short name), never a guess. (An embedding
fallback was measured and left out: see `bench/profiler.py`.)

    profiler = Profiler(directory=CustomerDirectory(engine), regulators=corpus_issuers(STARTER_DIR))
    profiler.profile("临江县人民医院").segment  # "二级医院"
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from assistant.gazetteer import Gazetteer, RegionMatch, default_gazetteer
from assistant.industry_llm import IndustryGuesser
from assistant.models import INDUSTRY_LABELS, UNKNOWN, Evidence, Profile, Region
from assistant.name_rules import (
    REGULATORS,
    SEGMENT_REGULATORS,
    NameReading,
    clean_name,
    name_key,
    read_name,
    strip_tails,
)
from assistant.orgs.knowledge import ALIAS, OrgEntity, OrgKnowledge, default_knowledge
from assistant.orgs.names import parse
from assistant.orgs.reading import KnowledgeReading, as_candidate, candidate_question, read_knowledge
from assistant.orgs.registry import EnterpriseRegistry, RegistryError
from assistant.segments import infer_mlps, infer_segment
from corpus.document import INDUSTRY_CODES
from corpus.named_bodies import documents, issuers

__all__ = ["INDUSTRY_LABELS", "MAX_NAME_LENGTH", "ProfileInputError", "Profiler", "corpus_issuers", "infer_industry", "read_name"]

MAX_NAME_LENGTH = 200

assert set(INDUSTRY_LABELS) == set(INDUSTRY_CODES)

NATIONAL = re.compile(r"^(国家|中华人民共和国|国务院|中国|中央|全国|最高人民)")
NATIONAL_ORGAN = re.compile(r"(部|委员会|委|局|总局|署|总署|院|办公厅|办公室)$")
CONFIDENCE = {"directory": 0.98, "hint": 0.9, "issuer": 0.95, "registry": 0.9, "public_centre": 0.85}
LLM_CONFIDENCE = 0.6  # the model's word, unverified: below every rule-based answer
DIVISION_END = ("省", "市", "区", "县", "州", "旗", "盟")  # a full division name: 上海市, 西湖区

logger = logging.getLogger(__name__)


class ProfileInputError(ValueError):
    """The name cannot be profiled at all (empty, too long); the message is for the user."""


class DirectoryLookup(Protocol):
    def lookup(self, name: str) -> object | None: ...  # a DirectoryEntry: name, industry, region, notes


def corpus_issuers(corpus_dir: Path) -> frozenset[str]:
    """Issuing bodies of the corpus's regulations and standards (all government organs; corpus/named_bodies.py)."""
    return issuers(documents(Path(corpus_dir)))


def infer_industry(
    core: str,
    reading: NameReading,
    *,
    directory_industry: str,
    hint: str | None,
    regulators: list[str],
    evidence: list[Evidence],
    knowledge: KnowledgeReading | None = None,
    public_centre: bool = False,
) -> tuple[str, float, bool]:
    """(industry, confidence, is a central organ), appending the deciding evidence.

    Order: directory, user hint, corpus issuers (and their branches), the knowledge base, a 市/区…中心
    (a public institution), the 国家…局 pattern, the name rules. Nothing decisive gives unknown.
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
    if knowledge is not None:
        evidence.extend(knowledge.evidence)
        if knowledge.industry != UNKNOWN:
            return knowledge.industry, knowledge.confidence, False
    typed = reading.head is not None and reading.head.rule.tier == 3  # 医院, 大学, 银行: what the body *is*
    if public_centre and not (typed and reading.industry != "government"):
        evidence.append(Evidence(field="industry", value="government", source="name",
                                 detail="名称以行政区划全称开头、以“中心”结尾，多为政府直属事业单位"))
        return "government", CONFIDENCE["public_centre"], False
    hospital = typed and reading.industry == "healthcare"  # 中国医学科学院北京协和医院 is a hospital, not an organ
    if NATIONAL.search(core) and NATIONAL_ORGAN.search(core) and not hospital:
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
        knowledge: OrgKnowledge | bool | None = True,
        registry: EnterpriseRegistry | None = None,
        guesser: IndustryGuesser | None = None,
    ) -> None:
        """`knowledge=True` loads the shipped knowledge base; False or None profiles from the name alone."""
        self.directory = directory
        self.registry = registry  # asked only when nothing offline places the name
        self.guesser = guesser  # asked last
        self.gazetteer = gazetteer or default_gazetteer()
        self.knowledge = default_knowledge() if knowledge is True else knowledge or None
        self.regulators = sorted({name_key(r) for r in regulators if r}, key=len, reverse=True)

    def profile(
        self, name: str, *, industry_hint: str | None = None, region_hint: str | None = None, ask_remote: bool = True
    ) -> Profile:
        """`ask_remote=False` skips the registry and the LLM (the advisor asks them only once a message is known
        not to be a topic)."""
        given = name if isinstance(name, str) else ""
        cleaned = clean_name(given)
        if not cleaned:
            raise ProfileInputError("客户名称为空")
        if len(cleaned) > MAX_NAME_LENGTH:
            raise ProfileInputError(f"客户名称过长（{len(cleaned)} 字，上限 {MAX_NAME_LENGTH} 字）")
        evidence: list[Evidence] = []
        core = strip_tails(name_key(cleaned))
        entry = self.directory.lookup(cleaned) if self.directory is not None else None
        match = self.knowledge.lookup(cleaned) if self.knowledge is not None and entry is None else None
        if entry is None and industry_hint is None:
            place = self._bare_place(name_key(cleaned))
            if place is not None:  # a city first: ask which organisation (a company of that name is a choice)
                region = self._region(cleaned, None, region_hint, None, evidence)
                if not region.label:  # the strict reading wants 市/县; a bare city name still says where
                    region = place.region
                    evidence.append(Evidence(field="region", value=region.label, source="name", detail=place.detail))
                named = [c for c in match.candidates if c.industry] if match and match.quality >= ALIAS else []
                return Profile(name=cleaned, input=given, region=region, confidence=0.0, evidence=evidence,
                               candidates=[as_candidate(c) for c in named],
                               question=f"“{cleaned}”是地名，不是机构名称：请输入该地的具体机构，例如某单位、某医院或某企业的全称。")
        place_free = core
        found = self.gazetteer.find(core, opening=True)
        for surface, _ in found.spans if found is not None else ():
            place_free = place_free.replace(surface, "□" * len(surface))  # 云南 is not 云

        reading = read_name(place_free)
        known = read_knowledge(match, reading) if match is not None else None
        region = self._region(cleaned, entry, region_hint, known.entity if known else None, evidence,
                              brand=match.surface if match is not None else "")  # fmt: skip
        industry, confidence, national = infer_industry(
            core, reading, directory_industry=getattr(entry, "industry", UNKNOWN) if entry is not None else UNKNOWN,
            hint=industry_hint, regulators=self.regulators, evidence=evidence, knowledge=known,
            public_centre=core.endswith("中心") and self.gazetteer.leading(core).endswith(DIVISION_END),
        )
        if industry == UNKNOWN and ask_remote:
            industry, confidence, region = self._remote(cleaned, region, evidence)
        if industry == UNKNOWN:
            evidence.extend(
                Evidence(field="industry", value=m.rule.industry, source="name", weight=0.2,
                         detail=f"{m.detail}，但不足以判断行业（{INDUSTRY_LABELS[m.rule.industry]}？）")
                for m in reading.clues
            )
            candidates = known.candidates if known is not None else []
            question = candidate_question(cleaned, candidates) if candidates else self._question(cleaned)
            return Profile(name=cleaned, input=given, region=region, confidence=round(confidence, 2), evidence=evidence,
                           question=question, candidates=candidates)  # fmt: skip

        segment = infer_segment(industry, core, region, national, evidence)
        mlps = infer_mlps(industry, segment, evidence)
        regulators = list(SEGMENT_REGULATORS.get(segment or "", REGULATORS[industry]))
        basis = f"细分“{segment}”" if segment in SEGMENT_REGULATORS else f"行业“{INDUSTRY_LABELS[industry]}”"
        decided_by = next((e.source for e in reversed(evidence) if e.field == "industry" and e.value == industry), "name")
        evidence.append(Evidence(field="regulators", value="、".join(regulators), source=decided_by,
                                 detail=f"按{basis}适用的监管部门"))
        return Profile(name=cleaned, input=given, industry=industry, segment=segment, region=region, mlps_level=mlps,
                       regulators=regulators, confidence=round(confidence, 2), evidence=evidence)  # fmt: skip

    # -- pieces -------------------------------------------------------------------------------

    def _remote(self, cleaned: str, region: Region, evidence: list[Evidence]) -> tuple[str, float, Region]:
        """The registry, then the LLM: (industry, confidence, region), UNKNOWN when neither answers."""
        if self.registry is not None:
            try:
                answer = self.registry.lookup(cleaned)
            except RegistryError as exc:
                logger.warning("registry lookup failed (a name of %d characters; names stay out of logs): %s", len(cleaned), exc)
                answer = None
            if answer is not None:
                if not region.label and answer.region:
                    place = self.gazetteer.find(answer.region, relaxed=True)
                    if place is not None:
                        region = place.region
                        evidence.append(Evidence(field="region", value=region.label, source="registry",
                                                 detail=f"企业登记信息：{answer.region}"))
                value = answer.industry or UNKNOWN
                evidence.append(Evidence(field="industry", value=value, source="registry", detail=answer.detail
                                         + ("" if answer.industry else "（不在13类行业之内）")))  # fmt: skip
                if answer.industry:
                    return answer.industry, CONFIDENCE["registry"], region
        if self.guesser is not None:
            guess = self.guesser.guess(cleaned)
            if guess is not None:
                evidence.append(Evidence(field="industry", value=guess.industry, source="llm", weight=LLM_CONFIDENCE,
                                         detail=f"大模型判断为{INDUSTRY_LABELS[guess.industry]}（{guess.reason or '未说明依据'}；未经核实，请确认）"))
                return guess.industry, LLM_CONFIDENCE, region
        return UNKNOWN, 0.0, region

    def _bare_place(self, key: str) -> RegionMatch | None:
        """The place, when the whole name is one (a city or county name alone names no organisation)."""
        match = self.gazetteer.find(key, relaxed=True)
        if match is None or "".join(surface for surface, _ in match.spans) != key:
            return None
        return match

    def _region(self, cleaned: str, entry: object | None, hint: str | None, entity: OrgEntity | None,
                evidence: list[Evidence], brand: str = "") -> Region:  # fmt: skip
        """Hint, directory, the name (places written out, then in brackets, then a short place opening it), the
        organisation's registered place. A short place that opens the known brand itself (仁和药业) yields to
        the organisation's registered place; one before the brand (南昌 + 欧菲光) is where this unit is."""
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
        known = self.gazetteer.find(entity.place, relaxed=True) if entity is not None and entity.place else None
        match = self.gazetteer.find(cleaned)
        detail = match.detail if match is not None else ""
        if match is None:
            for place in parse(cleaned, self.gazetteer).bracket_places:  # 腾讯科技(深圳)有限公司
                match = self.gazetteer.find(place, relaxed=True)
                detail = f"名称括号中的地名“{place}”"
                break
        if match is None:
            match = self.gazetteer.find(cleaned, opening=True)
            in_brand = match is not None and bool(brand) and name_key(cleaned).lower().startswith(brand)
            if in_brand and known is not None and known.region.province != match.region.province:  # type: ignore[union-attr]
                match = None  # 仁和药业 is in Jiangxi, not in 攀枝花's 仁和区
            detail = f"{match.detail}（企业名称开头的地名）" if match is not None else ""
        if match is None and known is not None and entity is not None:
            evidence.append(Evidence(field="region", value=known.region.label, source="knowledge",
                                     detail=f"{entity.source_label}：{entity.label}，注册地{entity.place}"))
            return known.region
        if match is None:
            return Region()
        evidence.append(Evidence(field="region", value=match.region.label, source="name", detail=detail))
        return match.region

    @staticmethod
    def _question(name: str) -> str:
        options = "、".join(INDUSTRY_LABELS.values())
        return f"未能从名称判断“{name}”的行业，请补充：它属于{options}中的哪一类？"
