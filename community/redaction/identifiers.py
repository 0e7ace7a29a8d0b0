"""Structured identifiers: phones, 身份证号, 统一社会信用代码, emails, bank cards, licence plates, IPs,
domains and URLs, project and contract numbers.

Patterns run over the folded text (ASCII digits and letters, simplified characters) and tolerate
spaces or hyphens inside numbers (138 0013 8000, 6222 0200 …). Checksummed kinds are kept only
when the check passes, unless a cue names them (身份证号：…, 账号：…): an author's typo must not
leak a number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from community.redaction.checksums import is_valid_id, is_valid_uscc, luhn_ok
from community.redaction.models import FindingKind as K
from community.redaction.spans import Candidate, Context

__all__ = ["KEEP_DOMAINS", "detect_identifiers"]

_NB = r"(?<![0-9A-Za-z])"  # no alphanumeric before
_NA = r"(?![0-9A-Za-z])"  # and none after

MOBILE = re.compile(_NB + r"(?:(?:\+|00)?86[- ]?)?1[3-9]\d(?:[- .]?\d){8}" + _NA)
LANDLINE = re.compile(
    _NB + r"(?:(?:\+|00)?86[- ]?)?(?:\(0\d{2,3}\)|0\d{2,3})[- ]?[2-9]\d{2,3}[- ]?\d{3,4}(?:(?:-|转|ext\.?|分机)\d{1,5})?" + _NA
)
SERVICE = re.compile(_NB + r"[48]00[- ]?\d{3}[- ]?\d{4}" + _NA)
CUED_PHONE = re.compile(r"(?:电话|座机|手机|分机|传真|热线|联系方式|tel|phone|fax)[^0-9\n]{0,4}?(\d{3,4}[- ]?\d{4})" + _NA, re.I)

ID18 = re.compile(_NB + r"\d(?: ?\d){16} ?[\dXx]" + _NA)
CUED_ID = re.compile(r"(?:身份证|证件号|公民身份号码)[^0-9A-Za-z\n]{0,6}?(\d(?: ?\d){16} ?[\dXx])" + _NA)
USCC = re.compile(_NB + r"[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{2}\d{6}[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{10}" + _NA)
CUED_USCC = re.compile(r"(?:信用代码|税号|纳税人识别号|注册号)[^0-9A-Za-z\n]{0,6}?([0-9A-Z]{15,20})" + _NA)
CARD = re.compile(_NB + r"\d{4}(?:[ -]?\d){11,15}" + _NA)
CUED_ACCOUNT = re.compile(r"(?:卡号|账号|帐号|账户|帐户|银行卡|开户行账号)[^0-9\n]{0,8}?(\d(?:[ -]?\d){9,24})" + _NA)

EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+-]*(?:@| ?\(at\) ?| ?\[at\] ?)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}" + _NA)
URL = re.compile(r"(?:https?|ftp)://[^\s<>\"'，。；、）)\]|]+", re.I)
TLDS = (
    "com net org edu gov cn io info biz top xyz cc co me tech site online vip club hk tw mo us uk jp ai app dev cloud "
    "ltd group shop wang ren work mil int local lan corp intra"
).split()
DOMAIN = re.compile(
    r"(?<![0-9A-Za-z@._-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:" + "|".join(TLDS) + r")(?![0-9A-Za-z-]|\.[A-Za-z])",
    re.I,
)
# Public domains a case may cite freely (regulators, standards, vendors' public sites stay readable).
KEEP_DOMAINS = frozenset(
    "gov.cn www.gov.cn cac.gov.cn www.cac.gov.cn mps.gov.cn miit.gov.cn www.miit.gov.cn nhc.gov.cn www.nhc.gov.cn "
    "moe.gov.cn samr.gov.cn openstd.samr.gov.cn std.samr.gov.cn tc260.org.cn www.tc260.org.cn djbh.net www.djbh.net "
    "cnvd.org.cn cnnvd.org.cn cert.org.cn www.cert.org.cn pbc.gov.cn nfra.gov.cn csrc.gov.cn oscca.gov.cn "
    "github.com microsoft.com www.microsoft.com".split()
)
NATIONAL_GOV = ("npc", "mps", "cac", "miit", "nhc", "moe", "samr", "pbc", "nfra", "csrc", "court", "spp", "ndrc", "mof",
                "audit", "nea", "mot", "caac", "nda", "nmpa", "nhsa", "sasac", "mee", "mohurd", "moa", "mofcom", "nrta", "oscca")


def _kept_domain(host: str) -> bool:
    """Regulators' and standards bodies' sites (flk.npc.gov.cn, www.mps.gov.cn) stay; a customer's do not."""
    host = host.lower().removeprefix("www.")
    if host in KEEP_DOMAINS or any(host.endswith("." + d) for d in KEEP_DOMAINS if d.count(".") >= 2 and d != "www.gov.cn"):
        return True
    return any(host == f"{n}.gov.cn" or host.endswith(f".{n}.gov.cn") for n in NATIONAL_GOV)


IPV4 = re.compile(r"(?<![0-9A-Za-z.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:/\d{1,2})?(?![0-9.])")
IPV6 = re.compile(r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{1,4}:){2,7}:?(?:[0-9A-Fa-f]{1,4})?(?:/\d{1,3})?(?![0-9A-Fa-f:])")

PLATE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][·•.\- ]?[A-HJ-NP-Z][·•.\- ]?(?=[A-HJ-NP-Z0-9]{0,5}\d)[A-HJ-NP-Z0-9]{5,6}"
    + _NA
)

_NUMBER_CUE = r"(?:项目|合同|招标|采购|标段|订单|工单|批复|立项|备案|备案证明|测评报告|中标|投标|询价|审批|协议|发票|文件|报告|申请|案件|流水)"
CUED_NUMBER = re.compile(
    r"(?:" + _NUMBER_CUE + r"(?:编号|编码|代码|号码|单号|号|No\.?|NO\.?|ID)|编号|编码)\s*[:：#|]?\s*([A-Za-z0-9][A-Za-z0-9\-_/.()〔〕\[\]]{3,40})", re.I
)
CODE = re.compile(r"(?<![0-9A-Za-z/-])[A-Z]{2,8}(?:[-_][A-Z0-9]{1,12}){2,5}" + _NA)
LETTERS_DIGITS = re.compile(r"(?<![0-9A-Za-z/-])[A-Z]{2,6}\d{6,14}" + _NA)
PUBLIC_CODE_PREFIXES = ("CVE", "CNVD", "CNNVD", "CWE", "RFC", "ISO", "IEC", "GB", "GBT", "JR", "YD", "GA", "WS",
                        "SJ", "GM", "GMT", "TC", "CNAS", "CCRC", "CISP", "NIST", "SP", "PCI", "CIS", "OWASP", "ATT", "MITRE",
                        "TLS", "SSL", "UTF", "HTTP", "SHA", "AES", "RSA", "SM")  # fmt: skip
_YEARISH = re.compile(r"(?:19|20)\d{2}|\d{5,}")


def _digits(s: str) -> str:
    return re.sub(r"[^0-9Xx]", "", s).upper()


def _phones(f: str) -> Iterator[Candidate]:
    for pattern in (MOBILE, LANDLINE, SERVICE):
        for m in pattern.finditer(f):
            digits = _digits(m.group())
            if pattern is LANDLINE and not 10 <= len(digits.removeprefix("86")) <= 17:
                continue
            yield Candidate(m.start(), m.end(), K.phone, key=digits[-11:])
    for m in CUED_PHONE.finditer(f):
        yield Candidate(m.start(1), m.end(1), K.phone, key=_digits(m.group(1)), priority=86)


def _ids_and_codes(f: str) -> Iterator[Candidate]:
    for m in ID18.finditer(f):
        value = _digits(m.group())
        if is_valid_id(value):
            yield Candidate(m.start(), m.end(), K.id_card, key=value)
    for m in CUED_ID.finditer(f):
        yield Candidate(m.start(1), m.end(1), K.id_card, key=m.group(1).upper(), priority=89)
    for m in USCC.finditer(f):
        value = m.group().upper()
        if is_valid_uscc(value) and not is_valid_id(value):
            yield Candidate(m.start(), m.end(), K.credit_code, key=value)
    for m in CUED_USCC.finditer(f):
        yield Candidate(m.start(1), m.end(1), K.credit_code, key=m.group(1), priority=89)


def _cards(f: str) -> Iterator[Candidate]:
    for m in CARD.finditer(f):
        digits = _digits(m.group())
        if 16 <= len(digits) <= 19 and luhn_ok(digits) and not is_valid_id(digits):
            yield Candidate(m.start(), m.end(), K.bank_card, key=digits)
    for m in CUED_ACCOUNT.finditer(f):
        yield Candidate(m.start(1), m.end(1), K.bank_card, key=_digits(m.group(1)), priority=87)


def _network(f: str) -> Iterator[Candidate]:
    for m in EMAIL.finditer(f):
        yield Candidate(m.start(), m.end(), K.email, key=m.group().lower())
    for m in URL.finditer(f):
        host = re.sub(r"^[a-z]+://", "", m.group().lower()).split("/")[0].split(":")[0]
        if not _kept_domain(host):
            yield Candidate(m.start(), m.end(), K.domain, key=host.removeprefix("www."))
    for m in DOMAIN.finditer(f):
        name = m.group().lower()
        if _kept_domain(name) or not re.search("[a-z]", m.group()):  # ASP.NET, VB.NET: not hosts
            continue
        yield Candidate(m.start(), m.end(), K.domain, key=name.removeprefix("www."))
    for m in IPV4.finditer(f):
        if m.start() > 0 and f[m.start() - 1] in "vV":
            continue
        yield Candidate(m.start(), m.end(), K.ip, key=m.group())
    for m in IPV6.finditer(f):
        if "::" in m.group() or m.group().count(":") >= 7:
            yield Candidate(m.start(), m.end(), K.ip, key=m.group().lower())


def _plates(f: str) -> Iterator[Candidate]:
    for m in PLATE.finditer(f):
        yield Candidate(m.start(), m.end(), K.plate, key=re.sub(r"[·•.\- ]", "", m.group()))


def _numbers(f: str) -> Iterator[Candidate]:
    for m in CUED_NUMBER.finditer(f):
        value = m.group(1).rstrip(".)(")
        if any(c.isdigit() for c in value):
            yield Candidate(m.start(1), m.start(1) + len(value), K.project_no, key=value.upper())
    for pattern in (CODE, LETTERS_DIGITS):
        for m in pattern.finditer(f):
            value = m.group()
            prefix = re.match(r"[A-Z]+", value).group()  # type: ignore[union-attr]
            if prefix.startswith(PUBLIC_CODE_PREFIXES) or not _YEARISH.search(value):
                continue
            yield Candidate(m.start(), m.end(), K.project_no, key=value, priority=80)


def detect_identifiers(ctx: Context) -> list[Candidate]:
    f = ctx.folded
    out: list[Candidate] = []
    for detector in (_phones, _ids_and_codes, _cards, _network, _plates, _numbers):
        out.extend(detector(f))
    return out
