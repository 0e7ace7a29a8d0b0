"""`make bench`: run the benchmarks and rewrite docs/benchmarks.md.

    python -m bench              # everything
    python -m bench stard        # one part; others keep their last results
    python -m bench profiler     # the customer profiler on the organisation dev set
    python -m bench conversation # intent routing accuracy and the answer-first rate on bench/data/
    python -m bench load         # 50 concurrent streaming chats against `top-advisor serve`
    python -m bench pdf          # a 100-page PDF from upload to searchable
    python -m bench vendors      # vendor mentions in the starter corpus (neutrality drift)
    python -m bench rankings     # rankings refresh over ~1 M activity events, /api/rankings p95
    python -m bench ledger       # ledger transfers per second on SQLite and PostgreSQL

A part not run now keeps its section of docs/benchmarks.md (from the cache, or else as written).
"""

from __future__ import annotations

import json
import platform
import sys
import time

from bench.common import CACHE, DOCS
from bench.report import render

PARTS: tuple[str, ...] = ("starter", "vendors", "stard", "synthetic", "profiler", "brief", "conversation", "load", "pdf", "rankings")
MODULES = {"pdf": "pdf_import"}  # part name -> module in bench/, when they differ


# python -m bench redaction: case anonymisation on labelled write-ups (no model, a few seconds)
# python -m bench scale: workers and replicas (PostgreSQL, Redis, Chroma server, nginx), a replica killed mid-run
# python -m bench ledger: ledger transfers per second on SQLite and PostgreSQL (no model, under a minute)
# python -m bench pg_keyword: keyword search in PostgreSQL vs FTS5 on STARD (needs PostgreSQL, no model)
PARTS = (*PARTS, "redaction", "ledger", "scale", "pg_keyword")


def main(argv: list[str]) -> int:
    wanted = [a for a in argv if a in PARTS] or list(PARTS)
    unknown = [a for a in argv if a not in PARTS]
    if unknown:
        print(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(PARTS)}", file=sys.stderr)
        return 2
    results_file = CACHE / "results.json"
    CACHE.mkdir(parents=True, exist_ok=True)
    results = json.loads(results_file.read_text(encoding="utf-8")) if results_file.exists() else {}
    for part in wanted:
        print(f"== {part}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        module = __import__(f"bench.{MODULES.get(part, part)}", fromlist=["run"])
        results[part] = module.run()
        results[part]["_measured"] = time.strftime("%Y-%m-%d %H:%M")
        print(f"   done in {time.perf_counter() - started:.0f}s", file=sys.stderr, flush=True)
        results_file.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    results["_machine"] = f"{platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}"
    target = DOCS / "benchmarks.md"
    previous = target.read_text(encoding="utf-8") if target.exists() else ""
    target.write_text(render(results, previous), encoding="utf-8")
    print(f"wrote {DOCS / 'benchmarks.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
