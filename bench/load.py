"""Load: 50 concurrent streaming chats for 60 s against the server `make run` starts.

In a temporary data directory the index is built and the server started exactly
as `make run` does (`top-advisor corpus ingest --if-missing`, then
`top-advisor serve`), on a free loopback port. After a short warm-up, locust
(its own venv under bench/.cache, installed from PyPI on first use) runs
bench/locustfile.py headless. Peak memory is the server's VmHWM.

Messages: our own invented customer names and our own questions (never the
organisation dev set), chosen at random per chat, with occasional follow-ups.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any

from bench.brief import OWN_NAMES, QUESTIONS
from bench.common import CACHE, percentile

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LOCUST_VENV = CACHE / "locust-venv"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
LOGS = CACHE / "load"

USERS = 50
SECONDS = 60
TARGET_FIRST_EVENT_P95_MS = 300.0

MORE_NAMES = [
    "澄湖市中心医院", "白沙湾水务集团", "松阳县卫生健康局", "桐溪职业技术学院", "望海市公安局",
    "金穗农业发展有限公司", "栖霞湾燃气有限公司", "长汀航空运输股份有限公司", "青峦保险股份有限公司",
    "瑞丰源制药股份有限公司", "岚山市第三中学", "云梦泽信托有限责任公司", "赤城市人力资源和社会保障局",
    "沧澜数据科技有限公司", "雁北煤业集团", "星澜电视台", "汉川市妇幼保健院", "北溟钢铁股份有限公司",
    "鹿鸣中学", "晴川市市场监督管理局", "苍梧农商银行", "玉泉山疗养院", "东崖半导体股份有限公司",
    "清河市轨道交通集团", "宁远县税务局", "白鹭洲小学", "碧岭置业集团", "翠微市医疗保障局",
    "泽远物流股份有限公司", "岭南云网络科技有限公司",
]
MORE_QUESTIONS = [
    "关键信息基础设施运营者有哪些安全保护义务？", "个人信息处理者什么时候需要做个人信息保护影响评估？",
    "等保二级和三级的主要区别是什么？", "医院的患者数据应该怎么保护？", "银行的网络安全事件要多久内报告？",
    "零信任架构适合什么样的单位？", "终端安全管理要管哪些内容？", "数据库审计能满足哪些合规要求？",
    "工业控制系统安全防护有哪些要求？", "供应链安全风险怎么管理？", "重要数据目录由谁来制定？",
    "网络安全审查适用于哪些采购？",
]
FOLLOW_UPS = ["那他们的数据安全呢？", "他们的等保要做到几级？", "他们需要做密评吗？", "终端安全方面有什么建议？"]


def messages() -> dict[str, list[str]]:
    return {"names": OWN_NAMES + MORE_NAMES, "questions": QUESTIONS + MORE_QUESTIONS, "follow_ups": FOLLOW_UPS}


def _locust() -> Path:
    """The locust executable, installing it into its own venv on first use."""
    exe = LOCUST_VENV / "bin" / "locust"
    if not exe.exists():
        print("   installing locust into", LOCUST_VENV, file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(LOCUST_VENV)], check=True)
        subprocess.run(
            [str(LOCUST_VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", "locust"], check=True
        )
    return exe


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, timeout: float = 5) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def _post_json(url: str, message: str) -> dict[str, Any]:
    body = json.dumps({"message": message}).encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json", "Accept": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def _proc_status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {k: v.strip() for k, _, v in (line.partition(":") for line in lines)}


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _busy_cpu_seconds() -> float:
    """CPU time all processes on the machine have used (from /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _stored_replies(database: Path) -> dict[str, int]:
    """Assistant messages by status in the server's database: every turn must end stored (none `pending`)."""
    with closing(sqlite3.connect(database)) as conn:
        rows = conn.execute("SELECT status, count(*) FROM messages WHERE role = 'assistant' GROUP BY status")
        return dict(rows)


def _summary(samples: dict[str, Any]) -> dict[str, Any]:
    chats = samples["chats"]
    window = samples["window"]
    duration = window["stop"] - window["start"]
    ok = [c for c in chats if c["error"] is None]
    errors = Counter(c["error"] for c in chats if c["error"])
    first = [c["first_ms"] for c in chats if c["first_ms"] is not None]
    content = [c["content_ms"] for c in ok]
    full = [c["full_ms"] for c in ok]
    by_kind: dict[str, dict[str, Any]] = {}
    for kind in sorted({c["kind"] for c in ok}):
        rows = [c for c in ok if c["kind"] == kind]
        by_kind[kind] = {
            "count": len(rows),
            "first_event_p95_ms": percentile([c["first_ms"] for c in rows], 95),
            "first_content_p95_ms": percentile([c["content_ms"] for c in rows], 95),
            "full_p50_ms": percentile([c["full_ms"] for c in rows], 50),
            "full_p95_ms": percentile([c["full_ms"] for c in rows], 95),
        }
    return {
        "duration_s": round(duration, 1),
        "requests": len(chats),
        "answers": len(ok),
        "answers_per_s": len(ok) / duration if duration else 0.0,
        "errors": len(chats) - len(ok),
        "error_rate": (len(chats) - len(ok)) / len(chats) if chats else 1.0,
        "error_kinds": dict(errors.most_common(5)),
        "first_event_p50_ms": percentile(first, 50),
        "first_event_p95_ms": percentile(first, 95),
        "first_event_max_ms": max(first) if first else float("nan"),
        "first_content_p50_ms": percentile(content, 50),
        "first_content_p95_ms": percentile(content, 95),
        "full_p50_ms": percentile(full, 50),
        "full_p95_ms": percentile(full, 95),
        "full_p99_ms": percentile(full, 99),
        "modes": dict(Counter(c["mode"] for c in ok).most_common()),
        "writers": dict(Counter(c["writer"] for c in ok).most_common()),
        "by_kind": by_kind,
    }


def run(users: int = USERS, seconds: int = SECONDS) -> dict[str, Any]:
    try:
        locust = _locust()
    except (OSError, subprocess.CalledProcessError) as exc:
        return {"skipped": f"locust could not be installed ({exc})"}
    LOGS.mkdir(parents=True, exist_ok=True)
    print(f"   {users} users for {seconds} s; logs in {LOGS}", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="load-") as tmp:
        env = {**os.environ, "TOP_DATA_DIR": str(Path(tmp) / "var"), "ANONYMIZED_TELEMETRY": "False"}
        started = time.perf_counter()
        with (LOGS / "ingest.log").open("w") as ingest_log:
            subprocess.run([str(BIN / "top-advisor"), "corpus", "ingest", "--if-missing"], cwd=ROOT, env=env,
                           check=True, stdout=ingest_log, stderr=subprocess.STDOUT)  # fmt: skip
        ingest_s = time.perf_counter() - started
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        with (LOGS / "server.log").open("w") as server_log:
            server = subprocess.Popen(
                [str(BIN / "top-advisor"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                cwd=ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                deadline = time.monotonic() + 300
                while _get(f"{base}/readyz") != 200:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"server did not become ready; see {LOGS / 'server.log'}")
                    time.sleep(0.5)
                ready_s = time.perf_counter() - started - ingest_s
                msgs = messages()
                for message in [*msgs["names"][:3], *msgs["questions"][:3]]:  # warm-up
                    _post_json(f"{base}/api/chat", message)
                messages_file = Path(tmp) / "messages.json"
                messages_file.write_text(json.dumps(msgs, ensure_ascii=False), encoding="utf-8")
                samples_file = Path(tmp) / "samples.json"
                cpu_before = _cpu_seconds(server.pid)
                machine_before, locust_before = _busy_cpu_seconds(), _children_cpu_seconds()
                with (LOGS / "locust.log").open("w") as locust_log:
                    subprocess.run(
                        [str(locust), "-f", str(LOCUSTFILE), "--headless", "--only-summary",
                         "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
                         "--host", base, "--csv", str(LOGS / "locust")],
                        env={**env, "TOP_LOAD_MESSAGES": str(messages_file), "TOP_LOAD_SAMPLES": str(samples_file)},
                        cwd=tmp, stdout=locust_log, stderr=subprocess.STDOUT, check=False,
                    )  # fmt: skip
                cpu_used = _cpu_seconds(server.pid) - cpu_before
                locust_used = _children_cpu_seconds() - locust_before
                other_used = _busy_cpu_seconds() - machine_before - cpu_used - locust_used
                status = _proc_status(server.pid)
            finally:
                server.send_signal(signal.SIGINT)
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
        if not samples_file.exists():
            raise RuntimeError(f"locust wrote no samples; see {LOGS / 'locust.log'}")
        samples = json.loads(samples_file.read_text(encoding="utf-8"))
        stored = _stored_replies(Path(tmp) / "var" / "top.db")
    result = _summary(samples)
    result.update(
        users=users,
        ingest_s=round(ingest_s, 1),
        startup_s=round(ready_s, 1),
        peak_rss_mb=int(status["VmHWM"].split()[0]) / 1024,
        server_threads=int(status["Threads"]),
        server_cpu_cores=cpu_used / result["duration_s"],
        locust_cpu_cores=locust_used / result["duration_s"],
        other_cpu_cores=max(0.0, other_used) / result["duration_s"],
        cores=os.cpu_count(),
        stored_replies=stored,
        target_first_event_p95_ms=TARGET_FIRST_EVENT_P95_MS,
        met=result["errors"] == 0 and result["first_event_p95_ms"] < TARGET_FIRST_EVENT_P95_MS,
    )
    return result


if __name__ == "__main__":
    users = int(sys.argv[1]) if len(sys.argv) > 1 else USERS
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else SECONDS
    print(json.dumps(run(users, seconds), ensure_ascii=False, indent=1))
