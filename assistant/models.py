"""Typed values of the domain brain: customer profiles, needs plans, numbered sources.

Everything here is plain data so the API, the CLI and the benchmarks can
serialise it without knowing how it was produced.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from assistant.sanitize import strip_html
from corpus import labels as corpus_labels
from corpus.document import NEED_CATEGORIES

IndustryCode = str  # one of corpus.document.INDUSTRY_CODES, or "unknown"
UNKNOWN = "unknown"

INDUSTRY_LABELS: dict[str, str] = corpus_labels.INDUSTRY_LABELS  # one vocabulary (corpus/labels.py)
UNKNOWN_LABEL = "未知"

EvidenceSource = Literal["directory", "hint", "name", "corpus", "knowledge", "registry", "llm"]


class Evidence(BaseModel):
    """Why the profiler believes one field: what it saw and where."""

    field: str  # "industry", "segment", "region", "mlps_level", "regulators"
    value: str
    source: EvidenceSource
    detail: str  # e.g. "名称以“医院”结尾" or "客户名录: 行业=finance"
    weight: float = Field(1.0, ge=0.0, le=1.0)


class Region(BaseModel):
    province: str | None = None
    city: str | None = None
    district: str | None = None

    @property
    def label(self) -> str:
        parts = [p for p in (self.province, self.city, self.district) if p]
        # 直辖市: province and city are the same name.
        return "".join(dict.fromkeys(parts))


class OrgCandidate(BaseModel):
    """One organisation a short name may mean (长城: a car maker, a broker …): offered to the user as a choice."""

    name: str  # what to show and, once chosen, what to profile: 长城汽车
    industry: IndustryCode = UNKNOWN
    region: str = ""  # 河北, 北京 …; "" when unknown
    source: str = ""  # 上市公司名录：长城汽车（601633），汽车整车

    @property
    def label(self) -> str:
        details = [d for d in (INDUSTRY_LABELS.get(self.industry, ""), self.region) if d]
        return f"{self.name}（{'，'.join(details)}）" if details else self.name


class Choice(BaseModel):
    """A clickable answer to a question the assistant asks; `value` is sent back as the user's message."""

    label: str
    value: str


class Profile(BaseModel):
    """Who the customer most likely is. `industry == "unknown"` means: ask the user."""

    name: str  # normalised (full-width to half-width, single spaces)
    input: str = ""  # the name exactly as given
    industry: IndustryCode = UNKNOWN
    segment: str | None = None  # e.g. 三级医院, 城商行, 高校, 地市级政府
    region: Region = Field(default_factory=Region)
    mlps_level: int | None = None  # likely 等保 level of core systems (2, 3 or 4)
    regulators: list[str] = Field(default_factory=list)
    confidence: float = Field(0.0, ge=0.0, le=1.0)
    evidence: list[Evidence] = Field(default_factory=list)
    question: str | None = None  # what to ask the user when evidence is weak
    size: str | None = None  # what the user said about its size, e.g. 大型, 约500人
    candidates: list[OrgCandidate] = Field(default_factory=list)  # an ambiguous short name: the choices to offer

    @property
    def known(self) -> bool:
        return self.industry != UNKNOWN

    def facts(self) -> list[tuple[str, str]]:
        """(label, value) pairs of what was inferred, for display and prompts."""
        LEVELS = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五"}
        facts = [("行业", INDUSTRY_LABELS.get(self.industry, UNKNOWN_LABEL))]
        if self.segment:
            facts.append(("细分", self.segment))
        if self.region.label:
            facts.append(("地区", self.region.label))
        if self.size:
            facts.append(("规模", self.size))
        if self.mlps_level:
            facts.append(("核心系统可能的等保级别", f"第{LEVELS.get(self.mlps_level, self.mlps_level)}级"))
        if self.regulators:
            facts.append(("主管和监管部门", "、".join(self.regulators)))
        return facts


class SourceRef(BaseModel):
    """One numbered entry of an answer's source list; `[n]` markers point here."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    kind: str
    locator: str  # article (第二十三条) or section heading
    issuer: str = ""
    document_number: str = ""
    url: str = ""
    vendor: str | None = None
    illustrative: bool = False  # an illustrative (made-up, anonymised) case
    text: str  # the passage itself, so a citation can be checked and shown

    @field_validator("title", "locator", "text")
    @classmethod
    def _no_markup(cls, value: str) -> str:
        """Passages travel to every channel (the web UI, the widget, `/v1` citations): without raw HTML."""
        return strip_html(value)

    @property
    def label(self) -> str:
        parts = [f"《{self.title}》"]
        if self.locator:
            parts.append(self.locator)
        if self.issuer:
            parts.append(self.issuer)
        return " ".join(parts)


NeedCategory = Literal["it", "network_security", "data_security", "business"]
assert set(NeedCategory.__args__) == set(NEED_CATEGORIES)  # type: ignore[attr-defined]

CATEGORY_LABELS: dict[str, str] = corpus_labels.NEED_LABELS


class Claim(BaseModel):
    """A factual sentence taken from a source passage, with the source it came from."""

    text: str
    chunk_id: str
    also: list[str] = Field(default_factory=list)  # further chunks that state the same (e.g. the article itself)


class Need(BaseModel):
    """One thing the customer most likely needs, with why and how, all grounded."""

    category: NeedCategory
    title: str
    priority: int = Field(..., ge=1, le=3)  # 1 = high
    score: float = 0.0
    why: list[Claim] = Field(default_factory=list)  # regulatory driver (with article) or industry trend
    practices: list[Claim] = Field(default_factory=list)  # vendor-neutral best practice
    options: list[Claim] = Field(default_factory=list)  # the solution options (vendors) the corpus lists
    vendors: list[str] = Field(default_factory=list)  # vendors named by the option sources
    single_vendor: str | None = None  # set when every option source is one vendor's material
    cases: list[Claim] = Field(default_factory=list)
    cases_label: str = "典型案例（示意）"  # 典型案例（伙伴分享） for a case a partner shared
    questions: list[Claim] = Field(default_factory=list)  # questions to ask the customer
    doc_ids: list[str] = Field(default_factory=list)  # supporting documents


class CategoryPlan(BaseModel):
    category: NeedCategory
    overview: list[Claim] = Field(default_factory=list)  # industry-level context for the category
    needs: list[Need] = Field(default_factory=list)


class NeedsPlan(BaseModel):
    profile: Profile
    categories: list[CategoryPlan] = Field(default_factory=list)
    drivers: list[Claim] = Field(default_factory=list)  # the regulations that apply, article cited
    questions: list[Claim] = Field(default_factory=list)

    def claims(self) -> list[Claim]:
        """Every claim in the order a brief presents them (sources are numbered in this order)."""
        found = list(self.drivers)
        for category in self.categories:
            found += category.overview
            for need in category.needs:
                found += need.why + need.practices + need.options + need.cases + need.questions
        return found + self.questions
