"""Places below province level → the province (杭州市西湖区 → 浙江省, 苏州 → 江苏).

The table is the product's gazetteer (assistant/regions.txt). A run of adjacent place names
becomes one finding. Short city names count only where jieba reads them as a place word, so a
brand sharing two characters with a county stays. A district name shared by several provinces
(鼓楼区, 朝阳区) is resolved by the other places the text names, else it becomes 某地.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from assistant.gazetteer import Gazetteer, Place, default_gazetteer
from community.redaction.models import FindingKind as K
from community.redaction.spans import Candidate, Context

__all__ = ["REGIONS", "detect_places", "is_place", "province_of", "region_of"]

# What follows a place in the name of a local public body.
AUTHORITY_HEADS = tuple(
    "公安 网信 卫健 卫生健康 教育 财政 税务 市场监 大数据 数据局 政务 医保 人社 审计 交通 住建 工信 经信 发改 人民政府 政府 "
    "人民法院 人民检察院 法院 检察院 中级人民法院 国资委 统计局 应急管理 通信管理局 保密局 密码管理局 委员会".split()
)

# The usual seven regions, for a coarser suggestion than a province.
REGIONS: dict[str, tuple[str, ...]] = {
    "华北": ("北京市", "天津市", "河北省", "山西省", "内蒙古自治区"),
    "东北": ("辽宁省", "吉林省", "黑龙江省"),
    "华东": ("上海市", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "台湾省"),
    "华中": ("河南省", "湖北省", "湖南省"),
    "华南": ("广东省", "广西壮族自治区", "海南省", "香港特别行政区", "澳门特别行政区"),
    "西南": ("重庆市", "四川省", "贵州省", "云南省", "西藏自治区"),
    "西北": ("陕西省", "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区"),
}


def region_of(province: str) -> str | None:
    for region, provinces in REGIONS.items():
        if province in provinces:
            return region
    return None


@lru_cache(maxsize=1)
def _gaz() -> Gazetteer:
    return default_gazetteer()


@lru_cache(maxsize=4096)
def is_place(word: str) -> bool:
    g = _gaz()
    return word in g.full or word in g.province_short or word in g.short


def province_of(word: str) -> str | None:
    """The province of a place word, when it has only one."""
    g = _gaz()
    if word in g.province_short:
        return g.province_short[word].province
    places = g.full.get(word) or g.short.get(word) or []
    provinces = {p.province for p in places}
    return provinces.pop() if len(provinces) == 1 else None


def _short_province(province: str) -> str:
    g = _gaz()
    return next((s for s, p in g.province_short.items() if p.province == province), province)


def _piece_at(ctx: Context, i: int) -> tuple[str, list[Place]] | None:
    g = _gaz()
    f = ctx.folded
    for length in range(min(g.max_len, len(f) - i), 1, -1):
        piece = f[i : i + length]
        if piece in g.full:
            return piece, g.full[piece]
        if piece in g.province_short and ctx.starts_token(i):
            return piece, [g.province_short[piece]]
        if piece in g.short:
            tok = ctx.tokens[ctx.token_at[i]]
            own_word = tok.tag == "ns" and tok.start <= i and tok.end >= i + length
            before = f[:i].rstrip(" ")
            cued = (
                f.startswith(("的一家", "的这家", "的某", "的客户", "地区", "本地"), i + length)
                or before.endswith(("在", "于", "位于", "地处", "来自", "到", "去", "赴", "驻"))  # 在吴忠教育行业
                or (before.endswith(("是", ":", "所在地", "地点", "城市", "|", "、"))
                and (i + length >= len(f) or f[i + length] in "，,。；;、|)） \n的"))
            )
            if own_word or (ctx.starts_token(i) and (cued or _piece_follows(f, i + length))):
                return piece, g.short[piece]
    return None


def _piece_follows(f: str, j: int) -> bool:
    g = _gaz()
    return any(f[j : j + n] in g.full for n in range(2, min(g.max_len, len(f) - j) + 1))


def _runs(ctx: Context) -> Iterator[list[tuple[int, str, list[Place]]]]:
    run: list[tuple[int, str, list[Place]]] = []
    i = 0
    f = ctx.folded
    while i < len(f):
        hit = _piece_at(ctx, i)
        if hit is None:
            if run:
                yield run
                run = []
            i += 1
            continue
        run.append((i, hit[0], hit[1]))
        i += len(hit[0])
    if run:
        yield run


def detect_places(ctx: Context) -> list[Candidate]:
    runs = list(_runs(ctx))
    known = {p.province for run in runs for _, _, places in run if len({q.province for q in places}) == 1 for p in places}
    out: list[Candidate] = []
    for run in runs:
        provinces: set[str] | None = None
        below_province = False
        for _, _, places in run:
            options = {p.province for p in places}
            provinces = options if provinces is None else (provinces & options) or provinces
            below_province |= any((p.city and p.city != p.province) or p.district for p in places)
        if not below_province or provinces is None:
            continue  # a province alone (浙江省, 北京) stays
        start = run[0][0]
        end = run[-1][0] + len(run[-1][1])
        if len(provinces) > 1:
            provinces = (provinces & known) or provinces
        if len(provinces) == 1:
            province = next(iter(provinces))
            full_form = run[0][1] in _gaz().full or province.endswith("市")  # 苏州 → 江苏, 苏州市 → 江苏省
            replacement = province if full_form else _short_province(province)
        else:
            province, replacement = "", "某地"
        if replacement != "某地" and ctx.folded.startswith(AUTHORITY_HEADS, end):
            # 杭州市公安局 → 浙江省某市公安局, not the province's own bureau
            last = run[-1][1]
            replacement += "某" + (last[-1] if last[-1] in "区县市州旗盟" else "市")
        out.append(Candidate(start, end, K.place, key=province, replacement=replacement))
    return out
