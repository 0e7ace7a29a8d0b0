"""FastAPI application factory: routes, error handlers, the web UI's static files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from api import compute
from api.container import Container, build_container, startup_lock
from api.deps import valid_address
from api.errors import install_error_handlers
from api.logs import configure_logging
from api.middleware import RequestContextMiddleware
from api.routes import (
    accounts,
    api_docs,
    billing,
    billing_pages,
    cases,
    chat,
    discussions,
    documents,
    editor,
    health,
    openai_compat,
    org_data,
    pages,
    pwa,
    rankings,
    watch,
    widget,
    widget_keys,
)
from api.schedule import run_schedule
from api.settings import Settings

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None, *, container: Container | None = None) -> FastAPI:
    """`container` lets a test serve components it built (and closes) itself."""
    settings = settings or (container.settings if container else Settings())
    configure_logging(settings.log_format)
    if settings.workers:  # `serve --workers N`: the N processes share the cores
        compute.configure(workers=settings.workers)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if container is None:
            with startup_lock(settings.data_dir):  # migrations, recovery, schema checks: one worker at a time
                built = build_container(settings)
        else:
            built = container
        built.advisor.warm_up()
        if settings.workers:  # a serving process (not a test's app): what start-up loaded stays for good
            compute.settle_heap()
        app.state.container = built
        schedule = run_schedule(built)
        yield
        schedule.cancel()
        if container is None:
            built.close()

    app = FastAPI(
        title="ToP Advisor 渠道参谋",
        version="0.1.0",
        description="客户需求分析与引用式问答。见 docs/api.md。",
        lifespan=lifespan,
        docs_url=None,  # api_docs serves /docs with its own Content-Security-Policy
        redoc_url=None,
        dependencies=[Depends(valid_address)],
    )
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware)
    app.include_router(api_docs.router)
    app.include_router(health.router)
    app.include_router(chat.router)
    app.include_router(openai_compat.router)
    app.include_router(accounts.router)
    app.include_router(org_data.router)
    app.include_router(editor.router)
    app.include_router(pages.router)
    app.include_router(pwa.router)
    app.include_router(widget.router)
    app.include_router(widget_keys.router)
    app.include_router(widget_keys.pages)
    app.include_router(billing.router)
    app.include_router(billing.admin)
    app.include_router(billing_pages.pages)
    for module in (rankings, watch, documents, cases, discussions):
        app.include_router(module.router)
        app.include_router(module.pages)

    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> Response:
        page = STATIC / "index.html"
        if not page.exists():
            return Response("ToP Advisor API: see /docs", media_type="text/plain; charset=utf-8")
        return FileResponse(page, media_type="text/html; charset=utf-8")

    @app.get("/manifest.webmanifest", include_in_schema=False)
    def manifest() -> Response:
        path = STATIC / "manifest.webmanifest"
        if not path.exists():
            return Response(status_code=404)
        return FileResponse(path, media_type="application/manifest+json")

    return app
