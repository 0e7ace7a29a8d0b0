"""What the redaction engine returns: findings with offsets into the original text.

A `Finding` says: characters `start:end` of the original (`original`) become `replacement`.
Findings of one `Redaction` never overlap and are sorted by `start`, so `apply` can rebuild the
redacted text from the original and any subset of them (the author's undo).

`original` is for the author's side-by-side view only: what leaves the author's organisation is
the redacted `text`, never the findings.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

__all__ = [
    "GENERALISED",
    "IDENTIFIERS",
    "STRUCTURED",
    "Finding",
    "FindingKind",
    "Redaction",
    "RedactionError",
    "Uniqueness",
]


class RedactionError(ValueError):
    """Bad input to the engine (overlapping findings, offsets outside the text); message in Chinese."""


class FindingKind(StrEnum):
    customer = "customer"  # the case's customer: its name, aliases and abbreviations
    org = "org"  # any other organisation, except security vendors and regulators
    person = "person"
    phone = "phone"
    id_card = "id_card"  # 居民身份证号
    credit_code = "credit_code"  # 统一社会信用代码
    email = "email"
    bank_card = "bank_card"
    plate = "plate"  # licence plate
    ip = "ip"
    domain = "domain"  # a domain name or URL
    address = "address"  # street address below city level
    project_no = "project_no"  # project, contract, tender or filing numbers
    manual = "manual"  # added by the author
    # generalised quasi-identifiers: the value stays, coarser
    amount = "amount"
    date = "date"
    place = "place"  # city, district or county → province
    headcount = "headcount"
    beds = "beds"


STRUCTURED = frozenset(
    {FindingKind.phone, FindingKind.id_card, FindingKind.credit_code, FindingKind.email, FindingKind.bank_card}
)
IDENTIFIERS = STRUCTURED | {
    FindingKind.customer, FindingKind.org, FindingKind.person, FindingKind.plate, FindingKind.ip,
    FindingKind.domain, FindingKind.address, FindingKind.project_no, FindingKind.manual,
}  # fmt: skip
GENERALISED = frozenset(
    {FindingKind.amount, FindingKind.date, FindingKind.place, FindingKind.headcount, FindingKind.beds}
)

KIND_LABELS: dict[FindingKind, str] = {
    FindingKind.customer: "客户名称", FindingKind.org: "机构名称", FindingKind.person: "人名",
    FindingKind.phone: "电话", FindingKind.id_card: "身份证号", FindingKind.credit_code: "统一社会信用代码",
    FindingKind.email: "邮箱", FindingKind.bank_card: "银行卡号", FindingKind.plate: "车牌号",
    FindingKind.ip: "IP地址", FindingKind.domain: "域名", FindingKind.address: "地址",
    FindingKind.project_no: "编号", FindingKind.manual: "手动删除", FindingKind.amount: "金额",
    FindingKind.date: "日期", FindingKind.place: "地名", FindingKind.headcount: "人数", FindingKind.beds: "床位数",
}  # fmt: skip


class Finding(BaseModel):
    kind: FindingKind
    original: str
    replacement: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Finding:
        if self.end <= self.start or self.end - self.start != len(self.original):
            raise ValueError("end must be after start and end - start must equal len(original)")
        return self

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


class Uniqueness(BaseModel):
    """How many organisations the case's quasi-identifiers roughly describe, and what to do about it."""

    estimate: float  # expected number of organisations matching all given attributes
    threshold: int
    attributes: dict[str, str]  # what the estimate is about, e.g. {"行业": "医疗卫生", "省份": "宁夏回族自治区"}
    message: str
    suggestion: str | None = None  # a coarser region (or size band) that makes the case look like enough others
    suggested_region: str | None = None
    basis: str  # how the estimate was made

    @property
    def unique(self) -> bool:
        return self.estimate < self.threshold


class Redaction(BaseModel):
    text: str
    findings: list[Finding] = Field(default_factory=list)
    uniqueness: Uniqueness | None = None

    def public(self) -> dict[str, object]:
        """The CLI's and API's shape: {text, findings: [{kind, original, replacement, start, end}]}."""
        out: dict[str, object] = {"text": self.text, "findings": [f.model_dump(mode="json") for f in self.findings]}
        if self.uniqueness is not None:
            out["uniqueness"] = self.uniqueness.model_dump(mode="json")
        return out
