"""Log lines: one per request (`api.access`), in JSON or text (TOP_LOG_FORMAT=json|text).

Each record carries the request id of api/middleware.py (`request_id_var`), the same id the response's
`X-Request-ID` header and every error body name, so a user's "请求编号" finds its log lines. A JSON line:

    {"time": "2026-12-04T19:30:01.123Z", "level": "INFO", "logger": "api.access", "message": "GET /readyz 200",
     "request_id": "4f2a…", "method": "GET", "route": "/readyz", "status": 200, "latency_ms": 3.1}

Exceptions add `exc_info` (the traceback). The route is the template, never the raw path (no ids or names
of customers in the access log).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Literal

__all__ = ["ACCESS_FIELDS", "JsonFormatter", "access_log", "configure_logging", "log_request"]

LogFormat = Literal["json", "text"]
ACCESS_FIELDS = ("method", "route", "status", "latency_ms")
_HANDLER_MARK = "_top_advisor_handler"

access_log = logging.getLogger("api.access")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        from api.middleware import request_id_var

        line: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        line |= {name: getattr(record, name) for name in ACCESS_FIELDS if hasattr(record, name)}
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        from api.middleware import request_id_var

        record.request_id = getattr(record, "request_id", None) or request_id_var.get()
        return super().format(record)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time (as logging's last-resort handler does)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):  # type: ignore[no-untyped-def, override]
        return sys.stderr


def configure_logging(kind: LogFormat) -> None:
    """Our loggers (`api.*`, and everything else that reaches the root) to stderr in `kind`; idempotent, so
    every app the factory builds replaces the handler it installed rather than adding one."""
    formatter = JsonFormatter() if kind == "json" else _TextFormatter(
        "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")  # fmt: skip
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(handler)
    handler = _StderrHandler()
    setattr(handler, _HANDLER_MARK, True)
    handler.setFormatter(formatter)
    root.addHandler(handler)
    logging.getLogger("api").setLevel(logging.INFO)  # our own INFO lines; other libraries keep their levels
    # Under `serve`, uvicorn's own lines follow the format too; its access line is replaced by ours in both
    # formats (ours has the route template, the latency and the request id; two lines per request is noise).
    if kind == "json":  # (uvicorn sets its own formatters again whenever it configures logging)
        for name in ("uvicorn", "uvicorn.error"):
            for existing in logging.getLogger(name).handlers:
                existing.setFormatter(formatter)
    logging.getLogger("uvicorn.access").disabled = True


def log_request(request_id: str, method: str, route: str, status: int, seconds: float) -> None:
    latency = round(seconds * 1000, 1)
    access_log.info("%s %s %d %.1fms", method, route, status, latency,
                    extra={"request_id": request_id, "method": method, "route": route, "status": status,
                           "latency_ms": latency})  # fmt: skip
