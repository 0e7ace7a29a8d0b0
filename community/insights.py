"""The community's insight features built once over the application database: activity, the need catalogue,
rankings, watchlists and updates; recording a finished chat turn; deleting an organisation's data.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from assistant.models import Profile
from community.activity.log import ActivityLog
from community.activity.tables import migrate_activity
from community.catalogue import NeedCatalogue
from community.rankings.privacy import RankingsConfig
from community.rankings.refresh import ReleaseSummary, refresh_rankings
from community.rankings.service import RankingsService
from community.rankings.tables import migrate_rankings
from community.watch.store import WatchStore
from community.watch.tables import migrate_watch
from community.watch.updates import UpdatesService
from retrieval.keyword_index import SqliteKeywordIndex

__all__ = ["Insights", "delete_organisation_data", "open_insights"]

log = logging.getLogger(__name__)
RECORDED_MODES = ("brief", "answer")  # not_found and ask_user say nothing about needs


@dataclass(frozen=True)
class Insights:
    activity: ActivityLog
    catalogue: NeedCatalogue
    rankings: RankingsService
    watch: WatchStore
    updates: UpdatesService

    def record_turn(self, org_id: str, *, mode: str | None, profile: Profile | None, doc_ids: Sequence[str]) -> bool:
        """Record a finished brief or answer of a partner organisation; True when an event was written.

        Only the profile's industry, segment and province and the cited documents' needs are kept; the
        message, the customer's name and the user are not passed in at all."""
        if mode not in RECORDED_MODES:
            return False
        needs, topics = self.catalogue.needs_and_topics(list(doc_ids))
        if mode == "brief" and profile is not None:
            self.activity.record_brief(org_id, profile, needs, topics=topics)
        else:
            self.activity.record_answer(org_id, profile, needs, topics=topics)
        return True

    def refresh(self, config: RankingsConfig, *, today: dt.date | None = None) -> tuple[int, ReleaseSummary]:
        """Purge events past retention, then publish a new release; (events purged, summary)."""
        purged = self.activity.purge(retention_days=config.retention_days, today=today)
        known = {n.id for n in self.catalogue.needs()}
        return purged, refresh_rankings(self.activity.engine, config, today=today, known_needs=known or None)

    def delete_organisation(self, org_id: str) -> dict[str, int]:
        return delete_organisation_data(self.activity.engine, org_id)


def open_insights(engine: Engine, keyword_index: SqliteKeywordIndex) -> Insights:
    """Migrate the activity, ranking and watchlist tables and build the services."""
    migrate_activity(engine)
    migrate_rankings(engine)
    migrate_watch(engine)
    catalogue = NeedCatalogue(keyword_index)
    watch = WatchStore(engine)
    return Insights(
        activity=ActivityLog(engine), catalogue=catalogue, rankings=RankingsService(engine, catalogue), watch=watch,
        updates=UpdatesService(engine, catalogue, watch),
    )  # fmt: skip


def delete_organisation_data(engine: Engine, org_id: str) -> dict[str, int]:
    """Everything the community's insight features hold about an organisation, deleted: its activity events
    and its watchlist (with visits and digest records). Published rankings hold no organisation; the next
    refresh no longer counts it. For the organisation-deletion registry (PIPL right of deletion)."""
    return {
        "activity_events": ActivityLog(engine).delete_organisation(org_id),
        "watched_customers": WatchStore(engine).delete_organisation(org_id),
    }
