"""Activity events: what kinds of customers partners work on and which needs, never who the customers are."""

from community.activity.log import ActivityEvent, ActivityKind, ActivityLog, iso_week, week_label
from community.activity.tables import migrate_activity

__all__ = ["ActivityEvent", "ActivityKind", "ActivityLog", "iso_week", "migrate_activity", "week_label"]
