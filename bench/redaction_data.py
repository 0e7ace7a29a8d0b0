"""A labelled set of partner case write-ups with planted identifiers, for the redaction benchmark.

Texts come from hand-written templates (bench/redaction_templates.py: narratives, lists, Markdown
tables, minutes, e-mails, interviews; a few written in traditional characters), filled with
generated values: names from surname and given-name pools, organisations from places, 字号 and
trade words, identifiers with valid check characters (GB 11643, GB 32100, Luhn). Every planted
value is a label (kind, surface). Some cases are then rendered in traditional characters or with
full-width digits and letters, the labels with them.

Deterministic: `build_cases(seed)` returns the same set for the same seed.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from assistant.gazetteer import default_gazetteer
from bench.redaction_templates import TEMPLATES
from community.redaction.checksums import make_card, make_id, make_uscc

__all__ = ["DOMAIN_TERMS", "Case", "build_cases"]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤常温康施牛樊葛邢齐易乔庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解艾尤阳"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉林建国文斌宇浩凯颖琳晨欣怡婷雪梅志海波峰亮成龙飞雷宏达俊子涵思远晓东燕青嘉鑫博文彬瑞佳琪璐薇露旭阳振宁德福永康春生军民立新惠珍淑慧晶晶家豪梓轩雨彤若溪一鸣天翼泽宇"
BRAND = "明远华睿恒信博智联云帆天择中拓汇安泰鼎新瑞达凯锐思启航卓嘉诚宏图海纳金盾众合正元晟昊睿通泓泽沐川汉唐易捷星辰宸宇峻岭格致弘毅蓝鲸数策"
TRADES = ("信息技术", "网络科技", "科技", "软件", "数据科技", "智能科技", "电子", "系统集成", "信息科技")
FORMS = ("有限公司", "股份有限公司", "有限责任公司")
NUMERALS = "一二三四五六七八"
ROADS = ("文三路", "学院路", "解放大道", "人民中路", "科技大道", "建设北路", "长江路", "中山东路", "高新四道", "创业大街", "滨江大道")
BUILDINGS = ("软件园", "大厦", "科技园", "产业园", "广场", "创新园")
DOMAIN_TERMS = tuple(
    (
        "等保三级 等保2.0 等级保护 防火墙 数据分类分级 零信任 态势感知 堡垒机 日志审计 数据库审计 入侵检测 WAF 终端安全 EDR "
        "漏洞扫描 渗透测试 安全运营中心 SOC 密评 商用密码 国密 SM4 数据脱敏 数据防泄漏 DLP 容灾备份 网络安全法 数据安全法 "
        "个人信息保护法 关键信息基础设施 HIS PACS LIS 电子病历 互联网医院 核心系统 信创 上网行为管理 VPN SD-WAN 安全网关 "
        "威胁情报 蜜罐 攻防演练 护网 应急响应 安全加固 多因素认证 统一身份认证 微隔离 主机安全 容器安全 API安全 隐私计算 "
        "GB/T 22239-2019 数据出境 风险评估 等保测评 测评机构 网信办 公安部 奇安信 深信服 启明星辰 天融信 绿盟科技 安恒信息 "
        "华为 新华三 三甲医院 城商行 农商行 高校 智慧校园 一网通办 政务云 大数据局 信息中心 信息科 核心交换机 双活数据中心"
    ).split()
)


@dataclass
class Case:
    id: str
    template: int
    style: str  # plain, traditional, fullwidth
    text: str
    customer: str
    aliases: list[str]  # what the author lists up front (empty: rely on the name alone)
    labels: list[tuple[str, str]] = field(default_factory=list)  # (kind, surface as it appears in text)


def _cities() -> list[tuple[str, str, str]]:
    """(province, city full name, city short name) for prefecture-level cities with a plain 市 name."""
    g = default_gazetteer()
    out = []
    for short, places in g.short.items():
        p = places[0]
        if len(places) == 1 and p.city and p.city.endswith("市") and not p.district and p.city != p.province:
            out.append((p.province, p.city, short))
    return sorted(out)


class Filler:
    def __init__(self, rng: random.Random, kind: str) -> None:
        self.rng = rng
        self.kind = kind
        self.province, self.city, self.city_short = rng.choice(_cities())
        self.values: dict[str, tuple[str, str]] = {}  # slot -> (kind, surface)
        self.customer, self.alias = self._customer()

    # -- names ------------------------------------------------------------------------------------
    def person(self) -> str:
        r = self.rng
        while True:
            name = r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2, 2))))
            if name not in {v[1] for v in self.values.values()}:
                return name

    def brand(self) -> str:
        return "".join(self.rng.sample(BRAND, 2))

    def company(self) -> tuple[str, str]:
        r = self.rng
        brand = self.brand()
        _, city, short = r.choice(_cities())
        trade = r.choice(TRADES)
        full = f"{r.choice((short, city, ''))}{brand}{trade}{r.choice(FORMS)}"
        return full, brand + r.choice(("科技", "公司", "信息"))

    def _customer(self) -> tuple[str, str]:
        r, c, s = self.rng, self.city, self.city_short
        n = r.choice(NUMERALS[:4])
        if self.kind == "hospital":
            return r.choice([
                (f"{c}第{n}人民医院", f"市{n}院"), (f"{c}中医院", "市中医院"), (f"{self.province}人民医院", "省人医"),
                (f"{s}医学院附属第{n}医院", f"{s[0]}医附{n}"), (f"{c}妇幼保健院", f"{s}妇幼"),
                (f"{c}中心医院", f"{s}中心医院"),
            ])  # fmt: skip
        if self.kind == "bank":
            return r.choice([(f"{s}农村商业银行股份有限公司", f"{s}农商行"), (f"{s}银行股份有限公司", f"{s}银行"),
                             (f"{c}{self.brand()}村镇银行", f"{s}村镇银行")])
        if self.kind == "school":
            return r.choice([(f"{s}职业技术学院", f"{s}职院"), (f"{s}理工大学", f"{s}理工"), (f"{c}第{n}中学", f"{s}{n}中"),
                             (f"{s}师范学院", f"{s}师院")])
        if self.kind == "gov":
            return r.choice([(f"{c}大数据发展管理局", f"{s}大数据局"), (f"{c}人民政府办公室", f"{s}市府办"),
                             (f"{c}{r.choice(('西湖', '城关', '新华', '长安'))}区人民政府", "区政府")])
        full, short = self.company()
        return full, short

    # -- identifiers ------------------------------------------------------------------------------
    def mobile(self) -> str:
        r = self.rng
        d = r.choice("3456789") + "".join(r.choice("0123456789") for _ in range(9))
        num = "1" + d
        return r.choice([num, f"{num[:3]} {num[3:7]} {num[7:]}", f"{num[:3]}-{num[3:7]}-{num[7:]}", f"+86 {num}"])

    def landline(self) -> str:
        r = self.rng
        area = r.choice(("010", "021", "0571", "025", "020", "0755", "028", "027", "0532", "0731"))
        local = r.choice("2345678") + "".join(r.choice("0123456789") for _ in range(7 if len(area) == 3 else r.choice((6, 7))))
        return r.choice([f"{area}-{local}", f"({area}){local}", f"{area} {local[:4]} {local[4:]}", f"{area}-{local}-8{r.randrange(10, 99)}"])

    def email(self, person: str | None = None) -> str:
        r = self.rng
        user = r.choice(("zhang.wei", "liming", "wangq", "it-admin", "xxk", "chenhao88", "security", "lily.sun", "jsb", "netops"))
        dom = r.choice(("163.com", "qq.com", "126.com", f"{self.brand_latin()}.com.cn", f"{self.brand_latin()}.edu.cn",
                        f"{self.brand_latin()}.cn", f"mail.{self.brand_latin()}.gov.cn"))
        return f"{user}{r.randrange(1, 99) if r.random() < 0.3 else ''}@{dom}"

    def brand_latin(self) -> str:
        r = self.rng
        return "".join(r.choice("abcdefghjklmnpqrstwxyz") for _ in range(r.choice((3, 4, 5))))

    def plate(self) -> str:
        r = self.rng
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        tail = "".join(r.choice(letters + "0123456789") for _ in range(4)) + r.choice("0123456789")
        return r.choice("京津沪渝冀豫云辽黑湘皖鲁苏浙赣鄂桂甘晋陕吉闽贵粤川") + r.choice(letters) + tail

    def ip(self) -> str:
        r = self.rng
        return r.choice([f"10.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}",
                         f"172.{r.randrange(16, 32)}.{r.randrange(256)}.{r.randrange(1, 255)}",
                         f"{r.randrange(58, 223)}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}",
                         f"192.168.{r.randrange(256)}.0/24"])

    def address(self) -> str:
        r = self.rng
        return (f"{r.choice(ROADS)}{r.randrange(1, 2000)}号" + r.choice(["", f"{self.brand()}{r.choice(BUILDINGS)}"])
                + r.choice(["", f"{r.randrange(1, 12)}号楼{r.randrange(1, 20)}层", f"{r.choice('ABC')}座{r.randrange(101, 2300)}室"]))

    def project_no(self) -> str:
        r = self.rng
        letters = "".join(r.choice("ABCDEFGHJKLMNPQRSTWXYZ") for _ in range(r.choice((2, 3, 4))))
        year = r.randrange(2019, 2026)
        return r.choice([f"{letters}-{year}-{r.randrange(1, 999):03d}", f"{letters}{year}{r.randrange(1, 9999):04d}",
                         f"{letters}-{letters[:2]}-{year}{r.randrange(10, 99)}", f"{letters}({year}){r.randrange(1, 300)}号"])

    def amount(self) -> str:
        r = self.rng
        v = r.choice((8.5, 36, 58.8, 96, 128.5, 245, 380, 650, 1200, 3500))
        return r.choice([f"{v}万元", f"{v}万", f"¥{int(v * 10000):,}", f"{int(v * 10000)}元", f"人民币{v}万元"])

    def date(self) -> str:
        r = self.rng
        y, m, d = r.randrange(2019, 2026), r.randrange(1, 13), r.randrange(1, 29)
        return r.choice([f"{y}年{m}月{d}日", f"{y}-{m:02d}-{d:02d}", f"{y}/{m}/{d}", f"{y}年{m}月", f"{y}.{m:02d}.{d:02d}"])

    def fill(self, slot: str, arg: str | None) -> str:
        if slot in self.values and not arg:
            return self.values[slot][1]
        r = self.rng
        base = re.sub(r"\d+$", "", slot)
        kind, value = {
            "C": lambda: ("customer", self.customer),
            "CA": lambda: ("customer", self.alias),
            "O": lambda: ("org", self.company()[0]),
            "OS": lambda: ("org", self.company()[1]),
            "P": lambda: ("person", self.person()),
            "M": lambda: ("phone", self.mobile()),
            "T": lambda: ("phone", self.landline()),
            "H": lambda: ("phone", f"400-{r.randrange(100, 999)}-{r.randrange(1000, 9999)}"),
            "ID": lambda: ("id_card", make_id(r)),
            "USCC": lambda: ("credit_code", make_uscc(r)),
            "MAIL": lambda: ("email", self.email()),
            "CARD": lambda: ("bank_card", r.choice([lambda c: c, lambda c: " ".join(c[i:i + 4] for i in range(0, len(c), 4))])(make_card(r))),
            "PLATE": lambda: ("plate", self.plate()),
            "IP": lambda: ("ip", self.ip()),
            "DOM": lambda: ("domain", f"{r.choice(('www', 'vpn', 'oa', 'his', 'mail'))}.{self.brand_latin()}.{r.choice(('com', 'cn', 'com.cn', 'gov.cn', 'edu.cn'))}"),
            "URL": lambda: ("domain", f"https://{r.choice(('oa', 'portal', 'zw'))}.{self.brand_latin()}.cn/{r.choice(('login', 'index.html', 'api/v1'))}"),
            "ADDR": lambda: ("address", self.address()),
            "PNO": lambda: ("project_no", self.project_no()),
            "AMT": lambda: ("amount", self.amount()),
            "D": lambda: ("date", self.date()),
            "BEDS": lambda: ("beds", str(r.choice((320, 680, 860, 1200, 1500, 2300, 3100)))),
            "STAFF": lambda: ("headcount", str(r.choice((85, 260, 780, 1450, 2600, 4200, 12000)))),
            "CITY": lambda: ("place", r.choice((self.city, self.city_short))),
            "PN": lambda: ("person", f"{r.choice(('Zhang', 'Wang', 'Li', 'Chen', 'Liu', 'Zhao'))} {r.choice(('Wei', 'Ming', 'Hao', 'Lei', 'Jing', 'Xiaoming'))}"),
        }[base]()
        if base == "P" and arg:  # {P1:主任}: the surname and a title, for the person in slot P1
            full = self.fill(slot, None)
            self.values.setdefault(slot, ("person", full))
            surface = full[0] + arg
            self.values[f"{slot}:{arg}"] = ("person", surface)
            return surface
        self.values[slot] = (kind, value)
        return value


SLOT = re.compile(r"\{([A-Z]+\d*)(?::([^}]*))?\}")


def _s2t() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in (Path(__file__).with_name("s2t.txt")).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            simp, trad = line.split("\t")
            table[simp] = trad
    return table


# Appended to every third case: the identifiers partners paste from invoices, contracts and contact sheets.
APPENDICES = (
    "\n附：经办人{P9}，身份证号 {ID}，联系电话 {M9}。\n",
    "\n开票信息：{O9}，统一社会信用代码：{USCC}，开户行账号：{CARD}。\n",
    "\n备注：客户对接邮箱 {MAIL9}，备用电话 {T9}。\n",
    "\n- 乙方：{O9}（信用代码 {USCC}）\n- 收款卡号：{CARD}\n- 联系人：{P9}，{M9}\n",
    "\n（内部）{P9}的身份证：{ID}；车辆：{PLATE}。\n",
)


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and (c.isalnum() or c in "@.-") else c for c in text)


def _fill(filler: Filler, m: re.Match[str]) -> str:
    return filler.fill(m.group(1), m.group(2))


def build_cases(seed: int = 20261204, n: int = 180) -> list[Case]:
    rng = random.Random(seed)
    trad = _s2t()
    cases: list[Case] = []
    for i in range(n):
        t = i % len(TEMPLATES)
        kind, template = TEMPLATES[t]
        filler = Filler(rng, kind)
        if i % 3 == 0:
            template += APPENDICES[(i // 3) % len(APPENDICES)]
        text = SLOT.sub(partial(_fill, filler), template)
        labels = sorted(set(filler.values.values()))
        style = "plain"
        if i % 6 == 2:
            style = "traditional"
        elif i % 6 == 4:
            style = "fullwidth"
        if style == "traditional":
            convert = lambda s: "".join(trad.get(c, c) for c in s)  # noqa: E731
        elif style == "fullwidth":
            convert = _fullwidth
        else:
            convert = lambda s: s  # noqa: E731
        aliases = [filler.alias] if i % 2 == 0 else []
        cases.append(Case(
            id=f"case-{i:03d}", template=t, style=style, text=convert(text), customer=convert(filler.customer),
            aliases=[convert(a) for a in aliases], labels=[(k, convert(v)) for k, v in labels],
        ))  # fmt: skip
    return cases
