"""The activity recorder: what kind of customer a partner worked on, and which needs, by ISO week.

    log = ActivityLog(engine)
    log.record_brief(org_id, profile, needs=["sol-database-audit"])
    log.record_download(org_id, industry="healthcare", segment="三级医院", province="广东省", needs=[...])

What is kept is fixed by `ActivityEvent`: the organisation, the customer's industry, segment and province, the
needs and need categories, the ISO week and whether it is simulated. There is no field for a customer's name,
a message or a user, so none can be stored by mistake.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import Engine, delete, func, insert, select

from assistant.gazetteer import default_gazetteer
from assistant.models import UNKNOWN, Profile
from community.activity.tables import ActivityEventRow, ActivityNeedRow, ActivityPresenceRow, add_presence
from corpus.document import INDUSTRY_CODES, NEED_CATEGORIES

__all__ = ["ActivityEvent", "ActivityKind", "ActivityLog", "iso_week", "week_label"]

MAX_NEEDS = 12  # a brief names at most 3 needs in each of 4 categories


class ActivityKind(StrEnum):
    brief = "brief"
    answer = "answer"
    download = "download"
    shared_case = "shared_case"


def iso_week(day: dt.date | dt.datetime | None = None) -> dt.date:
    """The Monday that starts the ISO week of `day` (today, UTC, by default)."""
    if day is None:
        day = dt.datetime.now(dt.UTC).date()
    elif isinstance(day, dt.datetime):
        day = day.date()
    return day - dt.timedelta(days=day.weekday())


def week_label(monday: dt.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def province_of(value: str | None) -> str:
    """The full province name for a province, city or district name; "" when it names none."""
    if not value:
        return ""
    found = default_gazetteer().find(value, relaxed=True)
    return found.region.province or "" if found is not None else ""


class ActivityEvent(BaseModel):
    org_id: str = Field(min_length=1, max_length=40)
    kind: ActivityKind
    industry: str = UNKNOWN
    segment: str = Field("", max_length=40)
    province: str = Field("", max_length=16)
    needs: list[str] = Field(default_factory=list, max_length=MAX_NEEDS)
    topics: list[str] = Field(default_factory=list)
    week: dt.date = Field(default_factory=iso_week)
    simulated: bool = False

    @field_validator("industry")
    @classmethod
    def _industry(cls, value: str) -> str:
        return value if value in INDUSTRY_CODES else UNKNOWN

    @field_validator("topics")
    @classmethod
    def _topics(cls, value: list[str]) -> list[str]:
        return [t for t in dict.fromkeys(value) if t in NEED_CATEGORIES]

    @field_validator("needs")
    @classmethod
    def _needs(cls, value: list[str]) -> list[str]:
        return [n for n in dict.fromkeys(value) if n and len(n) <= 80]

    @field_validator("week")
    @classmethod
    def _monday(cls, value: dt.date) -> dt.date:
        return iso_week(value)


class ActivityLog:
    """Append events; delete an organisation's; purge past the retention period."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- recording -----------------------------------------------------------------------------
    def record_brief(self, org_id: str, profile: Profile, needs: Sequence[str], *, topics: Sequence[str] = ()) -> None:
        self.record(_from_profile(org_id, ActivityKind.brief, profile, needs, topics))

    def record_answer(
        self, org_id: str, profile: Profile | None, needs: Sequence[str], *, topics: Sequence[str] = ()
    ) -> None:
        self.record(_from_profile(org_id, ActivityKind.answer, profile, needs, topics))

    def record_download(self, org_id: str, *, industry: str, segment: str = "", province: str = "",
                        needs: Sequence[str] = (), topics: Sequence[str] = ()) -> None:  # fmt: skip
        """A partner downloaded a shared case about this kind of customer."""
        self.record(ActivityEvent(org_id=org_id, kind=ActivityKind.download, industry=industry, segment=segment[:40],
                                  province=province_of(province), needs=list(needs), topics=list(topics)))  # fmt: skip

    def record_shared_case(self, org_id: str, *, industry: str, segment: str = "", province: str = "",
                           needs: Sequence[str] = (), topics: Sequence[str] = ()) -> None:  # fmt: skip
        """A partner shared an (anonymised) case about this kind of customer."""
        self.record(ActivityEvent(org_id=org_id, kind=ActivityKind.shared_case, industry=industry, segment=segment[:40],
                                  province=province_of(province), needs=list(needs), topics=list(topics)))  # fmt: skip

    def record(self, event: ActivityEvent) -> None:
        self.record_many([event])

    def record_many(self, events: Iterable[ActivityEvent]) -> int:
        """Insert events in one transaction; returns how many."""
        count = 0
        presence: dict[tuple[object, ...], dict[str, object]] = {}
        with self.engine.begin() as conn:
            for event in events:
                row = {
                    "org_id": event.org_id, "kind": event.kind.value, "industry": event.industry,
                    "segment": event.segment, "province": event.province, "topics": ",".join(event.topics),
                    "week": event.week, "simulated": event.simulated,
                }  # fmt: skip
                event_id = conn.execute(insert(ActivityEventRow).values(**row).returning(ActivityEventRow.id)).scalar_one()
                if event.needs:
                    conn.execute(insert(ActivityNeedRow), [{"event_id": event_id, "need": n} for n in event.needs])
                for need in event.needs:
                    key = {"week": event.week, "org_id": event.org_id, "industry": event.industry,
                           "province": event.province, "need": need, "simulated": event.simulated}  # fmt: skip
                    presence[tuple(key.values())] = key
                count += 1
            add_presence(conn, list(presence.values()))
        return count

    # -- reading (counts for operators and tests; never published) ----------------------------------
    def count(self, *, org_id: str | None = None, simulated: bool | None = None) -> int:
        query = select(func.count()).select_from(ActivityEventRow)
        if org_id is not None:
            query = query.where(ActivityEventRow.org_id == org_id)
        if simulated is not None:
            query = query.where(ActivityEventRow.simulated == simulated)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def latest_week(self) -> dt.date | None:
        with self.engine.connect() as conn:
            return conn.execute(select(func.max(ActivityEventRow.week))).scalar_one_or_none()

    def export_organisation(self, org_id: str) -> list[dict[str, Any]]:
        """Every event of an organisation with its needs, as JSON data (PIPL access)."""
        with self.engine.connect() as conn:
            events = conn.execute(select(ActivityEventRow).where(ActivityEventRow.org_id == org_id)
                                  .order_by(ActivityEventRow.id)).all()  # fmt: skip
            needs = conn.execute(select(ActivityNeedRow.event_id, ActivityNeedRow.need).where(
                ActivityNeedRow.event_id.in_([e.id for e in events]))).all()  # fmt: skip
        by_event: dict[int, list[str]] = {}
        for event_id, need in needs:
            by_event.setdefault(event_id, []).append(need)
        return [{"kind": e.kind, "industry": e.industry, "segment": e.segment, "province": e.province,
                 "topics": [t for t in e.topics.split(",") if t], "week": e.week.isoformat(), "simulated": e.simulated,
                 "needs": sorted(by_event.get(e.id, []))} for e in events]  # fmt: skip

    # -- deleting ----------------------------------------------------------------------------------
    def delete_organisation(self, org_id: str) -> int:
        """Remove every event of an organisation (PIPL deletion); returns how many events."""
        return self._delete(lambda t: t.org_id == org_id)

    def delete_simulated(self) -> int:
        return self._delete(lambda t: t.simulated.is_(True))

    def purge(self, *, retention_days: int, today: dt.date | None = None) -> int:
        """Delete events of weeks that ended more than `retention_days` ago."""
        cutoff = iso_week((today or dt.datetime.now(dt.UTC).date()) - dt.timedelta(days=retention_days))
        return self._delete(lambda t: t.week < cutoff)

    def _delete(self, condition: Callable[[Any], Any]) -> int:
        """`condition` of a table with org_id, week and simulated: applied to the events and to their rollup."""
        ids = select(ActivityEventRow.id).where(condition(ActivityEventRow))
        with self.engine.begin() as conn:
            conn.execute(delete(ActivityNeedRow).where(ActivityNeedRow.event_id.in_(ids)))
            conn.execute(delete(ActivityPresenceRow).where(condition(ActivityPresenceRow)))
            return int(conn.execute(delete(ActivityEventRow).where(condition(ActivityEventRow))).rowcount or 0)


def _from_profile(
    org_id: str, kind: ActivityKind, profile: Profile | None, needs: Sequence[str], topics: Sequence[str]
) -> ActivityEvent:
    profile = profile or Profile(name="")
    return ActivityEvent(
        org_id=org_id, kind=kind, industry=profile.industry, segment=(profile.segment or "")[:40],
        province=province_of(profile.region.province), needs=list(needs), topics=list(topics),
    )  # fmt: skip
