"""Build every component once from settings; the CLI and the app share it."""

from __future__ import annotations

import fcntl
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from accounts.login import LoginAudit, LoginService
from accounts.org_data import OrgDataRegistry
from accounts.quotas import QuotaCounter, Quotas
from accounts.store import AccountStore
from accounts.tables import migrate_accounts
from accounts.throttle import LoginThrottle, MemoryThrottleStore, ThrottleStore
from accounts.widgets import WidgetStore
from api.recording import TurnRecorder
from api.settings import Settings
from assistant.advisor import Advisor
from assistant.chat import ChatService
from assistant.composer import ComposerWriter
from assistant.conversations import ConversationStore
from assistant.directory import CustomerDirectory
from assistant.export import ExportService
from assistant.industry_llm import LLMIndustryGuesser
from assistant.orgs.registry import make_registry
from assistant.planner import Planner
from assistant.profiler import Profiler, corpus_issuers
from assistant.tables import migrate_assistant
from assistant.turn_lock import DatabaseTurnLock, RedisTurnLock, TurnLock
from assistant.writer_plugins import make_writer
from billing.service import Billing
from community.cases import CaseListener, CaseService, CaseStore, migrate_cases
from community.discussions import DiscussionService, migrate_discussions
from community.insights import Insights, open_insights
from corpus.editorial import EditorialStore
from corpus.file_versions import track_files
from corpus.store import DocumentRegistry
from retrieval.embeddings import Embedder, UseEmbedder
from retrieval.hybrid import HybridRetriever
from retrieval.indexer import Indexer
from retrieval.keyword_index import SqliteKeywordIndex
from retrieval.stack import RetrievalStack, open_stack
from retrieval.vector_store import ChromaVectorStore, make_chroma_client


@dataclass(frozen=True)
class Container:
    settings: Settings
    stack: RetrievalStack
    profiler: Profiler
    advisor: Advisor
    chat: ChatService
    exports: ExportService
    accounts: AccountStore
    widgets: WidgetStore
    quotas: Quotas
    login: LoginService
    editorial: EditorialStore
    insights: Insights
    cases: CaseService
    discussions: DiscussionService
    billing: Billing
    secret_key: bytes  # signs cookies; see server_secret

    @property
    def registry(self) -> DocumentRegistry:
        return self.stack.registry

    @property
    def keyword_index(self) -> SqliteKeywordIndex:
        return self.stack.keyword_index

    @property
    def vector_store(self) -> ChromaVectorStore:
        return self.stack.vector_store

    @property
    def embedder(self) -> Embedder:
        return self.stack.embedder

    @property
    def indexer(self) -> Indexer:
        return self.stack.indexer

    @property
    def retriever(self) -> HybridRetriever:
        return self.stack.retriever

    def close(self) -> None:
        self.stack.close()

    def delete_organisation_community(self, org_id: str) -> dict[str, int]:
        """Everything the community holds about an organisation (for the organisation-deletion registry):
        activity and watchlist, its cases (out of retrieval first) and downloads, its discussion posts."""
        return {**self.insights.delete_organisation(org_id), **self.cases.delete_organisation(org_id),
                **self.discussions.delete_organisation(org_id)}  # fmt: skip

    def export_organisation_community(self, org_id: str) -> dict[str, object]:
        return {"cases": self.cases.export_organisation(org_id),
                "discussions": self.discussions.export_organisation(org_id),
                "watchlist": [w.model_dump(mode="json") for w in self.insights.watch.list(org_id)],
                "activity": self.insights.activity.export_organisation(org_id)}  # fmt: skip

    @cached_property
    def org_data(self) -> OrgDataRegistry:
        """Everything an organisation has stored, to export or delete (api/org_data.py)."""
        from api.org_data import organisation_data

        return organisation_data(self)


@contextmanager
def startup_lock(data_dir: Path) -> Iterator[None]:
    """Held while a worker builds its container: workers and replicas sharing `data_dir` migrate, recover a
    half-done publish and open the indexes one after another (PostgreSQL migrations also take an advisory
    lock, for replicas on other machines: corpus/store.py)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / ".startup.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def case_listeners(billing: Billing) -> list[CaseListener]:
    """Who hears about case downloads and takedowns: the rewards ledger (billing/rewards.py credits authors,
    voids pending rewards on takedown); see community/cases/hooks.py for the contract."""
    return [billing.rewards]


def server_secret(settings: Settings) -> bytes:
    """TOP_SECRET_KEY, or a key generated once and kept in data_dir/secret_key (mode 0600), so restarts
    and replicas sharing the data directory agree."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    path: Path = settings.data_dir / "secret_key"
    if not path.exists():
        tmp = path.with_name(f".secret_key.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # atomic, and never overwrites a key another process wrote first
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="ascii").strip().encode()


def redis_client(settings: Settings):  # type: ignore[no-untyped-def]
    """The Redis client of TOP_REDIS_URL (checked now), or None when it is not set."""
    if settings.redis_url is None:
        return None
    from accounts.redis_store import connect

    try:
        return connect(settings.redis_url)
    except ConnectionError as exc:
        raise RuntimeError(f"TOP_REDIS_URL: {exc}") from None


def throttle_store(settings: Settings, client=None) -> ThrottleStore:  # type: ignore[no-untyped-def]
    """Redis when TOP_REDIS_URL is set (every worker and replica counts together), else this process."""
    client = client or redis_client(settings)
    if client is None:
        return MemoryThrottleStore()
    from accounts.redis_store import RedisThrottleStore

    return RedisThrottleStore(client)


def quota_counter(engine, client=None) -> Quotas:  # type: ignore[no-untyped-def]
    """Quotas in Redis when TOP_REDIS_URL is set, else in the application database (shared either way)."""
    if client is None:
        return QuotaCounter(engine)
    from accounts.redis_store import RedisQuotaCounter

    return RedisQuotaCounter(client)


def turn_lock(client=None) -> TurnLock:  # type: ignore[no-untyped-def]
    """One turn at a time per conversation: a Redis lock too when TOP_REDIS_URL is set (refused on any replica
    before the database is asked), the database lease of the pending reply always."""
    if client is None:
        return DatabaseTurnLock()
    return RedisTurnLock(client)


def industry_guesser(settings: Settings) -> LLMIndustryGuesser | None:
    """The profiler's LLM step, when an OpenAI-compatible writer is configured and the step is on."""
    writer = settings.writer
    if writer.kind != "openai" or not settings.profiler_llm or not writer.base_url:
        return None
    return LLMIndustryGuesser(base_url=writer.base_url, model=writer.model, api_key=writer.api_key,
                              timeout=settings.profiler_llm_timeout)  # fmt: skip


def build_container(settings: Settings, *, embedder: Embedder | None = None) -> Container:
    """`embedder` lets tests share one loaded model; otherwise USE is loaded here."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    config = settings.chroma_config
    embedder = embedder or UseEmbedder(threads=settings.embedding_threads)
    shared = redis_client(settings)
    stack = open_stack(
        database_url=settings.resolved_database_url,
        keyword_index_path=settings.keyword_index_path,
        chroma_client=make_chroma_client(config),
        embedder=embedder,
        collection=config.collection,
        ingest_workers=settings.ingest_workers,
        # workers sharing the embedded Chroma directory reopen it when another one changed the index
        chroma_reopen=(lambda: make_chroma_client(config, fresh=True)) if config.mode == "persistent" else None,
        keyword_feed=settings.resolved_keyword_feed,
        redis_client=shared,  # index changes reach the other replicas at once (polling stays the fallback)
    )
    engine = stack.registry.engine
    editorial = EditorialStore(engine, stack.indexer, settings.editorial)
    # A publish killed mid-way is finished (its index swap committed) or rolled back (it did not).
    recovered = stack.indexer.recover()
    if not recovered.busy:
        editorial.recover(stack.registry)
    # Documents ingested from corpus directories are listed in the editor too (corpus/file_versions.py).
    track_files(editorial, stack.registry)
    stack.indexer.after_ingest(lambda _report: track_files(editorial, stack.registry))
    migrate_assistant(engine)
    migrate_accounts(engine)
    profiler = Profiler(
        directory=CustomerDirectory(engine), regulators=corpus_issuers(settings.corpus_dir),
        registry=make_registry(settings.registry), guesser=industry_guesser(settings),
    )
    advisor = Advisor(
        profiler=profiler,
        planner=Planner(stack.retriever),
        retriever=stack.retriever,
        writer=make_writer(settings.writer, ComposerWriter()),
    )
    accounts, widgets = AccountStore(engine), WidgetStore(engine)
    insights = open_insights(engine, stack.keyword_index)
    conversations = ConversationStore(engine, turn_lock=turn_lock(shared))
    chat = ChatService(advisor, conversations, on_complete=TurnRecorder(insights, accounts, widgets))
    login = LoginService(accounts, LoginThrottle(throttle_store(settings, shared), settings.login_throttle), LoginAudit(engine),
                         session_days=settings.session_days)  # fmt: skip
    migrate_cases(engine)
    migrate_discussions(engine)
    billing = Billing(engine, accounts, widgets, rewards=settings.rewards)
    cases = CaseService(
        CaseStore(engine), editorial=editorial, activity=insights.activity, catalogue=insights.catalogue,
        watch=insights.watch, profile=lambda name: profiler.profile(name, ask_remote=False),
        listeners=case_listeners(billing),
    )  # fmt: skip
    if not recovered.busy:
        cases.reconcile()
    discussions = DiscussionService(engine, catalogue=insights.catalogue, handle_of=cases.store.handle,
                                    known_names=lambda org: cases.known_names(org) + [w.customer for w in insights.watch.list(org)])  # fmt: skip
    return Container(
        settings=settings,
        stack=stack,
        profiler=profiler,
        advisor=advisor,
        chat=chat,
        exports=ExportService(conversations),
        accounts=accounts,
        widgets=widgets,
        quotas=quota_counter(engine, shared),
        login=login,
        editorial=editorial,
        insights=insights,
        cases=cases,
        discussions=discussions,
        billing=billing,
        secret_key=server_secret(settings),
    )
