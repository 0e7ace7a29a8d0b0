"""The advisor: one message, one pass through five stages, top to bottom.

    route    (assistant/intents.py)   message + conversation state  → Route: intent and slots
    profile  (assistant/customer.py)  Route + state                 → Subject: the customer the reply is about
    plan     (assistant/planner.py)   Subject's profile             → PlanResult: ranked, grounded needs (briefs, drafts)
    gather   (assistant/gather.py)    Subject + PlanResult          → WriteRequest: an outline of cited claims
    write    (assistant/writers.py)   WriteRequest                  → events: profile, sources, text, choices, done

No stage calls back into an earlier one; each takes the previous one's typed output.

    advisor.stream(UserMessage("佛山市第一人民医院"), ConversationState())
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.composer import ComposerWriter
from assistant.customer import CustomerStage, ProfilerLike, Subject, next_state
from assistant.events import ChoicesEvent, DeltaEvent, DoneEvent, NoticeEvent, ProfileEvent, SourcesEvent
from assistant.gather import GatherConfig, Gatherer, needs_plan
from assistant.intents import ConversationState, IntentRouter, Route
from assistant.message import UserMessage
from assistant.models import Profile
from assistant.planner import Planner, PlanResult, Retriever
from assistant.sanitize import without_html
from assistant.vocabulary import CorpusVocabulary
from assistant.writers import Writer, WriteRequest

__all__ = ["Advisor", "AdvisorEvent", "Prepared", "ProfilerLike"]

AdvisorEvent = ProfileEvent | SourcesEvent | DeltaEvent | NoticeEvent | ChoicesEvent | DoneEvent


@dataclass(frozen=True)
class Prepared:
    """Stages 1–4 done: what the writer gets, and what the conversation knows afterwards."""

    subject: Subject
    request: WriteRequest
    state: ConversationState

    @property
    def shows_profile(self) -> bool:
        """A new or updated customer (or one to ask about): its profile card goes with the reply."""
        return self.subject.changed and self.subject.profile is not None


class Advisor:
    def __init__(
        self,
        *,
        profiler: ProfilerLike,
        planner: Planner,
        retriever: Retriever,
        writer: Writer | None = None,
        router: IntentRouter | None = None,
        config: GatherConfig | None = None,
    ) -> None:
        self.profiler = profiler
        self.planner = planner
        self.retriever = retriever
        self.vocabulary = CorpusVocabulary(retriever)
        self.router = router or IntentRouter(known_topic=self.vocabulary.known)
        self.customers = CustomerStage(profiler)
        self.gatherer = Gatherer(retriever, self.vocabulary, config)
        self.writer: Writer = writer or ComposerWriter()

    def warm_up(self) -> None:
        """Load the embedding model and open the indexes before the first user waits for it."""
        self.retriever.search("等级保护", k=1)
        self.vocabulary.weights()

    # -- stages 1-4 -------------------------------------------------------------------------------
    def route(self, message: UserMessage, state: ConversationState) -> Route:
        return self.router.route(message, state)

    def run_stages(self, message: str, state: ConversationState | None = None) -> Prepared:
        """Route, profile, plan, gather. `message` is validated here only when it is not a `UserMessage` yet."""
        state = state or ConversationState()
        route = self.route(UserMessage.parse(message), state)
        subject = self.customers.resolve(route, state)
        return Prepared(subject, self._gather(subject), next_state(state, subject))

    def prepare(self, message: str, state: ConversationState | None = None) -> WriteRequest:
        """What the writer gets for `message` (stages 1–4)."""
        return self.run_stages(message, state).request

    def brief(self, profile: Profile, focus: tuple[str, ...] = ()) -> WriteRequest:
        """The needs brief of a profile given by the caller (stages 3–4), optionally only some categories."""
        route = Route("focus" if focus else "customer", UserMessage.parse(profile.name), focus=tuple(focus))
        return self._gather(Subject(route, profile, changed=True))

    def _gather(self, subject: Subject) -> WriteRequest:
        plan: PlanResult | None = self.planner.plan(subject.profile) if needs_plan(subject) and subject.profile else None
        return self.gatherer.gather(subject, plan)

    # -- stage 5 ----------------------------------------------------------------------------------
    def stream(self, message: str, state: ConversationState | None = None) -> Iterator[AdvisorEvent]:
        """Events in order: profile (a new or updated customer), sources, deltas/notices, choices, done."""
        started = time.perf_counter()
        prepared = self.run_stages(message, state)
        yield from self.write(prepared.request, started=started, show_profile=prepared.shows_profile)

    def write(
        self, request: WriteRequest, *, started: float | None = None, show_profile: bool = True
    ) -> Iterator[AdvisorEvent]:
        started = started or time.perf_counter()
        prepared = time.perf_counter()
        if request.profile is not None and show_profile:
            yield ProfileEvent(profile=request.profile)
        yield SourcesEvent(sources=request.sources)
        first_delta: float | None = None
        writer_name = self.writer.name
        for event in without_html(self.writer.write(request)):  # no raw HTML leaves, whatever a passage holds
            if first_delta is None:
                first_delta = time.perf_counter()
            if isinstance(event, NoticeEvent) and event.code == "llm_fallback":
                writer_name = "composer"  # what the reader finally sees came from the composer
            yield event
        if request.choices:
            yield ChoicesEvent(choices=request.choices)
        done = time.perf_counter()
        yield DoneEvent(
            writer=writer_name,
            mode=request.mode,
            intent=request.intent,
            timing_ms={
                "prepare": round((prepared - started) * 1000, 2),
                "first_delta": round(((first_delta or done) - started) * 1000, 2),
                "total": round((done - started) * 1000, 2),
            },
        )
