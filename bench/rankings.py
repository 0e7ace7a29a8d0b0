"""`python -m bench rankings`: refresh over ~1 million activity events, and `/api/rankings` latency.

Simulated activity (3,000 organisations × 26 weeks, ~1.05 M events, ~1.9 M event-need rows) in SQLite under a
temporary data directory; `rankings refresh` timed without and with noise, with the reference SQL over the events
(the old path) and with the presence rollup + numpy (the new one) in the same run, checking that both publish
the same noise-free release; the same on a fresh PostgreSQL database when one answers at TOP_BENCH_PG; then 400
sequential `GET /api/rankings` requests with varied filters through uvicorn (real HTTP, an API key) for p50/p95.
The machine is shared: the load average (1/5/15 min) is recorded next to each set of timings.
"""

from __future__ import annotations

import random
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError

from accounts.tables import OrgKind, Role
from api.app import create_app
from bench.common import percentile, stack
from bench.scale_infra import load_average, postgres_database
from community.activity import migrate_activity
from community.activity.simulate import INDUSTRY_WEIGHTS, PROVINCES, SimulationReport, simulate_activity
from community.rankings import RankingsConfig, migrate_rankings, refresh_rankings
from community.rankings.tables import RankingCellRow
from corpus.store import make_engine

TARGET_REFRESH_S = 60.0
TARGET_P95_MS = 50.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        container = stack(Path(tmp) / "var")
        try:
            engine = container.insights.activity.engine
            started = time.perf_counter()
            report = _simulate(engine)
            simulate_s = time.perf_counter() - started
            sqlite = _old_and_new(engine, old_noise=True)
            postgres = _on_postgres()
            plain_s, noisy_s = sqlite["new_s"], sqlite["new_noise_s"]

            accounts = container.accounts
            org = accounts.create_organisation(name="bench", kind=OrgKind.partner)
            user = accounts.create_user(email="bench@example.cn", password="bench-password-1", role=Role.partner, org_id=org.id)
            key = accounts.create_api_key(user.id).key
            port = _free_port()
            server = uvicorn.Server(uvicorn.Config(create_app(container=container), host="127.0.0.1", port=port, log_level="warning"))
            thread = threading.Thread(target=server.run, daemon=True)
            thread.start()
            while not server.started:
                time.sleep(0.05)
            rng = random.Random(1)
            industries, provinces = ["", *INDUSTRY_WEIGHTS], ["", *PROVINCES]
            timings, nonempty = [], 0
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"}) as client:
                for i in range(420):
                    params = {"industry": rng.choice(industries), "province": rng.choice(provinces),
                              "window": rng.choice(["7d", "30d", "quarter"]), "kind": rng.choice(["top", "rising"])}  # fmt: skip
                    begun = time.perf_counter()
                    response = client.get("/api/rankings", params=params)
                    elapsed = (time.perf_counter() - begun) * 1000
                    response.raise_for_status()
                    if i >= 20:  # warm-up excluded
                        timings.append(elapsed)
                        nonempty += bool(response.json()["cells"])
            server.should_exit = True
            thread.join(timeout=30)
            return {
                "events": report.events, "event_needs": report.needs, "orgs": report.orgs, "weeks": report.weeks,
                "simulate_s": simulate_s, "refresh_s": plain_s, "refresh_noise_s": noisy_s,
                "sqlite": sqlite, "postgresql": postgres,
                "cells": sqlite["cells"], "lists": sqlite["lists"], "requests": len(timings), "nonempty": nonempty,
                "p50_ms": percentile(timings, 50), "p95_ms": percentile(timings, 95),
                "met": plain_s < TARGET_REFRESH_S and noisy_s < TARGET_REFRESH_S and sqlite["same"]
                and percentile(timings, 95) < TARGET_P95_MS,
            }  # fmt: skip
        finally:
            container.close()


def _simulate(engine: Engine) -> SimulationReport:
    needs = [f"sol-bench-{i:02d}" for i in range(45)]
    by_industry = {ind: [needs[(j * 7 + i) % 45] for i in range(25)] for j, ind in enumerate(INDUSTRY_WEIGHTS)}
    return simulate_activity(engine, by_industry, {n: ["network_security"] for n in needs},
                             orgs=3000, weeks=26, events_per_org_week=11.0, seed=20)  # fmt: skip


def _release(engine: Engine) -> list[tuple[Any, ...]]:
    c = RankingCellRow
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(c.window, c.kind, c.period, c.industry, c.province, c.need, c.rank)))


def _old_and_new(engine: Engine, *, old_noise: bool) -> dict[str, Any]:
    """Refresh with the reference SQL, then with the rollup + numpy; ends serving the new noise-free release."""
    found: dict[str, Any] = {"load_before": load_average()}
    old = refresh_rankings(engine, RankingsConfig(), reference_sql=True)
    reference = _release(engine)
    if old_noise:
        found["old_noise_s"] = refresh_rankings(engine, RankingsConfig(epsilon=1.0), reference_sql=True).seconds
    found["new_noise_s"] = refresh_rankings(engine, RankingsConfig(epsilon=1.0)).seconds
    new = refresh_rankings(engine, RankingsConfig())
    found.update(old_s=old.seconds, new_s=new.seconds, same=_release(engine) == reference, cells=new.cells,
                 lists=new.lists, load_after=load_average())  # fmt: skip
    return found


def _on_postgres() -> dict[str, Any] | None:
    """The same data and refreshes on a fresh PostgreSQL database; None when no server answers."""
    try:
        with postgres_database() as url:
            engine = make_engine(url)
            try:
                migrate_activity(engine)
                migrate_rankings(engine)
                started = time.perf_counter()
                _simulate(engine)
                simulate_s = time.perf_counter() - started
                return {"simulate_s": simulate_s, **_old_and_new(engine, old_noise=False)}
            finally:
                engine.dispose()
    except OperationalError as error:
        print(f"   PostgreSQL skipped: {str(error).splitlines()[0]}", flush=True)
        return None


def report_section(r: dict[str, Any]) -> list[str]:
    """The "Rankings: refresh and reads" section of docs/benchmarks.md."""
    met = "**met**" if r["met"] else "**not met**"
    lines = [
        f"Measured {r.get('_measured', '?')}. `python -m bench rankings`: {r['events']:,} simulated activity events "
        f"({r['event_needs']:,} event-need rows) of {r['orgs']:,} organisations over {r['weeks']} weeks "
        f"(written in {r['simulate_s']:.0f} s, the activity_presence rollup included). A refresh counts distinct "
        "organisations per (window × industry × province × need) at four levels for 32 windows, suppresses cells "
        "under k = 5 and publishes ranks. **old**: the single SQL statement over the events (DISTINCT over events ⋈ "
        "needs, join to the windows, cross join with the levels; kept as community/rankings/reference.py); **new**: "
        "the activity_presence rollup kept at record time, counted in numpy with week bit masks "
        "(community/rankings/counting.py). Same run, same data; the machine is shared (2 cores), so the load "
        "average (1/5/15 min) before → after is shown.",
        "",
        f"Targets: refresh < 60 s, `/api/rankings` p95 < 50 ms: {met}.",
        "",
        "| database | old refresh | old with noise (ε = 1) | new refresh | new with noise | same release | lists / cells | load before → after |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, m in (("SQLite", r.get("sqlite")), ("PostgreSQL", r.get("postgresql"))):
        if not m:
            continue
        old_noise = f"{m['old_noise_s']:.1f} s" if "old_noise_s" in m else "–"
        lines.append(f"| {name} | {m['old_s']:.1f} s | {old_noise} | **{m['new_s']:.1f} s** | **{m['new_noise_s']:.1f} s** "
                     f"| {'yes' if m['same'] else '**no**'} | {m['lists']:,} / {m['cells']:,} | {m['load_before']} → {m['load_after']} |")  # fmt: skip
    if r.get("postgresql"):
        lines += ["", f"PostgreSQL: the same simulated activity written in {r['postgresql']['simulate_s']:.0f} s."]
    return lines + [
        "",
        f"`/api/rankings` (SQLite): p50 {r['p50_ms']:.1f} ms, **p95 {r['p95_ms']:.1f} ms** over {r['requests']} sequential "
        f"requests over real HTTP (uvicorn, API key) with random industry, province, window and kind ({r['nonempty']} "
        "returned a non-empty list); the endpoint reads the precomputed release.",
    ]
