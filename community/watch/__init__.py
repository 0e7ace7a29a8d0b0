"""Watchlists and updates: what is new for a partner's core customers, private to the partner's organisation."""

from community.watch.digest import DigestReport, SmtpConfig, send_weekly_digests
from community.watch.store import WatchedCustomer, WatchError, WatchNotFound, WatchStore
from community.watch.tables import migrate_watch
from community.watch.updates import UpdateItem, UpdatesService, why_it_matters

__all__ = ["DigestReport", "SmtpConfig", "UpdateItem", "UpdatesService", "WatchError", "WatchNotFound", "WatchStore",
           "WatchedCustomer", "migrate_watch", "send_weekly_digests", "why_it_matters"]
