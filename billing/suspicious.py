"""Download patterns an admin should look at before rewards settle (farms, sock puppets, swaps):

    new_orgs   an author earning from several downloading organisations created in the last `new_days`
    burst      an author earning `burst` or more rewards within one hour
    circular   two organisations rewarding each other's cases (both directions, `circular` times or more each)

Plain functions over (author org, downloader org, time) triples; the service feeds them the reward transfers.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Download", "suspicious_patterns"]


@dataclass(frozen=True)
class Download:
    author_org: str
    downloader_org: str
    at: dt.datetime


def suspicious_patterns(downloads: Sequence[Download], *, created_at: Callable[[str], dt.datetime | None],
                        new_days: int = 14, new_orgs: int = 3, burst: int = 10, circular: int = 2) -> list[dict[str, Any]]:  # fmt: skip
    out: list[dict[str, Any]] = []
    by_author: dict[str, list[Download]] = defaultdict(list)
    for d in downloads:
        by_author[d.author_org].append(d)
    for author, items in sorted(by_author.items()):
        fresh = set()
        for d in items:
            born = created_at(d.downloader_org)
            if born is not None and d.at - born <= dt.timedelta(days=new_days):
                fresh.add(d.downloader_org)
        if len(fresh) >= new_orgs:
            out.append({"kind": "new_orgs", "orgs": [author], "count": len(fresh),
                        "detail": f"{len(fresh)} 个新注册（{new_days} 天内）的组织下载了该组织的案例"})  # fmt: skip
        times = sorted(d.at for d in items)
        peak, start = 0, 0
        for end in range(len(times)):
            while times[end] - times[start] > dt.timedelta(hours=1):
                start += 1
            peak = max(peak, end - start + 1)
        if peak >= burst:
            out.append({"kind": "burst", "orgs": [author], "count": peak, "detail": f"一小时内集中获得 {peak} 次下载奖励"})
    pairs = Counter((d.author_org, d.downloader_org) for d in downloads)
    for (a, b), forward in sorted(pairs.items()):
        back = pairs.get((b, a), 0)
        if a < b and forward >= circular and back >= circular:
            out.append({"kind": "circular", "orgs": [a, b], "count": forward + back,
                        "detail": f"两个组织互相下载对方案例（{forward} 次 / {back} 次）"})  # fmt: skip
    return out
