"""Would the case's quasi-identifiers point at one organisation? A rough k-anonymity check.

Industry + segment + province + size band describe a set of organisations; when that set is
smaller than `threshold` (default 10, as statistics offices suppress small cells), readers who
know the region can guess the customer. The estimate, documented and deliberately simple:

    peers = national count of the segment (NATIONAL, approximate public totals)
            × the province's share of China's population (POPULATION, 2023 year-end, 万人)
            × the size band's share of the segment (0.3; 0.1 for the top band)

The year does not change how many organisations exist, so it is reported, not counted.
The organisation knowledge base (assistant/orgs/) can answer with real counts through `OrgCounter`.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from assistant.models import INDUSTRY_LABELS
from community.redaction.models import RedactionError, Uniqueness
from community.redaction.places import REGIONS, _gaz, region_of

__all__ = ["NATIONAL", "POPULATION", "OrgCounter", "assess_uniqueness", "estimate_peers", "normalise_province"]


@runtime_checkable
class OrgCounter(Protocol):
    """Counts organisations the product knows; None when it cannot tell."""

    def count(self, *, industry: str, segment: str | None, provinces: tuple[str, ...], size_band: str | None) -> int | None: ...


# Approximate national totals (public statistical bulletins, 2022–2023; order of magnitude is what matters).
NATIONAL: dict[tuple[str, str | None], int] = {
    ("healthcare", "三级医院"): 3_800, ("healthcare", "二级医院"): 11_500, ("healthcare", "基层医疗机构"): 950_000,
    ("healthcare", "疾控/公共卫生"): 3_400, ("healthcare", "卫生健康行政部门"): 3_300, ("healthcare", None): 38_000,
    ("finance", "城商行"): 125, ("finance", "农商行/农信社"): 1_600, ("finance", "村镇银行"): 1_600,
    ("finance", "证券公司"): 145, ("finance", "保险公司"): 240, ("finance", "基金/信托"): 210, ("finance", None): 4_500,
    ("education", "高校"): 3_070, ("education", "职业院校"): 8_500, ("education", "中小学"): 200_000,
    ("education", "教育行政部门"): 3_200, ("education", None): 220_000,
    ("government", "国务院部委"): 26, ("government", "省级政府"): 31, ("government", "省级部门"): 1_200,
    ("government", "地市级政府"): 333, ("government", "区县政府"): 2_840, ("government", None): 40_000,
    ("energy", "电网公司"): 40, ("energy", "石油石化"): 300, ("energy", "煤炭"): 4_000, ("energy", None): 20_000,
    ("telecom", "电信运营商"): 130, ("telecom", None): 2_000,
    ("transport", "机场/航空"): 260, ("transport", "港口/航运"): 300, ("transport", "铁路/轨道交通"): 120,
    ("transport", "高速公路"): 200, ("transport", None): 30_000,
    ("manufacturing", None): 480_000, ("internet", None): 40_000, ("retail", None): 100_000, ("media", None): 10_000,
    ("real_estate", None): 100_000, ("agriculture", None): 50_000,
}  # fmt: skip

POPULATION: dict[str, int] = {  # resident population, 2023 year-end, 万人 (rounded)
    "广东省": 12706, "山东省": 10123, "河南省": 9815, "江苏省": 8526, "四川省": 8368, "河北省": 7393, "浙江省": 6627,
    "湖南省": 6568, "安徽省": 6121, "湖北省": 5838, "广西壮族自治区": 5027, "云南省": 4673, "江西省": 4515,
    "福建省": 4183, "辽宁省": 4182, "陕西省": 3952, "贵州省": 3865, "山西省": 3466, "重庆市": 3191, "黑龙江省": 3062,
    "新疆维吾尔自治区": 2598, "上海市": 2487, "甘肃省": 2465, "内蒙古自治区": 2396, "吉林省": 2339, "北京市": 2186,
    "天津市": 1364, "海南省": 1043, "宁夏回族自治区": 729, "青海省": 594, "西藏自治区": 365,
}  # fmt: skip
TOTAL_POPULATION = sum(POPULATION.values())
SIZE_SHARE, TOP_SIZE_SHARE = 0.3, 0.1


def normalise_province(name: str) -> str:
    """浙江 → 浙江省, 宁夏 → 宁夏回族自治区; RedactionError for anything else."""
    name = name.strip()
    if name in POPULATION:
        return name
    place = _gaz().province_short.get(name)
    if place is not None and place.province in POPULATION:
        return place.province
    raise RedactionError(f"未知的省份：“{name}”（请写省级行政区名称，如“浙江省”或“浙江”）")


def _national(industry: str, segment: str | None) -> int | None:
    return NATIONAL.get((industry, segment)) or NATIONAL.get((industry, None))


def estimate_peers(
    *, industry: str, segment: str | None, provinces: tuple[str, ...], size_band: str | None, top_band: bool = False
) -> float | None:
    national = _national(industry, segment)
    if national is None:
        return None
    known = [p for p in provinces if p in POPULATION]
    share = sum(POPULATION[p] for p in known) / TOTAL_POPULATION if known else 1.0
    size = (TOP_SIZE_SHARE if top_band else SIZE_SHARE) if size_band else 1.0
    return national * share * size


def assess_uniqueness(
    *,
    industry: str,
    segment: str | None = None,
    province: str | None = None,
    year: int | None = None,
    size_band: str | None = None,
    top_band: bool = False,
    threshold: int = 10,
    counter: OrgCounter | None = None,
) -> Uniqueness | None:
    """The estimate for these attributes, with a coarser region suggested when it is below `threshold`.

    None when the industry is unknown (nothing to estimate from).
    """
    province = normalise_province(province) if province else None
    provinces = (province,) if province else ()

    def peers(regions: tuple[str, ...], band: str | None) -> float | None:
        if counter is not None:
            counted = counter.count(industry=industry, segment=segment, provinces=regions, size_band=band)
            if counted is not None:
                return float(counted)
        return estimate_peers(industry=industry, segment=segment, provinces=regions, size_band=band, top_band=top_band)

    estimate = peers(provinces, size_band)
    if estimate is None:
        return None
    attributes = {"行业": INDUSTRY_LABELS.get(industry, industry)}
    for label, value in (("细分", segment), ("省份", province), ("年份", str(year) if year else None), ("规模", size_band)):
        if value:
            attributes[label] = value
    described = "、".join(attributes.values())
    basis = "按全国机构数 × 省份人口占比 × 规模档占比估算" if counter is None else "机构知识库计数（缺项时按人口占比估算）"
    if estimate >= threshold:
        return Uniqueness(estimate=round(estimate, 1), threshold=threshold, attributes=attributes, basis=basis,
                          message=f"“{described}”约对应 {estimate:.0f} 家机构，不易据此认出客户。")
    suggestion, suggested = None, None
    region = region_of(province) if province else None
    options: list[tuple[str, tuple[str, ...], str | None]] = []
    if region:
        options.append((region + "地区", REGIONS[region], size_band))
    options.append(("全国", (), size_band))
    if size_band:
        options.append((region + "地区（不写规模）" if region else "全国（不写规模）", REGIONS[region] if region else (), None))
    for name, regions, band in options:
        if (peers(regions, band) or 0) >= threshold:
            suggestion = f"建议把地区写成“{name}”" + ("" if band == size_band else "，并去掉规模描述")
            suggested = name.split("（")[0].removesuffix("地区")
            break
    if suggestion is None:
        suggestion = "建议只写行业和“全国”，并去掉规模描述"
        suggested = "全国"
    return Uniqueness(
        estimate=round(estimate, 1), threshold=threshold, attributes=attributes, basis=basis,
        message=f"“{described}”估计只对应约 {estimate:.1f} 家机构（少于 {threshold} 家），读者可能据此认出客户。",
        suggestion=suggestion, suggested_region=suggested,
    )  # fmt: skip
