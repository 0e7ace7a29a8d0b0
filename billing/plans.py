"""The plans (free, partner programme, paid), read from one versioned file (plans.v1.yaml), and the one
rule of which feature uses which quota over which period."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

__all__ = ["FEATURES", "PLAN_FILE", "Feature", "Plan", "Plans", "load_plans"]

PLAN_FILE = Path(__file__).parent / "plans.v1.yaml"
PLAN_ORDER = ("free", "partner", "paid")


class Feature(BaseModel):
    name: str
    title: str
    quota: str
    period: Literal["day", "month", "count"]


FEATURES: dict[str, Feature] = {f.name: f for f in (
    Feature(name="briefs", title="客户需求简报", quota="briefs_per_day", period="day"),
    Feature(name="case_downloads", title="下载伙伴案例", quota="downloads_per_month", period="month"),
    Feature(name="exports", title="导出回答", quota="exports_per_month", period="month"),
    Feature(name="widget_keys", title="嵌入式对话组件", quota="widget_keys", period="count"),
    Feature(name="points_conversion", title="积分兑换使用费抵扣", quota="", period="count"),
)}  # fmt: skip


class Plan(BaseModel):
    name: str
    title: str
    summary: str = ""
    features: list[str]
    quotas: dict[str, int] = Field(default_factory=dict)

    def allows(self, feature: str) -> bool:
        return feature in self.features

    def quota(self, feature: str) -> int | None:
        name = FEATURES[feature].quota
        return self.quotas.get(name) if name else None


class Plans(BaseModel):
    version: int
    plans: dict[str, Plan]

    def get(self, name: str) -> Plan:
        return self.plans[name]

    def allowing(self, feature: str, *, more_than: int = 0) -> list[Plan]:
        """Plans with the feature (and, for a quota, more than `more_than` of it), cheapest first."""
        out = []
        for name in PLAN_ORDER:
            plan = self.plans.get(name)
            if plan is None or not plan.allows(feature):
                continue
            limit = plan.quota(feature)
            if limit is None or limit > more_than:
                out.append(plan)
        return out


def load_plans(path: Path = PLAN_FILE) -> Plans:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    plans = {name: Plan(name=name, **body) for name, body in raw["plans"].items()}
    unknown = {f for p in plans.values() for f in p.features} - set(FEATURES)
    if unknown:
        raise ValueError(f"{path.name}: unknown features {sorted(unknown)}")
    return Plans(version=int(raw["version"]), plans=plans)


def period_of(feature: str, now: dt.datetime) -> str:
    """The usage period a use at `now` counts in: `2026-12-04` for daily quotas, `2026-12` for monthly ones."""
    kind = FEATURES[feature].period
    return now.strftime("%Y-%m-%d") if kind == "day" else now.strftime("%Y-%m") if kind == "month" else "-"
