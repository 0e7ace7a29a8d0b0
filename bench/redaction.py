"""The redaction engine on 180 labelled case write-ups (bench/redaction_data.py).

Per kind of planted identifier: recall = share of planted values no longer in the redacted text.
Domain terms (等保三级, 防火墙, 数据分类分级 …): share of their occurrences that survive. Non-PII
characters changed: share of the characters outside every planted value that a finding replaced.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.common import CACHE, percentile
from bench.redaction_data import DOMAIN_TERMS, Case, build_cases
from community.redaction import GENERALISED, STRUCTURED, Redactor
from community.redaction.checksums import make_card, make_id, make_uscc
from community.redaction.textnorm import fold

NAMES = ("customer", "org", "person")
STRUCTURED_KINDS = tuple(sorted(k.value for k in STRUCTURED))
GENERALISED_KINDS = frozenset(k.value for k in GENERALISED)


def _spans(text: str, surfaces: list[str]) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for s in surfaces for m in re.finditer(re.escape(s), text)]


FRESH = Path(__file__).with_name("redaction_fresh.txt")
_MARK = re.compile(r"⟦([a-z_]+):([^⟧]+)⟧")


def load_fresh(seed: int = 7) -> list[Case]:
    """The hand-written cases of redaction_fresh.txt, their ⟦kind:value⟧ marks turned into labels."""
    rng = random.Random(seed)
    makers = {"{ID}": make_id, "{USCC}": make_uscc, "{CARD}": make_card}
    cases: list[Case] = []
    blocks = FRESH.read_text(encoding="utf-8").split("\n===\n")[1:]
    for n, block in enumerate(blocks):
        header, _, body = block.strip("\n").partition("\n")
        names = [p.strip() for p in header.lstrip("@ ").split("|") if p.strip()]
        for token, make in makers.items():
            while token in body:
                body = body.replace(token, make(rng), 1)
        labels = [(m.group(1), m.group(2)) for m in _MARK.finditer(body)]
        text = _MARK.sub(lambda m: m.group(2), body)
        cases.append(Case(id=f"fresh-{n:02d}", template=-1, style="fresh", text=text, customer=names[0],
                          aliases=names[1:], labels=labels))
    return cases


def domain_text_false_hits() -> dict[str, Any]:
    """The starter corpus (our own regulations, guides, industry profiles and anonymous cases: no real
    identifiers) through the engine: every identifier finding there is a false hit."""
    from community.redaction import IDENTIFIERS
    from corpus import STARTER_DIR

    redactor = Redactor()
    chars, hits, changed = 0, [], 0
    for path in sorted(Path(STARTER_DIR).rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        chars += len(text)
        for f in redactor.redact(text).findings:
            if f.kind in IDENTIFIERS:
                hits.append(f"{f.kind.value}:{f.original}")
                changed += f.end - f.start
    return {"documents": len(list(Path(STARTER_DIR).rglob("*.md"))), "chars": chars, "identifier_findings": len(hits),
            "per_10k_chars": len(hits) / chars * 10_000, "chars_changed": changed / chars, "examples": sorted(set(hits))[:12]}


def run() -> dict[str, Any]:
    return {
        "templates": evaluate(build_cases()),
        "fresh": evaluate(load_fresh(), name="fresh"),
        "domain_text": domain_text_false_hits(),
    }


def evaluate(cases: list[Case], name: str = "templates") -> dict[str, Any]:
    redactor = Redactor()
    redactor.redact("预热：张伟，杭州市第一人民医院。")  # load jieba's dictionary outside the timings
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_style: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    customer_by_alias: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    terms = [0, 0]
    changed = [0, 0]
    misses: list[dict[str, str]] = []
    false_hits: list[dict[str, str]] = []
    timings: list[float] = []
    for case in cases:
        started = time.perf_counter()
        result = redactor.redact(case.text, customer=case.customer, aliases=case.aliases)
        timings.append((time.perf_counter() - started) * 1000)
        spans = {(kind, surface): _spans(case.text, [surface]) for kind, surface in case.labels}
        for kind, surface in case.labels:
            if kind in GENERALISED_KINDS:  # 3000人 → 3000–5000人 keeps the digits: check the span was generalised
                gone = all(any(f.start < e and s < f.end for f in result.findings) for s, e in spans[(kind, surface)])
            else:
                gone = surface not in result.text
            found[kind][0] += gone
            found[kind][1] += 1
            if kind in NAMES or kind in STRUCTURED_KINDS:
                by_style[case.style][0] += gone
                by_style[case.style][1] += 1
            if kind == "customer":
                key = "aliases given" if case.aliases else "name only"
                customer_by_alias[key][0] += gone
                customer_by_alias[key][1] += 1
            if not gone:
                misses.append({"case": case.id, "kind": kind, "value": surface})
        planted = _spans(case.text, [s for _, s in case.labels])
        before, after = fold(case.text), fold(result.text)
        for term in DOMAIN_TERMS:  # occurrences inside a planted value (…信息科技有限公司) do not count
            n = sum(1 for m in re.finditer(re.escape(term), before) if not any(s < m.end() and m.start() < e for s, e in planted))
            terms[0] += min(n, after.count(term))
            terms[1] += n
        covered = bytearray(len(case.text))
        for s, e in planted:
            covered[s:e] = b"\1" * (e - s)
        for f in result.findings:
            outside = sum(1 for p in range(f.start, f.end) if not covered[p])
            changed[0] += outside
            if outside == f.end - f.start:
                false_hits.append({"case": case.id, "kind": f.kind.value, "original": f.original, "replacement": f.replacement})
        changed[1] += len(case.text) - sum(covered)

    def rate(pair: list[int]) -> float:
        return pair[0] / pair[1] if pair[1] else float("nan")

    structured = [sum(found[k][i] for k in STRUCTURED_KINDS) for i in (0, 1)]
    names = [sum(found[k][i] for k in NAMES) for i in (0, 1)]
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / f"redaction_misses_{name}.json").write_text(
        json.dumps({"misses": misses, "false_hits": false_hits}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return {
        "cases": len(cases),
        "templates": len({c.template for c in cases}),
        "styles": {s: sum(1 for c in cases if c.style == s) for s in sorted({c.style for c in cases})},
        "per_kind": {k: {"planted": v[1], "removed": v[0], "recall": rate(v)} for k, v in sorted(found.items())},
        "structured_recall": rate(structured),
        "names_recall": rate(names),
        "by_style": {k: rate(v) for k, v in by_style.items()},
        "customer_by_alias": {k: {"n": v[1], "recall": rate(v)} for k, v in customer_by_alias.items()},
        "domain_term_survival": rate(terms),
        "domain_term_occurrences": terms[1],
        "non_pii_changed": rate(changed),
        "findings_outside_labels": len(false_hits),
        "p50_ms": percentile(timings, 50),
        "p95_ms": percentile(timings, 95),
    }


REDACTION_KINDS = (
    ("customer", "customer name and aliases"), ("org", "other organisations"), ("person", "people"),
    ("phone", "phones"), ("id_card", "身份证号"), ("credit_code", "统一社会信用代码"), ("email", "emails"),
    ("bank_card", "bank cards and accounts"), ("plate", "licence plates"), ("ip", "IP addresses"),
    ("domain", "domains and URLs"), ("address", "street addresses"), ("project_no", "project and contract numbers"),
    ("amount", "amounts → bands"), ("date", "dates → quarters"), ("place", "cities and districts → province"),
    ("headcount", "headcounts → ranges"), ("beds", "bed counts → ranges"),
)  # fmt: skip


def report_section(r: dict[str, Any]) -> list[str]:
    """The "Case anonymisation" section of docs/benchmarks.md."""
    t, f = r["templates"], r["fresh"]

    def cell(part: dict[str, Any], kind: str) -> str:
        v = part["per_kind"].get(kind)
        return "–" if v is None else f"{v['recall']:.1%} ({v['removed']}/{v['planted']})"

    lines = [
        f"Measured {r.get('_measured', '?')}. `community.redaction` (rules, checksums, word lists, the product's "
        "gazetteer; no model) on two labelled sets of partner case write-ups with planted identifiers:",
        "",
        f"- **templated**: {t['cases']} write-ups from {t['templates']} hand-written templates (narratives, lists, "
        f"Markdown tables, minutes, e-mails, Q&A, mixed English), {t['styles'].get('traditional', 0)} rendered in "
        f"traditional characters and {t['styles'].get('fullwidth', 0)} with full-width digits and letters; names, "
        "organisations and identifiers generated (ID numbers, credit codes and cards with valid check characters), "
        "half of the cases with the author's alias given (bench/redaction_data.py, bench/redaction_templates.py);",
        f"- **fresh**: {f['cases']} write-ups typed by hand after the rules, in other styles and with other names "
        "(bench/redaction_fresh.txt). Its first run, before any fix, scored 100% on structured identifiers, 92.7% on "
        "names and organisations and 97.7% on domain terms; the misses were then fixed by general rules, so the "
        "numbers below are after those fixes and no longer a blind test.",
        "",
        "Recall = share of planted values no longer in the redacted text (for generalised values: share of their "
        "spans that were generalised).",
        "",
        "| kind | templated | fresh |",
        "|---|---|---|",
    ]
    for kind, label in REDACTION_KINDS:
        lines.append(f"| {label} | {cell(t, kind)} | {cell(f, kind)} |")
    lines += [
        "",
        "| summary | templated | fresh | target (held-out) |",
        "|---|---|---|---|",
        f"| structured identifiers removed (phones, IDs, credit codes, emails, cards) | {t['structured_recall']:.1%} "
        f"| {f['structured_recall']:.1%} | ≥ 99% |",
        f"| names and organisations removed (customer, others, people) | {t['names_recall']:.1%} "
        f"| {f['names_recall']:.1%} | ≥ 95% |",
        f"| domain terms surviving (等保三级, 防火墙, 数据分类分级 … {t['domain_term_occurrences']} and "
        f"{f['domain_term_occurrences']} occurrences) | {t['domain_term_survival']:.1%} | {f['domain_term_survival']:.1%} | ≥ 95% |",
        f"| characters outside planted values that were changed | {t['non_pii_changed']:.2%} | {f['non_pii_changed']:.2%} | – |",
        f"| findings wholly outside planted values | {t['findings_outside_labels']} | {f['findings_outside_labels']} | – |",
        f"| latency per write-up, p50 / p95 ms | {t['p50_ms']:.1f} / {t['p95_ms']:.1f} "
        f"| {f['p50_ms']:.1f} / {f['p95_ms']:.1f} | – |",
        "",
        "Customer names when the author lists no alias and only the name is given: "
        f"{t['customer_by_alias'].get('name only', {}).get('recall', float('nan')):.1%} (templated), "
        f"{f['customer_by_alias'].get('name only', {}).get('recall', float('nan')):.1%} (fresh); the misses are "
        "private abbreviations no rule can derive (中医附四 for a medical college's fourth hospital), which is why the "
        "author lists aliases up front. Known gaps: a provincial testing centre named only by place and function "
        "(福建省网络与信息安全测评中心, kept like a regulator); nicknames (小王, 老李) are kept; a name with no title, "
        "role, list position or action around it is not guessed.",
    ]
    d = r.get("domain_text")
    if d:
        lines += [
            "",
            f"False hits on domain text: the starter corpus ({d['documents']} documents, {d['chars']:,} characters of "
            "regulations, guides, industry profiles and anonymous cases, no real identifiers) gets "
            f"**{d['identifier_findings']} identifier findings** ({d['per_10k_chars']:.2f} per 10,000 characters; "
            f"{d['chars_changed']:.3%} of characters), e.g. {', '.join(d['examples'][:6])}. Dates, amounts and places "
            "there are generalised by design and not counted. This set was also used to find false hits (474 findings "
            "before the rules were tightened).",
        ]
    return lines


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False, indent=1))
