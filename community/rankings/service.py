"""Reading published rankings: one list, a need across provinces (the map), a need over weeks (the trend), CSV.

Reads only `ranking_cells` of the newest release (an indexed lookup), so a request costs milliseconds
whatever the size of the activity log. Inputs are checked here and refused with a Chinese message.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, func, select

from assistant.models import INDUSTRY_LABELS
from community.activity.log import province_of, week_label
from community.catalogue import NeedCatalogue
from community.rankings.refresh import TREND_WEEKS, WINDOWS
from community.rankings.tables import ALL_INDUSTRIES, NATIONWIDE, RankingCellRow, RankingReleaseRow
from corpus.document import INDUSTRY_CODES

__all__ = ["KINDS", "WINDOW_LABELS", "RankingsError", "RankingsService"]

KINDS = {"top": "热门需求", "rising": "上升最快"}
WINDOW_LABELS = {"7d": "近7天", "30d": "近30天", "quarter": "近一季度"}
CSV_COLUMNS = ["window", "kind", "period_start", "industry", "province", "rank", "need", "need_title", "band"]


class RankingsError(ValueError):
    """A ranking request naming a window, kind, industry, province or need that does not exist."""


class Release(BaseModel):
    id: int
    created_at: dt.datetime
    reference_week: dt.date
    k: int
    noise: bool
    simulated: bool


class Cell(BaseModel):
    industry: str
    province: str
    need: str
    rank: int
    band: str
    need_title: str = ""
    categories: list[str] = []
    guide: str = ""  # link to the solution guide
    cases: list[dict[str, str]] = []  # [{id, title, url}] published cases about the need


def check_window(window: str) -> str:
    if window not in WINDOWS:
        raise RankingsError(f"未知的时间窗口“{window}”；可选：{', '.join(WINDOWS)}")
    return window


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise RankingsError(f"未知的榜单类型“{kind}”；可选：top（热门）、rising（上升）")
    return kind


def check_industry(industry: str | None) -> str:
    if not industry or industry == ALL_INDUSTRIES:
        return ALL_INDUSTRIES
    if industry not in INDUSTRY_CODES:
        raise RankingsError(f"未知的行业代码“{industry}”；可选：{', '.join(INDUSTRY_CODES)}（或留空表示全部行业）")
    return industry


def check_province(province: str | None) -> str:
    if not province or province == NATIONWIDE:
        return NATIONWIDE
    found = province_of(province)
    if not found:
        raise RankingsError(f"无法识别的省份“{province}”；请写省级行政区名称，如 广东省（或留空表示全国）")
    return found


def document_url(doc_id: str) -> str:
    return f"/documents/{doc_id}"


class RankingsService:
    def __init__(self, engine: Engine, catalogue: NeedCatalogue) -> None:
        self.engine = engine
        self.catalogue = catalogue

    def release(self) -> Release | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(RankingReleaseRow).order_by(RankingReleaseRow.id.desc()).limit(1)).first()
        if row is None:
            return None
        return Release(id=row.id, created_at=row.created_at, reference_week=row.reference_week, k=row.k,
                       noise=row.epsilon is not None, simulated=row.simulated)  # fmt: skip

    def period(self, release: Release | None, window: str) -> dict[str, str] | None:
        if release is None:
            return None
        first = release.reference_week - dt.timedelta(weeks=WINDOWS[window] - 1)
        last = release.reference_week + dt.timedelta(days=6)
        return {"from": first.isoformat(), "to": last.isoformat(), "weeks": f"{week_label(first)}–{week_label(release.reference_week)}"}

    def cells(self, *, window: str, kind: str, industry: str | None, province: str | None, limit: int = 50) -> dict:
        window, kind = check_window(window), check_kind(kind)
        industry, province = check_industry(industry), check_province(province)
        release = self.release()
        rows: Sequence[Any] = []
        if release is not None:
            c = RankingCellRow
            query = (
                select(c.need, c.rank, c.band)
                .where(c.release_id == release.id, c.window == window, c.kind == kind,
                       c.industry == industry, c.province == province)
                .order_by(c.rank).limit(limit)
            )  # fmt: skip
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
        cells = [self._cell(industry, province, need, rank, band) for need, rank, band in rows]
        return {
            "window": window, "kind": kind, "k": release.k if release else None, "industry": industry,
            "province": province, "period": self.period(release, window), "simulated": bool(release and release.simulated),
            "noise": bool(release and release.noise), "release": release.model_dump(mode="json") if release else None,
            "cells": [cell.model_dump() for cell in cells],
        }  # fmt: skip

    def _cell(self, industry: str, province: str, need: str, rank: int, band: str) -> Cell:
        info = self.catalogue.get(need)
        cases = []
        if info is not None:
            for case_id in info.cases:
                case = self.catalogue.get(case_id)
                if case is not None:
                    cases.append({"id": case_id, "title": case.title, "url": document_url(case_id)})
        return Cell(
            industry=industry, province=province, need=need, rank=rank, band=band,
            need_title=info.need_title if info else need, categories=info.need_categories if info else [],
            guide=document_url(need) if info else "", cases=cases,
        )  # fmt: skip

    def map(self, *, window: str, kind: str, industry: str | None, need: str) -> dict:
        """The rank of one need in each province's list (provinces where it is not published are absent)."""
        window, kind, industry = check_window(window), check_kind(kind), check_industry(industry)
        if self.catalogue.get(need) is None:
            raise RankingsError(f"未知的需求“{need}”")
        release = self.release()
        provinces: list[dict[str, object]] = []
        if release is not None:
            c = RankingCellRow
            query = select(c.province, c.rank).where(
                c.release_id == release.id, c.window == window, c.kind == kind, c.industry == industry,
                c.need == need, c.province != NATIONWIDE)  # fmt: skip
            with self.engine.connect() as conn:
                provinces = [{"province": p, "rank": r} for p, r in conn.execute(query.order_by(c.rank, c.province))]
        return {"window": window, "kind": kind, "industry": industry, "need": need, "k": release.k if release else None,
                "simulated": bool(release and release.simulated), "provinces": provinces}  # fmt: skip

    def trend(self, *, industry: str | None, province: str | None, needs: list[str] | None = None, top: int = 5) -> dict:
        """Weekly rank of needs over the last weeks (None where a week's cell was not published)."""
        industry, province = check_industry(industry), check_province(province)
        release = self.release()
        weeks: list[dt.date] = []
        series: dict[str, dict[dt.date, int]] = {}
        if release is not None:
            weeks = [release.reference_week - dt.timedelta(weeks=b) for b in reversed(range(TREND_WEEKS))]
            c = RankingCellRow
            base = select(c.need, c.period, c.rank).where(
                c.release_id == release.id, c.window == "week", c.kind == "top", c.industry == industry, c.province == province)
            with self.engine.connect() as conn:
                if not needs:
                    latest = conn.execute(select(c.need).where(
                        c.release_id == release.id, c.window == "30d", c.kind == "top", c.industry == industry,
                        c.province == province).order_by(c.rank).limit(top)).scalars().all()  # fmt: skip
                    needs = list(latest)
                for need, period, rank in conn.execute(base.where(c.need.in_(needs or [""]))):
                    series.setdefault(need, {})[period] = rank
        return {
            "industry": industry, "province": province, "weeks": [week_label(w) for w in weeks],
            "series": [
                {"need": n, "need_title": self._title(n), "ranks": [series.get(n, {}).get(w) for w in weeks]} for n in (needs or [])
            ],
        }  # fmt: skip

    def _title(self, need: str) -> str:
        info = self.catalogue.get(need)
        return info.need_title if info else need

    def options(self) -> dict:
        """Filter choices (every industry and province, those with published lists flagged) and every need."""
        from community.activity.simulate import PROVINCES

        release = self.release()
        industries: set[str] = set()
        provinces: set[str] = set()
        if release is not None:
            c = RankingCellRow
            with self.engine.connect() as conn:
                industries = set(conn.execute(select(c.industry).where(c.release_id == release.id).distinct()).scalars())
                provinces = set(conn.execute(select(c.province).where(c.release_id == release.id).distinct()).scalars())
        return {
            "windows": WINDOW_LABELS, "kinds": KINDS,
            "industries": [{"code": i, "label": INDUSTRY_LABELS.get(i, i), "published": i in industries} for i in INDUSTRY_CODES],
            "provinces": [{"name": p, "published": p in provinces} for p in [*PROVINCES, *sorted(provinces - set(PROVINCES) - {NATIONWIDE})]],
            "needs": [{"id": n.id, "title": n.need_title} for n in self.catalogue.needs()],
            "release": release.model_dump(mode="json") if release else None,
        }  # fmt: skip

    def csv_lines(self, *, window: str | None, kind: str | None, industry: str | None, province: str | None) -> Iterator[str]:
        """Published cells of the newest release as CSV (UTF-8 with BOM, for Excel), filtered like the API;
        `week` rows are the weekly trend points (period_start names the week)."""
        release = self.release()
        c = RankingCellRow
        query = select(c.window, c.kind, c.period, c.industry, c.province, c.rank, c.need, c.band)
        if release is not None:
            query = query.where(c.release_id == release.id)
            if window:
                query = query.where(c.window == check_window(window))
            if kind:
                query = query.where(c.kind == check_kind(kind))
            if industry:
                query = query.where(c.industry == check_industry(industry))
            if province:
                query = query.where(c.province == check_province(province))
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        yield "\ufeff"
        writer.writerow(CSV_COLUMNS)
        if release is not None:
            with self.engine.connect() as conn:
                for row in conn.execute(query.order_by(c.window, c.kind, c.industry, c.province, c.rank)):
                    w, k, period, ind, prov, rank, need, band = row
                    writer.writerow([w, k, period.isoformat(), ind, prov, rank, need, self._title(need), band])
                    if buffer.tell() > 64_000:
                        yield buffer.getvalue()
                        buffer.seek(0)
                        buffer.truncate()
        yield buffer.getvalue()

    def published_count(self) -> int:
        release = self.release()
        if release is None:
            return 0
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(RankingCellRow)
                                    .where(RankingCellRow.release_id == release.id)).scalar_one())  # fmt: skip
