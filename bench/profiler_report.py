"""The customer profiler's section of docs/benchmarks.md (results of bench/profiler.py)."""

from __future__ import annotations

from typing import Any

INDUSTRY_ORDER = (
    "government", "finance", "healthcare", "education", "energy", "manufacturing", "telecom",
    "internet", "transport", "retail", "media", "real_estate", "agriculture",
)  # fmt: skip
SHORT = {"government": "gov", "finance": "fin", "healthcare": "hea", "education": "edu", "energy": "ene",
         "manufacturing": "man", "telecom": "tel", "internet": "int", "transport": "tra", "retail": "ret",
         "media": "med", "real_estate": "rea", "agriculture": "agr", "unknown": "unk"}


SOURCE_NAMES = {"knowledge": "knowledge base", "name": "name rules", "corpus": "corpus issuers", "directory": "directory",
                "hint": "hint", "registry": "registry", "llm": "LLM", "unknown": "unknown (asks the user)"}


def _quality(q: dict[str, Any]) -> list[str]:
    decided = ", ".join(f"{SOURCE_NAMES.get(k, k)} {v:.1%}" for k, v in q.get("decided_by", {}).items())
    return [
        f"- accuracy **{q['accuracy']:.1%}**; confidently wrong **{q.get('wrong_rate', 0):.1%}**; unknown (the profiler "
        f"asks the user) {q['unknown_rate']:.1%}; accuracy on the names it does classify {q['accuracy_when_known']:.1%}",
        f"- decided by: {decided}" if decided else "",
        f"- latency per name: p50 {q['p50_ms']:.2f} ms, p95 {q['p95_ms']:.2f} ms",
    ]


def report_section(r: dict[str, Any]) -> list[str]:
    lines = [f"Measured {r.get('_measured', '?')} with `python -m bench profiler`. Order: directory (empty here) → "
             "hint → corpus issuers → organisation knowledge base (`assistant/orgs`) → name rules; no registry, no LLM. "
             "An `unknown` answer counts as not right, but not as wrong.", ""]
    kb = r.get("knowledge_base")
    if kb:
        lines += [f"Knowledge base: {kb['entities']:,} organisations under {kb['keys']:,} name keys; "
                  f"{kb['disk_mb']:.1f} MB on disk (assistant/orgs, code and data); loads in {kb['load_s']:.2f} s and "
                  f"adds {kb['rss_mb']:.0f} MB resident memory (fresh process).", ""]
    own = r.get("own_brands")
    if own:
        lines += [f"**Our own list** (`bench/data/orgs_brands.csv`, {own['n']} brands, short names, legal names, "
                  "subsidiaries, branches and special-treatment (`st-abbrev`: *ST…, checked against listed.tsv) "
                  "stock names, none of them in the dev set; many brands are in our hand-written tables, "
                  "the `legal-unseen`, subsidiary and branch rows are not):", "", *_quality(own), ""]
    places = r.get("own_places")
    if places:
        lines += [f"**Province from the place opening a company name** (`bench/data/orgs_places.csv`, {places['n']} "
                  f"company names opening with a city or county, mostly without 市/县): province right "
                  f"**{places['accuracy']:.1%}**.", ""]
    if "rules" not in r:
        return [*lines, f"Dev set skipped: {r.get('skipped', 'not run')}"]
    q = r["rules"]
    lines += [
        f"**Dev set**: {q['n']:,} organisation names with a coarse industry "
        "(`../shared/data/orgs/orgs_dev.csv`: A-share short names, central and provincial government bodies, "
        "banks, hospitals, universities).",
        "",
        *_quality(q),
    ]
    if "without_knowledge" in r:
        w = r["without_knowledge"]
        lines.append(f"- without the knowledge base (name rules only): accuracy {w['accuracy']:.1%}, "
                     f"wrong {w['wrong_rate']:.1%}, unknown {w['unknown_rate']:.1%}")
    lines += ["", "| industry | names | accuracy |", "|---|---|---|"]
    for code in INDUSTRY_ORDER:
        v = q["per_industry"][code]
        acc = "–" if v["accuracy"] is None else f"{v['accuracy']:.1%}"
        lines.append(f"| {code} | {v['n']} | {acc} |")
    cols = [*INDUSTRY_ORDER, "unknown"]
    lines += ["", "Confusion matrix (rows: gold, columns: predicted):", "",
              "| gold \\ predicted | " + " | ".join(SHORT[c] for c in cols) + " |",
              "|---|" + "---|" * len(cols)]
    for gold in INDUSTRY_ORDER:
        row = q["confusion"].get(gold, {})
        lines.append(f"| {SHORT[gold]} | " + " | ".join(str(row.get(c, 0) or "·") for c in cols) + " |")
    fb = r.get("embedding_fallback")
    if fb:
        lines += [
            "",
            f"Corpus/embedding fallback, measured and left out: on the {fb['unknown_names']} names the rules leave "
            "unknown, USE embeds the name and takes the nearest industry prototype (centroid of the corpus industry "
            "profile's sentences and tags plus the lexicon words). Its guesses are mostly wrong, so the product asks "
            "the user instead:",
            "",
            "| margin between the two best | coverage of unknowns | precision | overall accuracy gained |",
            "|---|---|---|---|",
        ]
        for margin, v in fb["by_margin"].items():
            lines.append(f"| ≥ {margin} | {v['coverage']:.1%} | {v['precision']:.1%} | +{v['overall_accuracy_gain']:.1%} |")
    return lines
