"""Laws, regulations and rules the corpus cites, with the dates the content rules need.

Two facts matter for checking corpus text: whether an instrument was amended (so an
article number alone is ambiguous: 《网络安全法》第二十一条 is 等级保护 in the 2016 text
and 宣传教育 in the text in force since 2026-01-01), and the date by which it had been
published (so an illustrative case dated earlier cannot cite it). Dates are the
publication (公布) dates where known to the day; where only the month is certain the
last day of that month is used, which errs towards flagging.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from corpus.numerals import CN_NUMERALS


@dataclass(frozen=True)
class Version:
    """One text of an amended instrument, e.g. 2025年修正, in force 2026-01-01."""

    label: str  # how corpus text names it: 2016年版, 2025年修正, 第27号令
    published: dt.date
    in_force: dt.date


@dataclass(frozen=True)
class Instrument:
    name: str  # short name as cited in 《》, without 中华人民共和国
    published: dt.date  # first publication the corpus may rely on (no later than)
    versions: tuple[Version, ...] = field(default_factory=tuple)  # two or more: amended

    @property
    def amended(self) -> bool:
        return len(self.versions) > 1

    def version_for_year(self, year: int) -> Version | None:
        return next((v for v in self.versions if v.published.year == year), None)


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _v(label: str, published: str, in_force: str) -> Version:
    return Version(label, _d(published), _d(in_force))


INSTRUMENTS: tuple[Instrument, ...] = (
    # Amended instruments: every article citation must name the version it means.
    Instrument("网络安全法", _d("2016-11-07"), (
        _v("2016年版", "2016-11-07", "2017-06-01"),
        _v("2025年修正", "2025-10-28", "2026-01-01"),
    )),
    Instrument("商用密码管理条例", _d("1999-10-07"), (
        _v("1999年版", "1999-10-07", "1999-10-07"),
        _v("2023年修订", "2023-04-27", "2023-07-01"),
    )),
    Instrument("网络安全审查办法", _d("2020-04-13"), (
        _v("2020年版", "2020-04-13", "2020-06-01"),
        _v("2021年修订", "2021-12-28", "2022-02-15"),
    )),
    Instrument("计算机信息系统安全保护条例", _d("1994-02-18"), (
        _v("1994年版", "1994-02-18", "1994-02-18"),
        _v("2011年修订", "2011-01-08", "2011-01-08"),
    )),
    Instrument("电子签名法", _d("2004-08-28"), (
        _v("2004年版", "2004-08-28", "2005-04-01"),
        _v("2015年修正", "2015-04-24", "2015-04-24"),
        _v("2019年修正", "2019-04-23", "2019-04-23"),
    )),
    Instrument("计算机信息网络国际联网安全保护管理办法", _d("1997-12-16"), (
        _v("1997年版", "1997-12-16", "1997-12-30"),
        _v("2011年修订", "2011-01-08", "2011-01-08"),
    )),
    Instrument("电力监控系统安全防护规定", _d("2014-08-01"), (
        _v("第14号令", "2014-08-01", "2014-09-01"),
        _v("第27号令", "2024-11-25", "2025-01-01"),
    )),
    Instrument("行政处罚法", _d("1996-03-17"), (
        _v("1996年版", "1996-03-17", "1996-10-01"),
        _v("2021年修订", "2021-01-22", "2021-07-15"),
    )),
    Instrument("证券法", _d("1998-12-29"), (
        _v("1998年版", "1998-12-29", "1999-07-01"),
        _v("2019年修订", "2019-12-28", "2020-03-01"),
    )),
    Instrument("政府采购法", _d("2002-06-29"), (
        _v("2002年版", "2002-06-29", "2003-01-01"),
        _v("2014年修正", "2014-08-31", "2014-08-31"),
    )),
    # Instruments published once (for the case-date rule).
    Instrument("数据安全法", _d("2021-06-10")),
    Instrument("个人信息保护法", _d("2021-08-20")),
    Instrument("关键信息基础设施安全保护条例", _d("2021-07-30")),
    Instrument("密码法", _d("2019-10-26")),
    Instrument("网络数据安全管理条例", _d("2024-09-24")),
    Instrument("反电信网络诈骗法", _d("2022-09-02")),
    Instrument("数据出境安全评估办法", _d("2022-07-07")),
    Instrument("个人信息出境标准合同办法", _d("2023-02-22")),
    Instrument("促进和规范数据跨境流动规定", _d("2024-03-22")),
    Instrument("个人信息出境认证办法", _d("2025-10-14")),
    Instrument("个人信息保护合规审计管理办法", _d("2025-02-14")),
    Instrument("国家网络安全事件报告管理办法", _d("2025-09-30")),
    Instrument("生成式人工智能服务管理暂行办法", _d("2023-07-13")),
    Instrument("人工智能生成合成内容标识办法", _d("2025-03-31")),
    Instrument("人脸识别技术应用安全管理办法", _d("2025-03-31")),
    Instrument("医疗卫生机构网络安全管理办法", _d("2022-08-31")),
    Instrument("银行保险机构数据安全管理办法", _d("2024-12-27")),
    Instrument("工业和信息化领域数据安全管理办法（试行）", _d("2022-12-31")),
    Instrument("工业控制系统网络安全防护指南", _d("2024-01-31")),
    Instrument("证券期货业网络和信息安全管理办法", _d("2023-02-27")),
    Instrument("汽车数据安全管理若干规定（试行）", _d("2021-08-20")),
    Instrument("未成年人网络保护条例", _d("2023-10-24")),
    Instrument("互联网政务应用安全管理规定", _d("2024-05-15")),
    Instrument("数据安全技术 数据分类分级规则", _d("2024-03-15")),
    Instrument("国家网络身份认证公共服务管理办法", _d("2025-05-23")),
    Instrument("政务数据共享条例", _d("2025-05-28")),
    Instrument("中国人民银行业务领域数据安全管理办法", _d("2025-05-07")),
    Instrument("江苏省数据条例", _d("2025-01-22")),
    Instrument("广州市数据条例", _d("2025-01-22")),
)

_BY_NAME = {i.name: i for i in INSTRUMENTS}

# A marker that says which text is meant: 2016年版, 2025年修正, 修正后, 原第二十一条, 第27号令.
VERSION_MARKER = re.compile(
    rf"(?:19|20)\d{{2}}\s*年?\s*(?:版|修正|修订|修改|文本)"
    rf"|修正后|修订后|修正前|修订前|原第[{CN_NUMERALS}]+条|原条号"
    r"|第\d+号令|令第\d+号|\d{4}年\d{1,2}月(?:\d{1,2}日)?起?施行"
)
MARKER_YEAR = re.compile(r"((?:19|20)\d{2})\s*年?\s*(?:版|修正|修订|修改|文本)")


def normalise(name: str) -> str:
    """《中华人民共和国网络安全法》 and 《网络安全法（2025年修正）》 both name 网络安全法."""
    name = name.strip().removeprefix("中华人民共和国")
    return re.sub(r"（(?:\d{4}年[^）]*|\d{4}修正|\d{4}修订)）$", "", name)


def lookup(name: str) -> Instrument | None:
    return _BY_NAME.get(normalise(name))


def named_in(text: str) -> Instrument | None:
    """The instrument a title names, brackets or not (the first named; the longest name on a tie)."""
    found = [(text.find(i.name), -len(i.name), i.name) for i in INSTRUMENTS if i.name in text]
    return _BY_NAME[min(found)[2]] if found else None
