"""Scale: many workers, replicas on shared engines, and a replica killed mid-run (`python -m bench scale`).

1. Workers, embedded default (SQLite, embedded Chroma, one data directory): `top-advisor serve --workers 1`,
   then `--workers N` (N = cores) on the same index, 50 streaming users each, in the same run.
2. Replicas: a fresh PostgreSQL database, Redis, a `chroma run` server and 2 replicas (`serve --workers 1`,
   each with its own data directory: its keyword index copy comes from the database's feed) behind nginx. Before the load: a conversation started
   on one replica continues on the other, and a widget key's quota of Q per minute admits Q across both.
   Then 100 streaming users for 60 s through nginx; replica 1 is killed (SIGKILL) half-way. Clients whose
   stream broke send it again (bench/scale_client.py). Afterwards every stored question must have a stored
   reply (complete or interrupted) and none may stay `pending` (the survivor marks the dead replica's
   replies interrupted once their lease runs out).

Loopback only; the load client runs in this process. The load average is recorded beside the numbers.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.common import CACHE
from bench.load import messages
from bench.scale_client import run_users, summary
from bench.scale_infra import BIN, REDIS, ROOT, chroma_server, load_average, nginx, postgres_database, servers

LOGS = CACHE / "scale"
WORKER_USERS, WORKER_SECONDS = 50, 40
REPLICA_USERS, REPLICA_SECONDS, KILL_AFTER = 100, 60, 30
QUOTA = 12
PENDING_WAIT = 120  # seconds for the dead replica's replies to be marked interrupted (lease 15 s + sweep 10 s)
TARGETS = {"speed_up": 1.7, "first_content_p95_ms": 500.0}


def _env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TOP_")}
    return {**base, "ANONYMIZED_TELEMETRY": "False", **extra}


def _ingest(env: dict[str, str]) -> None:
    with (LOGS / "ingest.log").open("a") as log:
        subprocess.run([str(BIN / "top-advisor"), "corpus", "ingest", "--if-missing"], cwd=ROOT, env=env,
                       check=True, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip


def _copy_data(data: Path, into: Path) -> Path:
    copy = into / "var"
    shutil.copytree(data, copy, ignore=shutil.ignore_patterns("*.lock", "*.writers"))
    return copy


def _warm(base: str) -> None:
    with httpx.Client(timeout=60) as client:
        for message in messages()["names"][:2] + messages()["questions"][:2]:
            client.post(f"{base}/api/chat", json={"message": message}, headers={"Accept": "application/json"})


def workers_part(cores: int) -> dict[str, Any]:
    data = CACHE / "scale-var"  # the embedded index, built once and reused by later runs
    _ingest(_env(TOP_DATA_DIR=str(data)))
    out: dict[str, Any] = {}
    for count in (1, cores):
        # each run starts from a copy of the freshly ingested data directory: no run inherits the
        # conversations (and a larger database) of the one before
        with tempfile.TemporaryDirectory(prefix="scale-workers-") as tmp, servers(
            [_env(TOP_DATA_DIR=str(_copy_data(data, Path(tmp))))], [count], LOGS
        ) as (server,):
            _warm(server.url)
            before = load_average()
            result = summary(asyncio.run(run_users(server.url, messages(), users=WORKER_USERS, seconds=WORKER_SECONDS)))
            out[str(count)] = {**result, "load_before": before, "load_after": load_average()}
        print(f"   {count} worker(s): {json.dumps(out[str(count)], ensure_ascii=False)}", file=sys.stderr, flush=True)
    one, many = out["1"], out[str(cores)]
    speed_up = many["answers_per_s"] / one["answers_per_s"] if one["answers_per_s"] else 0.0
    return {"runs": out, "workers": cores, "users": WORKER_USERS, "seconds": WORKER_SECONDS,
            "speed_up": round(speed_up, 2),
            "met": speed_up >= TARGETS["speed_up"] and many["errors"] == 0
            and many["first_content_p95_ms"] < TARGETS["first_content_p95_ms"]}  # fmt: skip


def _continuity(first: str, second: str) -> bool:
    """A conversation started on one replica continues on the other (its customer carried over)."""
    with httpx.Client(timeout=60) as client:
        opened = client.post(f"{first}/api/chat", json={"message": "临江市第一人民医院"}, headers={"Accept": "application/json"}).json()
        follow = client.post(f"{second}/api/chat", json={"message": "那他们的数据安全呢？", "conversation_id": opened["conversation_id"]},
                             headers={"Accept": "application/json"})  # fmt: skip
    body = follow.json()
    return follow.status_code == 200 and body["conversation_id"] == opened["conversation_id"] and bool(body["text"])


def _quota(database_url: str, replicas: list[str]) -> dict[str, int]:
    """A widget key allowing QUOTA questions a minute, asked 2×QUOTA times alternately on both replicas."""
    import jwt

    from accounts.store import AccountStore
    from accounts.tables import Role
    from accounts.widgets import WidgetKeyCreate, WidgetStore
    from corpus.store import make_engine

    engine = make_engine(database_url)
    accounts = AccountStore(engine)
    org = accounts.create_organisation(name="压测伙伴")
    user = accounts.create_user(email="bench@example.cn", password="bench-password-1", role=Role.partner, org_id=org.id)
    origin = "https://portal.example.com"
    key = WidgetStore(engine).create(org_id=org.id, user_id=user.id, data=WidgetKeyCreate(
        allowed_origins=[origin], quota_per_key_minute=QUOTA, quota_per_user_day=1000))  # fmt: skip
    engine.dispose()
    if time.time() % 60 > 40:  # all in one minute window
        time.sleep(61 - time.time() % 60)

    def ask(i: int) -> int:
        token = jwt.encode({"sub": f"visitor-{i}", "exp": int(time.time()) + 600}, key.secret, algorithm="HS256")
        response = httpx.post(f"{replicas[i % 2]}/api/widget/{key.id}/chat", timeout=60,
                              json={"message": "等保三级要求是什么？", "identity_token": token},
                              headers={"Origin": origin, "Accept": "application/json"})  # fmt: skip
        return response.status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(ask, range(2 * QUOTA)))
    return {"limit": QUOTA, "asked": len(codes), "admitted": codes.count(200), "refused_429": codes.count(429),
            "other": len(codes) - codes.count(200) - codes.count(429)}  # fmt: skip


def _stored(database_url: str) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        statuses: dict[str, int] = dict(conn.execute(text("SELECT status, count(*) FROM messages WHERE role = 'assistant' GROUP BY status")).all())
        questions = conn.scalar(text("SELECT count(*) FROM messages WHERE role = 'user'"))
        unanswered = conn.scalar(text(
            "SELECT count(*) FROM messages q WHERE q.role = 'user' AND NOT EXISTS (SELECT 1 FROM messages r WHERE "
            "r.conversation_id = q.conversation_id AND r.seq = q.seq + 1 AND r.role = 'assistant')"))  # fmt: skip
    engine.dispose()
    return {"questions": questions, "replies": statuses, "unanswered": unanswered}


async def _load_with_kill(base: str, victim: Any) -> dict[str, Any]:
    async def killer() -> float:
        await asyncio.sleep(KILL_AFTER)
        victim.kill()
        return time.time()

    killed, samples = await asyncio.gather(killer(), run_users(base, messages(), users=REPLICA_USERS, seconds=REPLICA_SECONDS))
    return {**summary(samples), "killed_after_s": round(killed - samples.started, 1)}


def replicas_part() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp, postgres_database() as database_url:
        root = Path(tmp)
        with chroma_server(root) as chroma_port:
            env = _env(TOP_DATA_DIR=str(root / "ingest"), TOP_DATABASE_URL=database_url, TOP_REDIS_URL=REDIS,
                       TOP_CHROMA__MODE="http", TOP_CHROMA__PORT=str(chroma_port), TOP_SECRET_KEY=secrets.token_hex(32))  # fmt: skip
            started = time.perf_counter()
            _ingest(env)
            ingest_s = time.perf_counter() - started
            # Each replica has a data directory of its own, as on separate machines: its keyword index copy
            # is rebuilt from the database's change feed on start (retrieval/keyword_feed.py).
            envs = [{**env, "TOP_DATA_DIR": str(root / f"replica-{i}")} for i in (1, 2)]
            with servers(envs, [1, 1], LOGS) as replicas:
                urls = [r.url for r in replicas]
                continues = _continuity(urls[0], urls[1])
                quota = _quota(database_url, urls)
                with nginx([r.port for r in replicas], root) as base:
                    _warm(base)
                    before = load_average()
                    load = asyncio.run(_load_with_kill(base, replicas[0]))
                    load.update(load_before=before, load_after=load_average())
                    waited, deadline = time.perf_counter(), time.monotonic() + PENDING_WAIT
                    while (stored := _stored(database_url))["replies"].get("pending") and time.monotonic() < deadline:
                        time.sleep(2)
                    stored["settled_after_s"] = round(time.perf_counter() - waited, 1)
    return {"ingest_s": round(ingest_s, 1), "continues_on_other_replica": continues, "quota": quota, "load": load,
            "stored": stored, "users": REPLICA_USERS, "seconds": REPLICA_SECONDS,
            "met": continues and quota["admitted"] == QUOTA and load["errors"] == 0
            and not stored["replies"].get("pending") and stored["unanswered"] == 0}  # fmt: skip


# What limits the workers (measured 2026-12-05 with per-process CPU time, py-spy dumps of both workers,
# /proc/<tid>/schedstat and /proc/stat; 20-25 s runs, same client; see the text for the numbers).
WORKERS_ANALYSIS = [
    "Where the rest goes (2026-12-05; per-process CPU time, py-spy dumps of both workers, each thread's",
    "/proc/<tid>/schedstat and /proc/stat; 20–25 s runs): one worker uses 1.17–1.2 cores, not 1 (the Chroma",
    "query, the embedding and SQLite run outside the GIL), so 1.7× would need two workers to use 1.7 × 1.18 ≈",
    "2.0 cores, all of the machine. They use 1.5–1.65: the machine stays 12–20% idle while the workers' threads",
    "spend 1.6–1.8 thread-seconds per second runnable but waiting in a run queue (one worker: 36% idle, 1.05).",
    "Runnable threads and an idle core at once: each GIL hand-off wakes a thread that the scheduler queues",
    "where its waker runs. Tried against it, none better than the spread (±10%): admission control (a worker",
    "stops accepting while its computing queue holds ≥ 6 or ≥ 12 jobs: 95–105 vs 103–105 answers/s); each",
    "worker pinned to a core of its own (93–114 vs 87–106, 1.51–1.65 vs 1.54–1.57 cores); a second computing",
    "thread per worker (104.9 vs 104.8); nginx round robin, random or least_conn over single-worker processes",
    "(+4.5% at most); SO_REUSEPORT; a 1 or 0.5 ms GIL switch interval (two workers unchanged, one worker 20%",
    "slower); the keyword searches on the computing thread; a larger pool; no pre-ping (kept all the same: one",
    "statement less per session). `synchronous=NORMAL`",
    "gave +15% with two workers in one run but is not kept: a power cut could drop the last commits, the ledger's",
    "too. Skipping USE's BLAS thread limiter per query let OpenBLAS threads spin (two workers fell to 32/s).",
    "Kept: the SQLite write gate (corpus/write_gate.py; py-spy had the computing thread asleep in SQLite's busy",
    "handler, in `finish_turn`, a third of its time): three interleaved rounds, medians, one worker 80.9 → 87.9",
    "answers/s, two workers 101.8 → 119.6, two workers' cores 1.48–1.54 → 1.54–1.63 (an earlier file lock, before",
    "openings first, showed nothing); one computing thread per core across the workers (+5%); the heap settled",
    "after start-up (`gc.freeze`, collections every 20,000 allocations: one worker +9%); openings first",
    "(api/compute.py), which took first content p95 from ~1,400–2,000 ms to 100–500 ms at the same answers/s.",
    "Two workers on PostgreSQL instead of SQLite (2026-12-04, same run): 57 → 89 answers/s (1.56×).",
    "",
]


def missing() -> str | None:
    """What the replica part needs and this machine lacks, if anything."""
    import redis
    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError

    from bench.scale_infra import PG_ADMIN

    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        return "nginx is not installed (apt-get install -y nginx)"
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"no Redis at {REDIS} ({exc})"
    engine = create_engine(PG_ADMIN)
    try:
        engine.connect().close()
    except OperationalError:
        return f"no PostgreSQL at {PG_ADMIN}"
    finally:
        engine.dispose()
    return None


def run() -> dict[str, Any]:
    if lacking := missing():
        return {"skipped": lacking}
    if LOGS.exists():
        shutil.rmtree(LOGS)
    LOGS.mkdir(parents=True)
    cores = len(os.sched_getaffinity(0))
    return {"workers": workers_part(cores), "replicas": replicas_part(), "cores": cores}


def report_section(r: dict[str, Any]) -> list[str]:
    if "skipped" in r:
        return [f"Skipped: {r['skipped']}."]
    w, p = r["workers"], r["replicas"]
    lines = [
        "Command: `python -m bench scale` (loopback; the load client runs in the bench process on the same two cores:",
        "a lean HTTP/1.1 client, ~0.6 ms of CPU per answer, a new connection per chat so that the workers share",
        "the users as a crowd of browsers would; the machine is shared, so the load average, 1/5/15 min, is shown",
        "before and after each run). Each workers run starts from a copy of the freshly ingested data directory.",
        "",
        f"**Workers, embedded default** ({w['users']} streaming users, {w['seconds']} s each, same run, same index):",
        "",
        "| workers | answers/s | errors | first content p50 / p95 ms | first event p95 ms | full p95 ms | load before → after |",
        "|---|---|---|---|---|---|---|",
    ]
    for count, run_ in w["runs"].items():
        lines.append(f"| {count} | {run_['answers_per_s']:.1f} | {run_['errors']} | {run_['first_content_p50_ms']:.0f} / "
                     f"{run_['first_content_p95_ms']:.0f} | {run_['first_event_p95_ms']:.0f} | {run_['full_p95_ms']:.0f} | "
                     f"{run_['load_before']} → {run_['load_after']} |")  # fmt: skip
    lines += ["", f"Speed-up {w['speed_up']}× with {w['workers']} workers (target ≥ {TARGETS['speed_up']}×, 0 errors, "
              f"first content p95 < {TARGETS['first_content_p95_ms']:.0f} ms): {'met' if w['met'] else 'NOT met'}.", ""]  # fmt: skip
    lines += WORKERS_ANALYSIS
    load, stored, quota = p["load"], p["stored"], p["quota"]
    lines += [
        f"**2 replicas + PostgreSQL + Redis + `chroma run` + nginx** ({p['users']} streaming users, {p['seconds']} s; "
        f"replica 1 SIGKILLed after {load['killed_after_s']} s):",
        "",
        f"- a conversation started on replica 1 continues on replica 2: {'yes' if p['continues_on_other_replica'] else 'NO'}",
        f"- widget quota of {quota['limit']}/minute, asked {quota['asked']}× alternately on both replicas: "
        f"{quota['admitted']} admitted, {quota['refused_429']} refused (429), {quota['other']} other",
        f"- load: {load['answers']} answers ({load['answers_per_s']:.1f}/s), {load['errors']} errors "
        f"{load['error_kinds'] or ''}, {load['retried_streams']} broken streams sent again, {load['busy_refusals']} "
        f"409s while a dead replica's reply held its conversation; first content p50 / p95 "
        f"{load['first_content_p50_ms']:.0f} / {load['first_content_p95_ms']:.0f} ms, full p95 {load['full_p95_ms']:.0f} ms; "
        f"load {load['load_before']} → {load['load_after']}",
        f"- afterwards: {stored['questions']} questions, replies {stored['replies']}, {stored['unanswered']} without a "
        f"reply; no reply pending after {stored['settled_after_s']} s",
        f"- ingest of the starter corpus into PostgreSQL + Chroma server: {p['ingest_s']} s",
        "",
        f"All replica criteria: {'met' if p['met'] else 'NOT met'}.",
        "",
        "Keyword search across replicas: each replica keeps its own SQLite FTS5 copy, fed from the database",
        "(retrieval/keyword_feed.py; in this run each replica had its own data directory and rebuilt its copy from",
        "the feed on start). Keyword search inside PostgreSQL was not measured: it would need the jieba words and",
        "bigrams as tsvectors and its own BM25-like ranking, and the FTS5 copies keep STARD recall and latency as",
        "measured above unchanged.",
    ]
    return lines


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False, indent=1))
