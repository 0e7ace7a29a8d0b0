"""The redaction engine: run the detectors, keep the best non-overlapping spans, name them.

    redactor = Redactor()
    result = redactor.redact(text, customer="杭州市第一人民医院", aliases=["市一院"])
    result.text, result.findings

Naming is consistent within a text: one person, one placeholder (张伟 and 张主任 → 张某 when only
one 张 is named; two different 张 → 张某甲, 张某乙); one organisation, one letter (某公司A);
repeated identifiers are numbered only when several differ ([电话1], [电话2]).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from community.redaction.addresses import detect_addresses
from community.redaction.aliases import AliasSource, propose_aliases
from community.redaction.identifiers import detect_identifiers
from community.redaction.lexicon import KEEP_ORGS
from community.redaction.models import Finding, Redaction
from community.redaction.models import FindingKind as K
from community.redaction.orgs import detect_orgs, org_type
from community.redaction.people import detect_people
from community.redaction.places import detect_places
from community.redaction.quasi import detect_quasi
from community.redaction.spans import PRIORITY, Candidate, Context
from community.redaction.textnorm import fold

__all__ = ["Redactor", "redact"]

BRACKETED = {
    K.phone: "电话", K.id_card: "身份证号", K.credit_code: "统一社会信用代码", K.email: "邮箱", K.bank_card: "银行卡号",
    K.plate: "车牌号", K.ip: "IP地址", K.domain: "域名", K.address: "地址", K.project_no: "编号", K.manual: "已删除",
}  # fmt: skip
STEMS = "甲乙丙丁戊己庚辛壬癸"
ORG_TYPES = frozenset("公司 医院 银行 高校 学校 机构 单位".split())
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A phrase matched in the folded text, tolerating spaces between its characters (宁波 银行)."""
    chars = [re.escape(c) for c in "".join(fold(phrase).split())]
    return re.compile(r"\s?".join(chars), re.I)


def _find_phrases(ctx: Context, phrases: Iterable[str], kind: K, key: str, hint: str = "") -> list[Candidate]:
    out: list[Candidate] = []
    for phrase in sorted({p for p in phrases if p and p.strip()}, key=len, reverse=True):
        for m in _phrase_pattern(phrase).finditer(ctx.folded):
            if m.end() > m.start():
                out.append(Candidate(m.start(), m.end(), kind, key=key, hint=hint))
    return out


_DEFINED = re.compile(r"\s?[(（]\s?(?:以下简称|以下称|下称|简称|以下称为)\s?[:：]?\s?[“\"「『]?([^”\"」』)）]{2,12}?)[”\"」』]?\s?[)）]")


def _defined_aliases(ctx: Context, named: list[Candidate]) -> dict[str, list[str]]:
    """Short names a text defines for an organisation right after naming it: 某某有限公司（以下简称“瓯越数码”）."""
    out: dict[str, list[str]] = defaultdict(list)
    for c in named:
        m = _DEFINED.match(ctx.folded, c.end)
        if m:
            out[c.key].append(ctx.text[m.start(1) : m.end(1)])
    return out


def _kept_spans(ctx: Context) -> list[tuple[int, int]]:
    """Where the text names a security vendor or a regulator from the keep-list."""
    f = ctx.folded
    spans: list[tuple[int, int]] = []
    for name in KEEP_ORGS:
        if len(name) >= 2 and name in f:
            spans += [(m.start(), m.end()) for m in re.finditer(re.escape(name), f)]
    return spans


def _select(cands: list[Candidate]) -> list[Candidate]:
    """Greedy by priority, then length, then position: the strongest reading of each character wins."""
    chosen: list[Candidate] = []
    taken = bytearray()
    for c in sorted(cands, key=lambda c: (-c.priority, -(c.end - c.start), c.start)):
        if len(taken) < c.end:
            taken.extend(b"\0" * (c.end - len(taken)))
        if any(taken[c.start : c.end]):
            continue
        taken[c.start : c.end] = b"\1" * (c.end - c.start)
        chosen.append(c)
    return sorted(chosen, key=lambda c: c.start)


def _absorb_customer(orgs: list[Candidate], customer: list[Candidate]) -> None:
    """An organisation name that contains the customer's (嘉兴银行杭州分行) is the customer."""
    for org in orgs:
        if org.priority == PRIORITY[K.org] and any(org.start <= c.start and c.end <= org.end for c in customer):
            org.kind, org.priority, org.key = K.customer, 86, "customer"


class Redactor:
    """Detects and replaces identifiers in case write-ups. Stateless between calls; safe to share."""

    def __init__(self, *, alias_sources: Sequence[AliasSource] = ()) -> None:
        self.alias_sources = tuple(alias_sources)

    def aliases_for(self, customer: str) -> list[str]:
        return propose_aliases(customer, sources=self.alias_sources)

    def candidates(
        self, ctx: Context, *, customer: str | None, aliases: Sequence[str], manual: Sequence[str], generalise: bool
    ) -> list[Candidate]:
        names = list(aliases) + (self.aliases_for(customer) if customer else [])
        customer_hits = _find_phrases(ctx, names, K.customer, "customer")
        orgs = detect_orgs(ctx)
        _absorb_customer(orgs, customer_hits)
        defined = _defined_aliases(ctx, customer_hits + orgs)  # X有限公司（以下简称“X数码”）
        customer_hits += _find_phrases(ctx, defined.get("customer", []), K.customer, "customer")
        for org in [o for o in orgs if o.kind is K.org]:
            orgs += [Candidate(c.start, c.end, K.org, key=org.key, hint=org.hint) for c in
                     _find_phrases(ctx, defined.get(org.key, []), K.org, org.key)]
        kept = _kept_spans(ctx)  # 宝兰德, 安华金和: a vendor's name is not a person's or a company to hide
        found = [c for c in orgs + detect_people(ctx) if not any(c.start < e and s < c.end for s, e in kept) or c.kind is K.customer]
        cands = _find_phrases(ctx, manual, K.manual, "manual") + customer_hits + found
        cands += detect_identifiers(ctx) + detect_addresses(ctx)
        if generalise:
            cands += detect_places(ctx) + detect_quasi(ctx)
        return cands

    def redact(
        self,
        text: str,
        *,
        customer: str | None = None,
        aliases: Sequence[str] = (),
        manual: Sequence[str] = (),
        generalise: bool = True,
        customer_label: str | None = None,
    ) -> Redaction:
        """Findings over `text` and the text with all of them applied.

        `customer` is the customer's name (its derived aliases are used too), `aliases` what the
        author adds, `manual` phrases the author wants gone wherever they occur. `generalise=False`
        keeps amounts, dates, places and sizes exact.
        """
        ctx = Context(text)
        chosen = _select(self.candidates(ctx, customer=customer, aliases=aliases, manual=manual, generalise=generalise))
        label = customer_label or ("某" + org_type(fold(customer)) if customer else "某客户")
        findings = [
            Finding(kind=c.kind, original=text[c.start : c.end], replacement=r, start=c.start, end=c.end)
            for c, r in zip(chosen, _names(chosen, label))
        ]
        return Redaction(text=apply(text, findings), findings=findings)


def _names(chosen: list[Candidate], customer_label: str) -> list[str]:
    """The replacement of each chosen span, consistent across the text."""
    distinct: dict[K, list[str]] = defaultdict(list)
    for c in chosen:
        if c.key not in distinct[c.kind]:
            distinct[c.kind].append(c.key)
    people = _person_names(chosen)
    org_letters: dict[str, str] = {}
    per_type: dict[str, int] = defaultdict(int)
    out: list[str] = []
    for c in chosen:
        if c.replacement is not None:
            out.append(c.replacement)
        elif c.kind is K.customer:
            out.append(customer_label)
        elif c.kind is K.org:
            if c.key not in org_letters:
                kind = c.hint if c.hint in ORG_TYPES else org_type(c.key)
                org_letters[c.key] = f"某{kind}{chr(ord('A') + per_type[kind] % 26)}"
                per_type[kind] += 1
            out.append(org_letters[c.key])
        elif c.kind is K.person:
            out.append(people[c.key])
        else:
            word = BRACKETED.get(c.kind, "已删除")
            keys = distinct[c.kind]
            out.append(f"[{word}{keys.index(c.key) + 1}]" if len(keys) > 1 else f"[{word}]")
    return out


def _person_names(chosen: list[Candidate]) -> dict[str, str]:
    """张伟 → 张某; with 张伟 and 张敏 → 张某甲, 张某乙; 张主任 goes with the only 张 named in full."""
    people = [c for c in chosen if c.kind is K.person]
    full_by_surname: dict[str, list[str]] = defaultdict(list)
    for c in people:
        if c.key != c.hint and c.key not in full_by_surname[c.hint]:
            full_by_surname[c.hint].append(c.key)
    names: dict[str, str] = {}
    for c in people:
        surname = c.hint if _HAN.match(c.hint or "") else ""
        fulls = full_by_surname[c.hint]
        if not surname:  # a Latin or transliterated name: Zhang Wei, 帕提古丽 → 某人A
            others = sorted({p.key for p in people if not _HAN.match(p.hint or "")})
            names[c.key] = f"某人{chr(ord('A') + others.index(c.key) % 26)}"
        elif c.key == c.hint:  # surname and title only
            names[c.key] = names.get(fulls[0], f"{surname}某") if len(fulls) == 1 else f"{surname}某"
        elif len(fulls) == 1:
            names[c.key] = f"{surname}某"
        else:
            names[c.key] = f"{surname}某{STEMS[fulls.index(c.key) % len(STEMS)]}"
    for c in people:  # a surname-only mention resolved before its full name was named
        if c.key == c.hint and len(full_by_surname[c.hint]) == 1:
            names[c.key] = names[full_by_surname[c.hint][0]]
    return names


def apply(text: str, findings: Sequence[Finding]) -> str:
    """`text` with `findings` replaced: any subset of a redaction's findings (the author's undo)."""
    from community.redaction.edits import check_findings

    ordered = check_findings(text, findings)
    parts: list[str] = []
    pos = 0
    for f in ordered:
        parts.append(text[pos : f.start])
        parts.append(f.replacement)
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts)


_default: Redactor | None = None


def redact(text: str, **kwargs: object) -> Redaction:
    """`Redactor().redact(text, …)` with a shared default redactor."""
    global _default
    if _default is None:
        _default = Redactor()
    return _default.redact(text, **kwargs)  # type: ignore[arg-type]
