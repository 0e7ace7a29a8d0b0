"""The processes of the scale bench, each on a free loopback port and stopped afterwards: `top-advisor serve`,
a `chroma run` server, nginx in front of replicas (Debian's package, config in a temporary directory) and
a fresh PostgreSQL database on the machine's server."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.load import _free_port, _get
from bench.pg import PG_ADMIN
from bench.pg import postgres_database as fresh_database

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
REDIS = os.environ.get("TOP_BENCH_REDIS", "redis://127.0.0.1:6379/0")

NGINX_CONF = """worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    upstream top {{
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://top;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_buffering off;              # server-sent events reach the client as they are written
            proxy_read_timeout 120s;
            proxy_next_upstream error timeout; # a refused connection (a dead replica) tries the other one
        }}
    }}
}}
"""


class Server:
    """`top-advisor serve --workers N` in its own process group (SIGKILL takes its workers too)."""

    def __init__(self, env: dict[str, str], *, workers: int, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("w")
        self.proc = subprocess.Popen(
            [str(BIN / "top-advisor"), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def wait_ready(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while _get(f"{self.url}/readyz") != 200:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server on {self.port} did not become ready; see {self._log.name}")
            time.sleep(0.5)

    def kill(self) -> None:
        """A crash: SIGKILL to the whole process group, no clean shutdown."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()


@contextmanager
def servers(envs: list[dict[str, str]], workers: list[int], logs: Path) -> Iterator[list[Server]]:
    started = [Server(env, workers=w, log=logs / f"server-{i}.log") for i, (env, w) in enumerate(zip(envs, workers))]
    try:
        for server in started:
            server.wait_ready()
        yield started
    finally:
        for server in started:
            server.stop()


@contextmanager
def chroma_server(root: Path) -> Iterator[int]:
    port = _free_port()
    with (root / "chroma.log").open("w") as log:
        proc = subprocess.Popen([str(BIN / "chroma"), "run", "--path", str(root / "chroma"), "--host", "127.0.0.1",
                                 "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while _get(f"http://127.0.0.1:{port}/api/v2/heartbeat") != 200:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chroma run did not start; see {root / 'chroma.log'}")
            time.sleep(0.3)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def nginx(upstreams: list[int], root: Path) -> Iterator[str]:
    """nginx balancing over the replicas' ports; yields its base URL."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise RuntimeError("nginx is missing: apt-get install -y nginx")
    conf_dir = root / "nginx"
    conf_dir.mkdir()
    port = _free_port()
    servers_conf = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in upstreams)
    conf = conf_dir / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=conf_dir, servers=servers_conf, port=port), encoding="utf-8")
    with (conf_dir / "stderr.log").open("w") as log:
        proc = subprocess.Popen([binary, "-p", str(conf_dir), "-c", str(conf), "-e", str(conf_dir / "error.log")],
                                stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while _get(f"http://127.0.0.1:{port}/readyz") != 200:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start; see {conf_dir}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@contextmanager
def postgres_database() -> Iterator[str]:
    with fresh_database("top_bench") as url:
        if url is None:
            raise RuntimeError(f"no PostgreSQL at {PG_ADMIN}")
        yield url


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])
