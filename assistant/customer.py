"""Stage 2 of a turn: which customer the reply is about, profiled (or asked about).

A new name is profiled; a clarification is merged into the customer it is about and keeps that
customer's name ("制造业" after "比亚迪" is 比亚迪 in manufacturing, never a customer called 制造业);
every other intent stays with the conversation's customer, or moves to an organisation the message names.

    stage = CustomerStage(profiler)
    subject = stage.resolve(route, state)        # Subject(route, profile, changed)
    state = next_state(state, subject)           # what the conversation knows for the next message
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from assistant.intents import Clarification, ConversationState, Route
from assistant.models import INDUSTRY_LABELS, Evidence, Profile
from assistant.name_rules import MLPS_BY_INDUSTRY, MLPS_BY_SEGMENT, REGULATORS, SEGMENT_REGULATORS, SEGMENTS
from assistant.profiler import ProfileInputError

__all__ = ["CustomerStage", "ProfilerLike", "Subject", "next_state"]

SEGMENT_INDUSTRY: dict[str, str] = {segment: industry for industry, _pattern, segment, _detail in SEGMENTS}


class ProfilerLike(Protocol):
    def profile(
        self, name: str, *, industry_hint: str | None = None, region_hint: str | None = None, ask_remote: bool = True
    ) -> Profile: ...


@dataclass(frozen=True)
class Subject:
    """The routed message with the customer its reply is about."""

    route: Route
    profile: Profile | None  # a known customer, an unidentified one (ask about it), or None
    changed: bool = False  # a new or updated customer: the reply shows its profile and the conversation keeps it

    @property
    def unidentified(self) -> bool:
        return self.profile is not None and not self.profile.known


class CustomerStage:
    def __init__(self, profiler: ProfilerLike) -> None:
        self.profiler = profiler

    def resolve(self, route: Route, state: ConversationState) -> Subject:
        if route.intent == "customer":
            profile = self._profile(route.name or route.message)
            return Subject(route, profile, changed=profile is not None) if profile else Subject(route, state.customer)
        if route.intent == "clarify" and route.clarification is not None and state.target is not None:
            return Subject(route, self.merge(state.target, route.clarification), changed=True)
        customer = state.customer
        if route.name and (customer is None or route.name != customer.name):
            named = self._profile(route.name)
            if named is not None and named.known:
                return Subject(route, named, changed=True)  # "帮我给临江县人民医院写一封邮件"
        if route.intent == "question" and customer is not None and route.industries and customer.industry not in route.industries:
            customer = None  # "等保三级对医院有什么要求？" asked while talking about a bank
        return Subject(route, customer)

    def _profile(self, name: str) -> Profile | None:
        try:
            return self.profiler.profile(name)
        except ProfileInputError:
            return None

    def merge(self, base: Profile, clarification: Clarification) -> Profile:
        """`base` with what the user told: same name; industry, region, segment and size as told."""
        industry = clarification.industry or SEGMENT_INDUSTRY.get(clarification.segment or "")
        industry = industry or (base.industry if base.known else None)
        region = clarification.region or base.region.label or None
        profile = self.profiler.profile(base.name, industry_hint=industry, region_hint=region, ask_remote=False)
        segment = clarification.segment if SEGMENT_INDUSTRY.get(clarification.segment or "") == profile.industry else None
        if segment is None and base.segment and base.industry == profile.industry and not profile.segment:
            segment = base.segment  # what was known stays known
        updates: dict[str, object] = {"size": clarification.size or base.size}
        if segment and segment != profile.segment:
            updates |= _with_segment(profile, segment)
        return profile.model_copy(update=updates)


def _with_segment(profile: Profile, segment: str) -> dict[str, object]:
    evidence = [e for e in profile.evidence if e.field not in ("segment", "mlps_level", "regulators")]
    evidence.append(Evidence(field="segment", value=segment, source="hint", detail=f"用户补充：{segment}"))
    level = MLPS_BY_SEGMENT.get(segment) or MLPS_BY_INDUSTRY.get(profile.industry)
    if level is not None:
        evidence.append(Evidence(field="mlps_level", value=str(level[0]), source="hint", detail=level[1]))
    regulators = list(SEGMENT_REGULATORS.get(segment, REGULATORS.get(profile.industry, [])))
    basis = f"细分“{segment}”" if segment in SEGMENT_REGULATORS else f"行业“{INDUSTRY_LABELS[profile.industry]}”"
    evidence.append(Evidence(field="regulators", value="、".join(regulators), source="hint", detail=f"按{basis}适用的监管部门"))
    return {"segment": segment, "mlps_level": level[0] if level else None, "regulators": regulators, "evidence": evidence}


def next_state(state: ConversationState, subject: Subject) -> ConversationState:
    """What the conversation knows after this reply: a known customer is kept; an unidentified one is asked about."""
    profile = subject.profile
    if subject.changed and profile is not None and profile.known:
        return ConversationState(customer=profile)
    if subject.unidentified:
        return ConversationState(customer=state.customer, pending=profile)
    return ConversationState(customer=state.customer)
