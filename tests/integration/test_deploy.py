"""deploy/ (issue 20, item 4): the nginx site config runs under Debian's nginx in front of two upstreams, one
of them down; the compose file parses and names every service, and nginx and compose agree on the replicas.

nginx is started with `-p <tmp> -c <tmp>/nginx.conf` (the site file included as shipped, its upstream hosts
and listen port rewritten to loopback ports); skipped only when nginx is not installed (`apt-get install -y nginx`).
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from conftest import _free_port

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SITE = DEPLOY / "nginx" / "top-advisor.conf"
COMPOSE = DEPLOY / "compose.yaml"
SERVICES = {"postgres", "redis", "chroma", "init", "app1", "app2", "nginx"}
NGINX_PREFIX: list[Path] = []  # where the running nginx writes its logs
GAP = 1.5  # seconds between the two events of the upstream's stream


async def upstream(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
    """A stand-in app replica: an event stream with a pause, and an echo of what nginx forwarded."""
    if scope["type"] != "http":
        return
    headers = {k.decode(): v.decode() for k, v in scope["headers"]}
    if scope["path"] == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]})
        await send({"type": "http.response.body", "body": b"data: one\n\n", "more_body": True})
        await asyncio.sleep(GAP)
        await send({"type": "http.response.body", "body": b"data: two\n\n"})
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    reply = f"{scope['method']} {scope['path']} xff={headers.get('x-forwarded-for')} rid={headers.get('x-request-id')} body={body.decode()}"
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": reply.encode()})


def site_config(dead: int, live: int, listen: int, prefix: Path) -> str:
    text = SITE.read_text(encoding="utf-8").replace("/var/log/nginx/", f"{prefix}/")
    text = text.replace("server app1:8000", f"server 127.0.0.1:{dead}").replace("server app2:8000", f"server 127.0.0.1:{live}")
    assert "listen 80;" in text
    return text.replace("listen 80;", f"listen 127.0.0.1:{listen};")


def nginx_conf(prefix: Path) -> str:
    temps = "\n".join(f"    {kind}_temp_path {prefix}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
user root root;
events {{ worker_connections 64; }}
http {{
    access_log {prefix}/access.log;
{temps}
    include {prefix}/site.conf;
}}
"""


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx)")
    import uvicorn

    prefix = tmp_path_factory.mktemp("nginx")
    NGINX_PREFIX[:] = [prefix]
    dead, live, listen = _free_port(), _free_port(), _free_port()
    server = uvicorn.Server(uvicorn.Config(upstream, host="127.0.0.1", port=live, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    (prefix / "site.conf").write_text(site_config(dead, live, listen, prefix), encoding="utf-8")
    (prefix / "nginx.conf").write_text(nginx_conf(prefix), encoding="utf-8")
    command = [binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([*command, "-g", "daemon off;"], stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{listen}"
    try:
        deadline = time.monotonic() + 10
        while True:  # a bare connect: no request may reach the upstreams before the tests' first one
            try:
                socket.create_connection(("127.0.0.1", listen), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"nginx did not start: {(prefix / 'error.log').read_text(errors='replace')}") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        server.should_exit = True
        thread.join(timeout=10)


def test_a_replica_refusing_connections_is_skipped_for_gets_and_posts(nginx: str) -> None:
    """The first request goes to app1 (round robin starts there), which refuses: nginx retries it on app2."""
    for i in range(6):
        got = httpx.get(f"{nginx}/api/x/{i}", timeout=10)
        assert got.status_code == 200 and got.text.startswith(f"GET /api/x/{i}")
        posted = httpx.post(f"{nginx}/api/chat", content=f"问题{i}".encode(), timeout=10)
        assert posted.status_code == 200 and posted.text.endswith(f"body=问题{i}")


def test_events_pass_through_unbuffered(nginx: str) -> None:
    started = time.monotonic()
    arrivals = []
    with httpx.stream("GET", f"{nginx}/stream", timeout=30) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for chunk in response.iter_text():
            if "data:" in chunk:
                arrivals.append(time.monotonic() - started)
    assert len(arrivals) == 2, arrivals
    assert arrivals[0] < GAP - 0.5 and arrivals[1] >= GAP, arrivals  # the first event did not wait for the second


def test_the_proxy_location_is_set_for_long_streams() -> None:
    """What a short test cannot show (nginx flushes small chunks even when buffering; the default read timeout is
    60 s): the directives themselves, in the location that proxies."""
    location = SITE.read_text(encoding="utf-8").split("location / {", 1)[1]
    directives = dict(re.findall(r"^\s*(proxy_\w+|gzip)\s+([^;]+);", location, flags=re.M))
    assert directives["proxy_buffering"] == "off" and directives["proxy_cache"] == "off" and directives["gzip"] == "off"
    assert int(directives["proxy_read_timeout"].removesuffix("s")) >= 300
    assert set(directives["proxy_next_upstream"].split()) >= {"error", "timeout"}
    assert "non_idempotent" not in directives["proxy_next_upstream"]  # a question is never asked twice


def test_proxy_headers_and_metrics_not_forwarded(nginx: str) -> None:
    echoed = httpx.get(f"{nginx}/who", timeout=10).text
    found = re.search(r"rid=([0-9a-f]{32})\b", echoed)
    assert "xff=127.0.0.1" in echoed and found, echoed
    deadline, logged = time.monotonic() + 5, []
    while not any(line["request_id"] == found.group(1) and line["request"] == "GET /who HTTP/1.1" for line in logged):
        assert time.monotonic() < deadline, logged  # nginx's own log names the same request id
        time.sleep(0.05)
        logged = [json.loads(line) for line in (NGINX_PREFIX[0] / "access.log").read_text().splitlines()]
    assert httpx.get(f"{nginx}/metrics", timeout=10).status_code == 404


def test_the_compose_file_names_every_service_and_agrees_with_nginx() -> None:
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == SERVICES
    for name, service in services.items():
        depends = service.get("depends_on", [])
        assert set(depends) <= set(services), (name, depends)
        assert "image" in service or "build" in service, name
    replicas = {name for name, s in services.items() if "serve" in s.get("command", [])}
    upstreams = set(re.findall(r"^\s*server (\w+):8000", SITE.read_text(encoding="utf-8"), flags=re.M))
    assert replicas == upstreams == {"app1", "app2"}
    for name in replicas | {"init"}:
        env = services[name]["environment"]
        assert env["TOP_DATABASE_URL"].startswith("postgresql+psycopg://") and env["TOP_REDIS_URL"].startswith("redis://")
        assert env["TOP_CHROMA__MODE"] == "http" and env["TOP_CHROMA__HOST"] == "chroma"
        assert env["TOP_SECRET_KEY"] and env["PROMETHEUS_MULTIPROC_DIR"]
    mount = services["nginx"]["volumes"][0].split(":")[0]
    assert (DEPLOY / mount).resolve() == SITE.resolve()
    assert set(services["nginx"]["depends_on"]) == replicas
    for volume in {v.split(":")[0] for s in services.values() for v in s.get("volumes", []) if not v.startswith(".")}:
        assert volume in compose["volumes"], volume


def test_the_dockerfile_copies_what_exists_and_the_runbook_covers_the_operations() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    root = DEPLOY.parent
    for line in dockerfile.splitlines():
        if line.startswith("COPY ") and not line.startswith("COPY . "):
            for source in line.split()[1:-1]:
                assert (root / source).exists(), source
    runbook = (DEPLOY / "RUNBOOK.md").read_text(encoding="utf-8")
    for topic in ("pg_dump", "Chroma", "corpus ingest", "rolling", "TOP_SECRET_KEY", "Scaling", "/readyz", "/metrics"):
        assert topic.lower() in runbook.lower(), topic
