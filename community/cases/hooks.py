"""Extension points of the case service: what other packages (rewards, issue 13) hook into.

    class Rewards:                                    # billing/, wired in api/container.py
        def on_download(self, event: DownloadEvent) -> None: ...   # credit event.author_org_id
        def on_takedown(self, event: TakedownEvent) -> None: ...   # void pending rewards of event.case_id

    CaseService(..., listeners=[Rewards(...)])

Both are called after the case service committed its own change. `on_download` is called for every
download request, including a retry with the same idempotency key (the same `download_id` then) and the
author's own organisation downloading its case: listeners decide what earns, and must be idempotent on
(`downloader_org_id`, `idempotency_key`). An exception in a listener propagates to the caller, so a
client retrying with the same key gives the listener another chance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = ["CaseListener", "DownloadEvent", "TakedownEvent"]


@dataclass(frozen=True)
class DownloadEvent:
    case_id: str
    author_org_id: str
    downloader_org_id: str
    downloader_user_id: str
    idempotency_key: str
    download_id: int
    at: dt.datetime
    repeated: bool  # True when this key was seen before (a retry): the download was recorded once


@dataclass(frozen=True)
class TakedownEvent:
    case_id: str
    author_org_id: str
    reason: str
    by_user_id: str
    at: dt.datetime


@runtime_checkable
class CaseListener(Protocol):
    def on_download(self, event: DownloadEvent) -> None: ...

    def on_takedown(self, event: TakedownEvent) -> None: ...
