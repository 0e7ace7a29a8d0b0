"""Which passages fit a customer: its segment and its province.

- Segment: a sentence (or a case) about another segment of the same industry is left out ("a 城商行
  brief never speaks of 农商行"); one that also names the customer's segment, or lists three or more
  segments (a general statement), stays.
- Region: a document whose front matter lists `regions` (a province's rules) fits customers in those
  places only, and counts as local for them (it ranks into their briefs); documents without regions
  are nationwide.

    scope = Scope.of(profile)
    scope.fits(chunk); scope.fits_text(sentence); scope.local(chunk)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from assistant.gazetteer import default_gazetteer
from assistant.models import Profile, Region
from retrieval.models import Chunk

__all__ = ["SEGMENT_TERMS", "Scope", "document_regions"]

# How corpus text names each segment of the profiler (assistant/name_rules.py SEGMENTS).
SEGMENT_TERMS: dict[str, tuple[str, ...]] = {
    "城商行": ("城商行", "城市商业银行"),
    "农商行/农信社": ("农商行", "农商银行", "农村商业银行", "农信社", "农商联合银行", "省联社", "农信机构", "农村合作银行", "信用社"),
    "村镇银行": ("村镇银行",),
    "证券公司": ("证券公司", "券商"),
    "保险公司": ("保险公司", "险企"),
    "基金/信托": ("基金公司", "信托公司"),
    "三级医院": ("三级医院", "三甲"),
    "二级医院": ("二级医院", "县级医院", "县医院"),
    "基层医疗机构": ("基层医疗", "卫生院", "社区卫生服务"),
    "疾控/公共卫生": ("疾控中心", "疾病预防控制"),
    "高校": ("高校", "高等院校", "本科院校"),
    "中小学": ("中小学", "K12"),
    "职业院校": ("职业院校", "职校", "高职院校"),
    "电网公司": ("电网公司", "供电公司"),
    "发电企业": ("发电企业", "发电集团"),
}
SEGMENT_INDUSTRY = {
    "城商行": "finance", "农商行/农信社": "finance", "村镇银行": "finance", "证券公司": "finance", "保险公司": "finance",
    "基金/信托": "finance", "三级医院": "healthcare", "二级医院": "healthcare", "基层医疗机构": "healthcare",
    "疾控/公共卫生": "healthcare", "高校": "education", "中小学": "education", "职业院校": "education",
    "电网公司": "energy", "发电企业": "energy",
}  # fmt: skip
GENERAL_LISTING = 3  # a sentence naming this many segments speaks of the industry as a whole


@lru_cache(maxsize=512)
def _parse_regions(text: str) -> tuple[Region, ...]:
    gazetteer = default_gazetteer()
    regions = []
    for part in (p.strip() for p in text.split(",")):
        match = gazetteer.find(part, relaxed=True) if part else None
        if match is not None:
            regions.append(match.region)
    return tuple(regions)


def document_regions(chunk: Chunk) -> tuple[Region, ...]:
    """The places a chunk's document is limited to (empty: nationwide)."""
    return _parse_regions(str(chunk.metadata.get("regions", "") or ""))


def _segments_named(text: str) -> set[str]:
    return {segment for segment, words in SEGMENT_TERMS.items() if any(w in text for w in words)}


@dataclass(frozen=True)
class Scope:
    industry: str | None = None
    segment: str | None = None
    province: str | None = None
    city: str | None = None
    strict: bool = True  # without a province, regional documents do not fit (a brief); else anything goes (a question)

    @classmethod
    def of(cls, profile: Profile | None, *, region: Region | None = None, strict: bool = True) -> Scope:
        """The scope of a customer; `region` (a place the question names) overrides the customer's place."""
        place = region if region is not None and region.province else (profile.region if profile else Region())
        if profile is None or not profile.known:
            return cls(province=place.province, city=place.city, strict=strict)
        known_segment = profile.segment if SEGMENT_INDUSTRY.get(profile.segment or "") == profile.industry else None
        return cls(profile.industry, known_segment, place.province, place.city, strict)

    def fits_text(self, text: str) -> bool:
        """False for text about other segments of the customer's industry only."""
        if self.segment is None:
            return True
        named = _segments_named(text)
        same_industry = {s for s in named if SEGMENT_INDUSTRY.get(s) == self.industry}
        if not same_industry or self.segment in same_industry or len(same_industry) >= GENERAL_LISTING:
            return True
        return False

    def fits_region(self, chunk: Chunk) -> bool:
        regions = document_regions(chunk)
        if not regions:
            return True
        if self.province is None:
            return not self.strict
        return any(self._in(region) for region in regions)

    def local(self, chunk: Chunk) -> bool:
        """A document limited to places that include the customer's: its province's (or city's) own rules."""
        regions = document_regions(chunk)
        return bool(regions) and any(self._in(region) for region in regions)

    def fits(self, chunk: Chunk) -> bool:
        """The chunk's place fits, and its document (title) is not about another segment."""
        return self.fits_region(chunk) and self.fits_text(str(chunk.metadata.get("title", "")))

    def _in(self, region: Region) -> bool:
        if self.province is None or region.province != self.province:
            return False
        return region.city is None or region.city == region.province or region.city == self.city
