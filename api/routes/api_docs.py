"""`/docs`: Swagger UI for the OpenAPI schema, under a Content-Security-Policy of its own.

FastAPI's page loads Swagger UI from a CDN and starts it with an inline script. The policy admits
that CDN and exactly that script (by its SHA-256 hash) and nothing else inline; like every page
here it may not be framed.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
CDN = "https://cdn.jsdelivr.net"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def _hashes(html: str) -> str:
    digests = (hashlib.sha256(script.encode()).digest() for script in _INLINE_SCRIPT.findall(html))
    return " ".join(f"'sha256-{base64.b64encode(d).decode()}'" for d in digests)


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    page = get_swagger_ui_html(openapi_url=request.app.openapi_url, title=f"{request.app.title} · API")
    html = bytes(page.body).decode()
    policy = "; ".join([
        "default-src 'self'", f"script-src 'self' {CDN} {_hashes(html)}",
        # Swagger UI sets style attributes as it renders; there is no user content on this page.
        f"style-src 'self' {CDN} 'unsafe-inline'", "img-src 'self' data: https://fastapi.tiangolo.com",
        "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ])  # fmt: skip
    return HTMLResponse(html, headers={"Content-Security-Policy": policy})
