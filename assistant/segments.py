"""Segment (三级医院, 城商行, 地市级政府 …) and likely 等保 level, once the industry is known.

Read off the name and its region; each inference appends its `Evidence`.
"""

from __future__ import annotations

import re

from assistant.models import Evidence, Region
from assistant.name_rules import MLPS_BY_INDUSTRY, MLPS_BY_SEGMENT, segment_for

__all__ = ["government_segment", "infer_mlps", "infer_segment"]


def government_segment(name: str, region: Region, *, national: bool) -> tuple[str, str] | None:
    if national:
        return "国务院部委", "中央国家机关"
    if region.province is None:
        # No known place: the level words of the name itself (某某县人民政府).
        for pattern, segment in ((r"[县旗]|区(?!域)", "区县政府"), (r"市", "地市级政府"), (r"省|自治区", "省级部门")):
            if re.search(pattern, name):
                if segment == "省级部门" and name.endswith("人民政府"):
                    segment = "省级政府"
                return segment, "名称含行政级别用语"
        return None
    direct = region.province.endswith("市")  # 直辖市: its bureaux are provincial-level
    if region.district or re.search(r"[县旗]|[^\d]区(?!域)", name.split(region.city or region.province)[-1]):
        return "区县政府", "名称含区县级地名"
    if region.city and not direct:
        return "地市级政府", "名称含地市级地名"
    if "人民政府" in name and not re.search(r"(厅|局|委员会|办公厅)$", name):
        return "省级政府", "省级人民政府"
    return "省级部门", "名称含省级地名"


def infer_segment(industry: str, core: str, region: Region, national: bool, evidence: list[Evidence]) -> str | None:
    if industry == "government":
        found = government_segment(core, region, national=national)
    else:
        found = segment_for(industry, core)
        if found is None and industry == "healthcare" and "医院" in core and region.city and not region.district \
                and not re.search(r"[县区旗镇乡]", core) and not (region.province or "").endswith("市"):
            found = ("三级医院", "地市级综合医院多为三级医院（推断）")
        if found is None and industry == "finance" and core.endswith("银行") and region.province:
            found = ("城商行", "地名加“银行”，多为城市商业银行（推断）")
    if found is None:
        return None
    segment, detail = found
    evidence.append(Evidence(field="segment", value=segment, source="name", detail=detail))
    return segment


def infer_mlps(industry: str, segment: str | None, evidence: list[Evidence]) -> int | None:
    level = MLPS_BY_SEGMENT.get(segment or "") or MLPS_BY_INDUSTRY.get(industry)
    if level is None:
        return None
    evidence.append(Evidence(field="mlps_level", value=str(level[0]), source="name", detail=level[1]))
    return level[0]
