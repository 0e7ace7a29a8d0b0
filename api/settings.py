"""Settings: one pydantic-settings class, env prefix TOP_, nested sections with `__`, `.env` supported.

Only the `api` package reads settings; everything below gets plain values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, computed_field
from pydantic_settings import BaseSettings, SettingsConfigDict

from accounts.throttle import ThrottlePolicy
from api.compute import available_cores
from assistant.openai_writer import WriterConfig
from assistant.orgs.registry import RegistryConfig
from billing.rewards import RewardsConfig
from community.rankings.privacy import RankingsConfig
from community.watch.digest import SmtpConfig
from corpus import STARTER_DIR
from corpus.editorial import EditorialConfig
from retrieval.vector_store import ChromaConfig


class Settings(BaseSettings):
    """Every setting has a working default: the embedded, no-server, no-key setup."""

    model_config = SettingsConfigDict(
        env_prefix="TOP_", env_nested_delimiter="__", env_file=".env", extra="ignore", validate_default=True
    )

    data_dir: Path = Field(Path("./var"), description="where the database and indexes live")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL of the application database; default SQLite under data_dir"
    )
    keyword_feed: bool | None = Field(
        None, description="keep this replica's keyword index copy current from the database's change feed "
        "(replicas on several machines); default: on with PostgreSQL, off with SQLite",
    )
    corpus_dir: Path = Field(STARTER_DIR, description="corpus directory ingested by default")
    chroma: ChromaConfig = Field(default_factory=ChromaConfig)
    writer: WriterConfig = Field(default_factory=WriterConfig)
    profiler_llm: bool = Field(
        True, description="with TOP_WRITER__KIND=openai, ask the LLM for the industry of names the rules cannot place"
    )
    profiler_llm_timeout: float = Field(8.0, gt=0, le=120, description="seconds the profiler waits for that answer")
    registry: RegistryConfig = Field(
        default_factory=RegistryConfig, description="optional enterprise-registry lookup (天眼查-shaped API), off by default"
    )
    editorial: EditorialConfig = Field(default_factory=EditorialConfig)
    embedding_threads: int = Field(
        1, ge=1, description="BLAS threads for query embedding; 1 is fastest beside the parallel keyword queries"
    )
    ingest_workers: int | None = Field(None, ge=1, description="processes for large ingests (default: cores)")
    workers: int | None = Field(
        None, ge=1, le=64, description="`serve` worker processes sharing data_dir (default: the number of cores)"
    )
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    require_login: bool = Field(
        False, description="refuse anonymous web chat (deployments); editor and admin pages always need login"
    )
    session_days: int = Field(14, ge=1, le=365, description="how long a web login lasts")
    cookie_secure: bool = Field(
        True, description="mark cookies Secure (browsers still accept them on http://localhost and 127.0.0.1)"
    )
    rankings: RankingsConfig = Field(default_factory=RankingsConfig)
    smtp: SmtpConfig = Field(default_factory=SmtpConfig)
    digest_weekday: int = Field(1, ge=0, le=7, description="ISO weekday the weekly digest goes out (1 = Monday); 0: never")
    redis_url: str | None = Field(
        None,
        description="Redis shared by all workers and replicas (redis://host:6379/0): login throttling, quotas, "
        "per-conversation turn locks, index-change announcements; default: each process and the database",
    )
    login_throttle: ThrottlePolicy = Field(default_factory=ThrottlePolicy)
    rewards: RewardsConfig = Field(default_factory=RewardsConfig)
    secret_key: SecretStr | None = Field(
        None, description="server secret for signed cookies; default: generated once under data_dir/secret_key"
    )
    log_format: Literal["json", "text"] = Field(
        "text", description="log lines: one JSON object per line (json) or plain text; both carry the request id"
    )
    metrics_token: SecretStr | None = Field(
        None, description="bearer token a Prometheus scraper presents for /metrics (loopback and admins need none)"
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'top.db').as_posix()}"

    @property
    def resolved_keyword_feed(self) -> bool:
        return self.keyword_feed if self.keyword_feed is not None else not self.resolved_database_url.startswith("sqlite")

    @property
    def resolved_workers(self) -> int:
        if self.workers:
            return self.workers
        return available_cores()

    @property
    def keyword_index_path(self) -> Path:
        return self.data_dir / "keyword.sqlite3"

    @property
    def chroma_config(self) -> ChromaConfig:
        if self.chroma.mode == "persistent" and not self.chroma.path:
            return self.chroma.model_copy(update={"path": str(self.data_dir / "chroma")})
        return self.chroma
