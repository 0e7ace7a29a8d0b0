"""FastAPI application factory (the chat service arrives with the next issues)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from api.container import Container, build_container
from api.settings import Settings
from retrieval.models import SearchFilters


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = build_container(settings)
        container.embedder.warm_up()
        app.state.container = container
        yield
        container.close()

    app = FastAPI(title="ToP Advisor 渠道参谋", version="0.1.0", lifespan=lifespan)

    @app.exception_handler(ValidationError)
    async def _validation_error(_: Request, exc: ValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": [e["msg"].removeprefix("Value error, ") for e in exc.errors()]})

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz(request: Request) -> JSONResponse:
        container: Container = request.app.state.container
        chunks = container.keyword_index.count()
        ready = chunks > 0
        return JSONResponse(status_code=200 if ready else 503, content={"ready": ready, "chunks": chunks})

    @app.get("/api/search")
    def search(
        request: Request,
        q: Annotated[str, Query(min_length=1, max_length=2000)],
        k: Annotated[int, Query(ge=1, le=100)] = 8,
        industry: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI query list
        need: Annotated[list[str], Query()] = [],  # noqa: B006
        kind: Annotated[list[str], Query()] = [],  # noqa: B006
    ) -> list[dict[str, object]]:
        filters = SearchFilters(industries=industry, needs=need, kinds=kind)
        container: Container = request.app.state.container
        return [h.as_dict() for h in container.retriever.search(q, k=k, filters=filters)]

    return app
