"""Lexicon tables for reading an organisation's industry and segment off its name.

Only generic morphemes and suffixes live here, never particular organisations:
the rules must work for names nobody has seen. Each word has a tier:

- 3, an organisation type (医院, 银行, 大学, 出版社, 人民政府): what the body *is*;
- 2, a sector word (电力, 传媒, 地产, 物流): what it *does*;
- 1, a weak hint (科技, 信息, 投资): recorded as evidence, never decisive alone.

`match_words(name)` finds, for each end position, the longest word ending there;
the profiler then takes the highest tier and, within it, the rightmost word (the
head of a Chinese noun phrase): 浙江大学医学院附属第一医院 is a hospital, 某某大学出版社
a publisher, 某某电力大学 a university.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from assistant.models import UNKNOWN
from corpus.industries import CAC, INDUSTRIES, POLICE

__all__ = [
    "NEUTRAL_TAILS",
    "REGULATORS",
    "NameReading",
    "Rule",
    "WordMatch",
    "clean_name",
    "match_words",
    "name_key",
    "read_name",
    "segment_for",
    "strip_tails",
]


@dataclass(frozen=True)
class Rule:
    word: str
    industry: str
    tier: int
    end_only: bool = False  # counts only as the last word (after neutral tails): 局, 部, 港


@dataclass(frozen=True)
class WordMatch:
    rule: Rule
    start: int
    end: int
    at_end: bool

    @property
    def detail(self) -> str:
        return f"名称以“{self.rule.word}”结尾" if self.at_end else f"名称含“{self.rule.word}”"


# industry -> tier -> words. "word$" means end_only.
LEXICON: dict[str, dict[int, str]] = {
    "healthcare": {
        3: "医院 中医院 卫生院 保健院 保健所 妇幼保健 疾病预防控制中心 疾控中心 疾控 卫生服务中心 卫生服务站 卫生室 "
        "急救中心 血液中心 血站 门诊部 门诊 诊所 医学中心 医疗中心 康复中心 体检中心 精神卫生中心 医疗集团 "
        "卫生健康委员会 卫健委 卫生局 医务室 疗养院 临床医学中心 卫生所 防治院 防治所 防治站",
    },
    "finance": {
        3: "银行 支行 分行 农商行 农商银行 农村商业银行 农村合作银行 信用社 信用合作社 信用联社 农信社 农信 村镇银行 "
        "证券 期货 保险 人寿 财险 寿险 再保险 信托 基金管理 基金 资产管理 资管 金融控股 城商行 商行 消费金融 信用合作联社 合作联社",
        2: "金融 金控 租赁 金租 财富 保理 小额贷款 小贷 担保 投资银行 资本管理 产融 资本",
        1: "投资 创投",
    },
    "education": {
        3: "大学 学院 职业技术学院 职业学院 高等专科学校 专科学校 技师学院 中学 小学 一中 二中 三中 学校 幼儿园 "
        "实验学校 开放大学 广播电视大学 教育局 教育厅 教育委员会 教育和体育局 教育体育局 中等专业学校 职业中专 技工学校",
        2: "师范",
        1: "教育",
    },
    "government": {
        3: "人民政府 政府 人民代表大会 人大常委会 政协 委员会 管委会 管理委员会 办公厅 总局 局$ 部$ 厅$ 署$ 委$ 办$ "
        "办公室$ 人民法院 法院 人民检察院 检察院 办事处 公安 海关 监狱 总署",
        2: "税务 市场监管 应急管理 政务服务",
    },
    "energy": {
        2: "电力 电网 供电 发电 能源 能投 燃气 天然气 热电 热力 水电 核电 风电 火电 煤业 煤炭 煤电 焦化 焦煤 焦炭 "
        "石油 石化 油气 油田 炼化 电投 水务 供水 自来水 煤化 燃料 供热 清洁能源 新能源 电厂 供电局 电力局 新能 绿能 能$ 煤 矿业 公用 水利 海油 油服 油田服务 核$ 热能 燃",
        1: "环保 环境",
    },
    "manufacturing": {
        2: "制造 重工 机械 机床 汽车 汽配 客车 电子 电气 电器 电机 半导体 微电子 集成电路 芯片 材料 新材 化工 化学 "
        "化纤 制药 药业 医药 生物医药 医疗器械 器械 钢铁 特钢 钢 铝业 铜业 精工 精密 装备 机电 仪器 仪表 光电 光学 "
        "塑业 塑料 橡胶 轮胎 纺织 服饰 服装 家居 家具 食品 乳业 酒业 酿酒 啤酒 饮料 味业 玻璃 陶瓷 水泥 建材 纸业 "
        "造纸 电池 锂业 储能 光伏 航天 航发 航空工业 航空动力 航空科技 船舶 造船 工业 泵业 阀门 轴承 齿轮 模具 "
        "激光 传感 机器人 电缆 线缆 通信设备 科技制造 智造 药 电工 汽车电子 智能装备 磁材 制冷 储能 煤机 农药 农机 导航 微$ 微电 锂 锂电 锂芯 酒 照明 测控 智控 控制 防务 重汽 铝 传动 微纳 电源 变压器 开关 涂料 胶",
        1: "科技 股份 实业 智能 智慧 动力 节能 医疗 技术",
    },
    "internet": {
        2: "软件 网络 互联网 信息技术 信息 数据 大数据 云计算 云$ 数字 在线 信安 网络安全 计算机 电商 电子商务 "
        "网$ 游戏 数智 信息安全 数码 科技信息 网科 网讯 互娱 互联 软$",
    },
    "telecom": {
        3: "电信 移动通信 联通 铁塔 卫通 卫星通信 通信运营",
        2: "移动",
        1: "通信",
    },
    "transport": {
        3: "机场 港务局 铁路局 港务 港口 航空公司",
        2: "港$ 航运 海运 船务 远洋 集运 外运 航空 高速 公路 路桥 交通 交投 铁路 高铁 地铁 轨道交通 轨交 公交 "
        "巴士 客运 物流 快递 速递 货运 运输 供应链 仓储 航道 港航 码头 海事 陆港 国际港 航$ 运$ 运业 轮船 轮渡 邮轮 快运 速运 联运",
    },
    "retail": {
        2: "百货 商场 商厦 购物 超市 连锁 商城 商品城 零售 便利 大药房 商业 购物中心 奥特莱斯 免税 家电 皮城 购$",
        1: "商贸 贸易",
    },
    "media": {
        3: "出版社 出版集团 报社 日报社 杂志社 电视台 广播电视台 广播电台 通讯社 书局 书店 新华书店 广播电视总台",
        2: "传媒 出版 影视 影业 电影 院线 文化 报业 日报 晚报 广播电视 广电 视讯 动漫 文投 娱乐 演艺 传播 影城 "
        "文旅 阅读 新闻 有线 媒体 融媒 数媒 新媒 超媒",
    },
    "real_estate": {
        2: "地产 房地产 置业 置地 房产 城开 城建 城投 物业 物业服务 物业管理 开发建设 家园 不动产 园区开发 商管 "
        "工业区 工业园 产业园 科技园",
        1: "开发 新城 高新 发展 园区",
    },
    "agriculture": {
        2: "农业 农发 农垦 农牧 种业 种子 牧业 畜牧 养殖 渔业 水产 林业 果业 菌业 禽业 草业 农林 糖业 "
        "茶业 饲料 粮油 农产 种苗 生猪 育种 农场 农$ 牧$ 粮 粮食 米业 果蔬 蔬菜 禽 食用菌",
        1: "海洋 生物",
    },
}

# Tier 0: words that only stop a shorter word from being read inside them (智能 is not 能源).
LEXICON["_neutral"] = {0: "赋能 效能 性能 功能 技能 体能 幸运 奥运 命运 酒店 香港 可能 万能 全能 本能"}

# Words that say nothing about the sector; stripped before end_only rules are checked.
NEUTRAL_TAILS = (
    "股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "总公司", "分公司", "公司", "(集团)", "集团",
    "控股", "股份", "-UW", "-WD", "-U", "-W",
)  # fmt: skip

_RULES: dict[str, Rule] = {}
for _industry, _tiers in LEXICON.items():
    for _tier, _words in _tiers.items():
        for _w in _words.split():
            _rule = Rule(_w.rstrip("$"), _industry, _tier, end_only=_w.endswith("$"))
            # A word listed twice keeps its strongest reading.
            if _rule.word not in _RULES or _RULES[_rule.word].tier < _tier:
                _RULES[_rule.word] = _rule
MAX_WORD = max(len(w) for w in _RULES)

_STOCK_PREFIX = re.compile(r"^(?:\*?S?\*?ST|S)(?=[\u4e00-\u9fff])")
_STOCK_SUFFIX = re.compile(r"(?<=[\u4e00-\u9fff])(?:[AB]|-[A-Z]{1,2})$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ufffd]")


def clean_name(raw: str) -> str:
    """NFKC (full-width → half-width, （）→ ()), no control characters, single spaces."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = _CONTROL.sub("", text)
    text = text.replace("【", "(").replace("】", ")").replace("[", "(").replace("]", ")")
    return " ".join(text.split())


def name_key(raw: str) -> str:
    """The key names are matched on: cleaned, no whitespace at all."""
    return "".join(clean_name(raw).split())


def strip_tails(name: str) -> str:
    """Drop stock-list decorations (*ST, -U, trailing A/B) and neutral legal tails."""
    text = _STOCK_PREFIX.sub("", name.replace(" ", ""))
    changed = True
    while changed:
        changed = False
        for tail in NEUTRAL_TAILS:
            if text.endswith(tail) and len(text) > len(tail):
                text, changed = text[: -len(tail)], True
        stripped = _STOCK_SUFFIX.sub("", text)
        if stripped != text and stripped:
            text, changed = stripped, True
    return text


def match_words(core: str) -> list[WordMatch]:
    """For each end position, the longest lexicon word ending there."""
    matches: list[WordMatch] = []
    n = len(core)
    for end in range(n, 0, -1):
        for length in range(min(MAX_WORD, end), 0, -1):
            rule = _RULES.get(core[end - length : end])
            if rule is None:
                continue
            at_end = end == n
            if rule.end_only and not at_end:
                continue
            matches.append(WordMatch(rule, end - length, end, at_end))
            break
    # A word wholly inside a longer match (学院 inside 职业技术学院) is not a separate clue.
    kept = [m for m in matches if not any(o is not m and o.start <= m.start and m.end <= o.end for o in matches)]
    return sorted(kept, key=lambda m: m.start)


@dataclass(frozen=True)
class NameReading:
    """What the name rules read: the deciding word, if any, and every clue seen."""

    industry: str
    confidence: float
    head: WordMatch | None
    clues: tuple[WordMatch, ...]


def read_name(core: str) -> NameReading:
    """Highest tier wins; within a tier the rightmost (head) word decides. Tier 1 alone decides nothing."""
    clues = tuple(m for m in match_words(core) if m.rule.tier > 0)
    strong = [m for m in clues if m.rule.tier >= 2]
    if not strong:
        return NameReading(UNKNOWN, 0.2 if clues else 0.0, None, clues)
    top = max(m.rule.tier for m in strong)
    head = max((m for m in strong if m.rule.tier == top), key=lambda m: m.end)
    confidence = (0.9 if top == 3 else 0.75) + (0.04 if head.at_end else 0.0)
    rivals = {m.rule.industry for m in strong if m.rule.tier == top} - {head.rule.industry}
    if rivals:
        confidence -= 0.1
    return NameReading(head.rule.industry, round(confidence, 2), head, clues)


# -- segments ---------------------------------------------------------------------------------

# (industry, regex over the cleaned name, segment, detail). First match wins.
SEGMENTS: list[tuple[str, str, str, str]] = [
    ("healthcare", r"疾病预防控制|疾控|保健院|保健所|血站|血液中心|急救中心|精神卫生", "疾控/公共卫生", "名称含公共卫生机构用语"),
    ("healthcare", r"卫生院|卫生服务中心|卫生服务站|卫生室|诊所|门诊部|医务室", "基层医疗机构", "名称含基层医疗机构用语"),
    ("healthcare", r"卫生健康委|卫健委|卫生局", "卫生健康行政部门", "名称含卫生健康行政部门用语"),
    ("healthcare", r"(大学|医学院).*附属|附属.*医院|医科大学|省(人民|立|中医)?医院|省.*(人民|中医)医院|中心医院|(市|州)第一人民医院",
     "三级医院", "大学附属、省级或地市中心医院多为三级医院（推断）"),
    ("healthcare", r"(县|旗)(人民|中医|妇幼)?医院|(县|旗).*医院|区(人民|中医)医院", "二级医院", "县级医院多为二级医院（推断）"),
    ("finance", r"村镇银行", "村镇银行", "名称含“村镇银行”"),
    ("finance", r"农村商业银行|农商|农村合作银行|信用社|信用合作|信用联社|农信", "农商行/农信社", "名称含农村金融机构用语"),
    ("finance", r"证券|期货", "证券公司", "名称含“证券”或“期货”"),
    ("finance", r"保险|人寿|财险|寿险", "保险公司", "名称含保险机构用语"),
    ("finance", r"信托|基金|资产管理|资管", "基金/信托", "名称含资产管理机构用语"),
    ("finance", r"城市商业银行|城商行", "城商行", "名称含“城市商业银行”"),
    ("education", r"教育局|教育厅|教育委员会|教育和体育局|教育体育局", "教育行政部门", "名称含教育行政部门用语"),
    ("education", r"职业|技术学院|高等专科|专科学校|技师学院|技工学校|中专", "职业院校", "名称含职业教育用语"),
    ("education", r"中学|小学|一中|二中|三中|实验学校|幼儿园", "中小学", "名称含中小学用语"),
    ("education", r"大学|学院", "高校", "名称以“大学”或“学院”结尾"),
    ("energy", r"电网|供电", "电网公司", "名称含“电网”或“供电”"),
    ("energy", r"石油|石化|油气|油田|炼化", "石油石化", "名称含石油石化用语"),
    ("energy", r"煤|焦", "煤炭", "名称含煤炭用语"),
    ("energy", r"燃气|天然气|水务|供水|自来水|热力|供热", "燃气/水务", "名称含公用事业用语"),
    ("energy", r"电力|发电|能源|能投|热电|水电|核电|风电|火电|电投|电厂", "发电企业", "名称含发电/能源用语"),
    ("manufacturing", r"汽车|汽配|客车", "汽车制造", "名称含“汽车”"),
    ("manufacturing", r"制药|药业|医药|药", "制药", "名称含制药用语"),
    ("manufacturing", r"电子|半导体|芯|集成电路|光电|微电子", "电子/半导体", "名称含电子/半导体用语"),
    ("telecom", r"电信|移动|联通|铁塔|卫通|卫星通信|通信", "电信运营商", "名称含电信运营用语"),
    ("transport", r"机场|航空", "机场/航空", "名称含“机场”或“航空”"),
    ("transport", r"港|航运|海运|船务|远洋|集运|码头|航道", "港口/航运", "名称含港航用语"),
    ("transport", r"铁路|高铁|地铁|轨道交通|轨交", "铁路/轨道交通", "名称含轨道交通用语"),
    ("transport", r"高速|公路|路桥|交投", "高速公路", "名称含公路用语"),
    ("transport", r"物流|快递|速递|货运|运输|供应链|仓储|外运", "物流", "名称含物流用语"),
    ("media", r"电视台|广播|广电|电台", "广电", "名称含广电用语"),
    ("media", r".", "传媒/出版", "传媒、出版类名称"),
    ("real_estate", r"物业", "物业服务", "名称含“物业”"),
    ("real_estate", r".", "房地产开发", "房地产类名称"),
    ("retail", r".", "零售/商超", "零售类名称"),
    ("agriculture", r".", "农业企业", "农业类名称"),
]
_SEGMENTS = [(i, re.compile(p), s, d) for i, p, s, d in SEGMENTS]


def segment_for(industry: str, name: str) -> tuple[str, str] | None:
    """(segment, detail) for a name already known to be in `industry`."""
    for ind, pattern, segment, detail in _SEGMENTS:
        if ind == industry and pattern.search(name):
            return segment, detail
    return None


# -- regulators and 等保 --------------------------------------------------------------------

REGULATORS: dict[str, list[str]] = {i.code: list(i.regulators) for i in INDUSTRIES}  # corpus/industries.py
SEGMENT_REGULATORS: dict[str, list[str]] = {
    "疾控/公共卫生": ["国家疾病预防控制局", "国家卫生健康委及地方卫健部门", POLICE, CAC],
    "证券公司": ["中国证监会", POLICE, CAC],
    "基金/信托": ["中国证监会", "国家金融监管总局", POLICE, CAC],
    "保险公司": ["国家金融监管总局", POLICE, CAC],
    "燃气/水务": ["住建部门", POLICE, CAC],
    "煤炭": ["能源局及其派出机构", "国家矿山安全监察局", POLICE, CAC],
    "制药": ["药品监管部门", "工信部", POLICE, CAC],
    "机场/航空": ["民航局", POLICE, CAC],
    "铁路/轨道交通": ["铁路监管部门", "交通运输主管部门", POLICE, CAC],
    "广电": ["广电总局及地方广电部门", CAC, POLICE],
    "传媒/出版": ["国家新闻出版署", CAC, POLICE],
}

# (mlps level, why) by segment, then by industry; absent = unknown.
MLPS_BY_SEGMENT: dict[str, tuple[int, str]] = {
    "三级医院": (3, "三级医院核心业务系统通常按等保第三级保护"),
    "二级医院": (3, "二级及以上医院的HIS、电子病历等核心系统通常按第三级定级"),
    "基层医疗机构": (2, "基层医疗机构系统规模小，多按第二级定级"),
    "疾控/公共卫生": (3, "疾控信息系统承载传染病报告等重要数据，通常定为第三级"),
    "卫生健康行政部门": (3, "卫健部门区域平台通常定为第三级"),
    "村镇银行": (3, "银行核心业务系统通常定为第三级"),
    "高校": (3, "高校门户、一卡通等核心系统通常定为第三级"),
    "职业院校": (2, "职业院校系统多按第二级定级"),
    "中小学": (2, "中小学系统规模小，多按第二级定级"),
    "教育行政部门": (3, "教育管理平台通常定为第三级"),
    "国务院部委": (3, "部委政务系统通常定为第三级及以上"),
    "省级政府": (3, "省级政务系统通常定为第三级"),
    "省级部门": (3, "省级政务系统通常定为第三级"),
    "地市级政府": (3, "地市级政务云、门户等核心系统通常定为第三级"),
    "区县政府": (2, "区县级部门系统多按第二级定级，政务云平台另行定级"),
    "广电": (3, "播出系统通常定为第三级"),
    "物流": (2, "一般物流企业系统多按第二级定级"),
}
MLPS_BY_INDUSTRY: dict[str, tuple[int, str]] = {i.code: i.mlps for i in INDUSTRIES if i.mlps}  # corpus/industries.py
