"""Word lists of the intent router (assistant/intents.py): what partners type, in Chinese and English.

Only generic words live here, never particular organisations or test phrases; each list is what a
phrase *of that kind* contains, so the router generalises to messages nobody has seen.
"""

from __future__ import annotations

import re

from corpus.industries import INDUSTRIES

# -- small talk: the whole message is made of these (after punctuation and particles are removed) -----
GREETINGS = frozenset(
    "你好 您好 你们好 大家好 嗨 哈喽 哈罗 嘿 早 早上好 上午好 中午好 下午好 晚上好 早安 晚安 在吗 在不在 在么 有人吗 有人在吗 "
    "你好呀 您好呀 你在吗 老师好 你号 您号 泥嚎 你嚎 哈喽 哈啰 nihao hello hi hey hiya yo morning afternoon evening hallo halo "
    "helo hellow hullo greetings "
    "你是谁 你是什么 你能做什么 你会什么 你可以做什么 你能干什么 你可以干嘛 你能帮我什么 你能帮我做什么 怎么用 如何使用 "
    "有什么功能 介绍一下你自己 自我介绍 帮助 help 使用说明".split()
)
THANKS = frozenset(
    "谢谢 谢谢你 谢谢您 谢谢啦 谢啦 谢了 多谢 多谢了 感谢 非常感谢 十分感谢 太感谢了 感谢感谢 谢谢谢谢 多谢多谢 辛苦了 辛苦 "
    "蟹蟹 写写 谢些 3q 3x thx thanks thank thankyou thanks! tks ty tnx thanx thnx cheers "
    "好的 好滴 好嘞 好 行 可以 ok okay okk okey 嗯 嗯嗯 哦 哦哦 收到 明白 明白了 了解 了解了 知道了 懂了 清楚了 没问题 "
    "好的谢谢 ok谢谢 棒 很好 太好了 不错 great nice cool got it noted 再见 拜拜 bye goodbye 回头见 先这样".split()
)
NEUTRAL_WORDS = frozenset("there you u ya so much very all guys again a lot everyone good 你 您 大家 请问 问一下".split())
SOCIAL_FILLERS = re.compile(r"[~～!！。.,，?？…、\s]+|[\U0001F300-\U0001FAFF\u2600-\u27BF]+")
SOCIAL_PARTICLES = "啊呀呢吧哈嘛哦噢啦了喔么"

# -- drafting: a verb (or "how to write") and the kind of document -----------------------------------
DRAFT_VERB = re.compile(
    r"写|起草|拟|草拟|撰写|生成|准备|出一?[份封个篇]|做一?[份封个篇]|给我一?[份封个篇]|来一?[份封个篇]|整理|模板|范文|样稿|草稿"
    r"|draft|write|prepare|compose|template",
    re.I,
)
DRAFT_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("agenda", re.compile(r"议程|会议安排|会议流程|日程安排|拜访安排|拜访计划|拜访流程|agenda|meeting plan", re.I)),
    ("email", re.compile(r"邮件|电邮|e-?mail|\bmail\b|拜访函|邀请函|信函|一封信|短信|微信消息", re.I)),
    ("outline", re.compile(r"提纲|大纲|建议书|方案书|方案框架|方案草稿|解决方案建议|proposal|outline|汇报材料|ppt|写[个一份]*方案", re.I)),
)

# -- comparison: a marker and two sides ----------------------------------------------------------------
COMPARE_MARK = re.compile(
    r"有什么区别|有何区别|的区别|区别是|区别在|什么区别|哪些区别|有什么不同|有何不同|什么不同|的不同|不同点|差别|差异|异同|对比|比较(?![多少好大小高低常快慢贵合适适合常见普遍重要])|相比|"
    r"哪个好|哪个更|哪一个更|哪种更|哪个适合|优劣|\bvs\.?\b|\bversus\b|difference|differ|compare|comparison|better",
    re.I,
)
COMPARE_JOIN = re.compile(r"\s*(?:和|与|跟|同|及|以及|还是|对比|相比|比|\bvs\.?|\bversus|\band|\bor|、|/)\s*", re.I)

# -- cases, recommendation, budget and timeline ----------------------------------------------------------
CASES = re.compile(
    r"案例|案列|case|成功经验|参考项目|标杆|样板|落地经验|实践经验|类似的?项目|客户实践|example projects?|references?\b|success stor|"
    r"(?:类似|同类|其他|别的|同行|别人|友商|兄弟单位)[^，。？?]{0,8}(?:怎么|如何|是怎么|是如何)(?:做|建|搞)|"
    r"(?:类似|同类|其他|别的|同行|别人|兄弟单位)[^，。？?]{0,8}(?:做过|上过|用过|落地|建过)|做过(?:类似|哪些|什么)|有没有做过",
    re.I,
)
RECOMMEND = re.compile(
    r"推荐|推介|哪家|哪几家|厂商|厂家|供应商|品牌|选哪|买哪|用哪|哪款|选型|"
    r"哪个产品|什么产品|哪些产品|产品有哪些|vendor|brand|which product|which supplier|recommend|suggest a|supplier",
    re.I,
)
BUDGET = re.compile(
    r"预算|多少钱|费用|花费|花多少|价格|报价|价位|成本|投入多少|投资多少|要多少钱|经费|资金|budget|cost|price|pricing|how much|expensive",
    re.I,
)
TIMELINE = re.compile(
    r"采购周期|预算周期|立项|招标|采购时间|什么时候(?:采购|招标|立项|做预算|报预算|编预算|启动|上线|买)|何时(?:采购|招标|立项|启动)|"
    r"时间表|时间节点|采购节奏|工期|建设周期|实施周期|项目周期|多久能|多长时间能|要多久(?:才能)?(?:完成|上线|落地|建成|交付)|"
    r"timeline|schedule|when .{0,20}(?:buy|purchase|budget|tender)",
    re.I,
)
FACT_VERBS = re.compile(r"报告|留存|保存|保留|备案|通报|罚|处罚|测评一次|评估一次|审计一次|整改期限|时限")

# -- needs of a known customer ----------------------------------------------------------------------
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "it": ("IT建设", "IT需求", "IT方面", "IT", "信息化", "基础设施", "机房", "云平台", "infrastructure"),
    "network_security": ("网络安全", "网安", "等保", "安全建设", "network security", "cybersecurity", "cyber security"),
    "data_security": ("数据安全", "数据保护", "个人信息", "隐私", "data security", "data protection", "privacy"),
    "business": ("业务发展", "业务需求", "数字化转型", "业务方面", "business", "digital transformation"),
}
ASKS_FOR_NEEDS = re.compile(
    r"需求|需要什么|需要哪些|要什么|推什么|卖什么|做什么|机会|商机|重点|关注|痛点|方案|适合|what (?:do|does|would) they need|"
    r"what about|how about|needs?\b|opportunit",
    re.I,
)
FOLLOW_UP = re.compile(r"^(?:那|那么|还有|另外|再说说|再看看|说说|讲讲|看看|and|what about|how about)|呢[？?]?$|方面[？?]?$|这块|这一块", re.I)

# -- questions ---------------------------------------------------------------------------------------
QUESTION = re.compile(
    r"[？?]|什么|哪些|哪个|哪里|如何|怎么|怎样|是否|为什么|为何|多少|多久|多长|几[个次年天级类种]|能否|可否|有没有|要不要|需不需要|"
    r"是不是|吗$|么$|呢$|区别|\b(?:what|which|how|why|when|where|who|is|are|do|does|can|should|must)\b",
    re.I,
)

# -- telling the assistant about the customer (a clarification) ---------------------------------------
DESCRIBES = re.compile(
    r"^(?:它|他们|她们|这家|该单位|该客户|这个客户|客户|这是|那是|是|属于|算是|位于|在|总部在|地处|来自|做|搞|不是)|是一家|是个|是一所|"
    r"属于|位于|总部|地处|坐落|^it(?:'s| is)\b|^they(?:'re| are)\b|^(?:a|an) \w+|located|based in|headquartered",
    re.I,
)
NEGATED = re.compile(r"(?:不是|并非|不属于|不算|not|isn't|aren't)\s*$", re.I)
SIZE = re.compile(
    r"特大型|超大型|大型|中大型|中型|中小型|小型|小微|"
    r"(?:约|大约|大概|近|超过|逾)?(?:\d+|[一二三四五六七八九十百千万两几]+)\s*(?:多|余)?\s*(?:人|名员工|个员工|名职工|张床位?|床|家分[支行]|个网点|家门店|所学校|名学生)|"
    r"上市公司|央企|国企|省属|市属|民营|民企|私企|外企|合资|世界500强|500强|"
    r"\b(?:large|medium|small|big)\b|\d+\s*(?:employees|staff|beds)",
    re.I,
)
# Words that name an industry when a user describes a customer; name_rules adds the organisation words.
INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {i.code: i.user_words for i in INDUSTRIES}  # corpus/industries.py
# Segments a user may name (the profiler's segment names, see name_rules.SEGMENTS).
SEGMENT_WORDS: dict[str, tuple[str, ...]] = {
    "三级医院": ("三甲", "三级医院", "三级甲等", "三乙", "大型公立医院", "grade a tertiary"),
    "二级医院": ("二甲", "二级医院", "县医院", "县级医院", "县人民医院"),
    "基层医疗机构": ("卫生院", "社区卫生", "基层医疗", "诊所"),
    "城商行": ("城商行", "城市商业银行", "city commercial bank"),
    "农商行/农信社": ("农商行", "农商银行", "农村商业银行", "农信社", "信用社", "rural commercial bank"),
    "村镇银行": ("村镇银行",),
    "证券公司": ("券商", "证券公司"),
    "保险公司": ("保险公司",),
    "高校": ("高校", "大学", "本科院校", "university"),
    "中小学": ("中小学", "中学", "小学", "K12"),
    "职业院校": ("职业院校", "职校", "高职", "中职", "技校"),
    "汽车制造": ("汽车制造", "车企", "新能源汽车", "整车", "汽车"),
    "电子/半导体": ("半导体", "芯片", "集成电路", "电子制造"),
    "制药": ("制药", "药企", "生物医药"),
}

# -- names: what to strip around an organisation name --------------------------------------------------
NAME_LEAD = re.compile(
    r"^(?:那|那么|还有|再)(?=\S{3,})|^(?:请|麻烦)?(?:帮我|帮忙|给我|替我)?(?:分析|看看|看一下|查查|查一下|查询|了解|研究|介绍|说说|讲讲|梳理)(?:一下|下)?|"
    r"^(?:我有个|我有一个|有个|新)?客户(?:是|叫|名称是|名字是)?[：:]?|^(?:我|我们)(?:明天|下周|今天|准备|要|想|打算)?(?:去)?(?:拜访|见|跑)|"
    r"^(?:换个|换一个|再看|再来)(?:客户)?[：:]?|^(?:brief|analy[sz]e|profile|customer)[:：]?\s*(?:for|of)?\s*",
    re.I,
)
NAME_TAIL = re.compile(
    r"(?:的|有|会有|可能有|可能)?(?:什么|哪些)?(?:需求|需要|会买|能卖|适合推|情况|画像|简报|分析)"
    r"(?:是什么|有哪些|有什么|是啥|什么|哪些|呢)?[？?。！!]*$|(?:怎么样|如何|呢)[？?。！!]*$|[？?。！!]+$",
)
# Modifiers that make "三级医院", "城商行" or "这家医院" a kind of organisation, not a name.
GENERIC_PREFIX = re.compile(
    r"^(?:[一二三]级|[二三][甲乙]|县级|市级|省级|区级|公立|民营|私立|大型|中型|小型|中小|基层|综合|专科|地方|国有|股份制|外资|"
    r"商业|本地|这家|那家|这个|那个|这所|那所|该|某|一家|一所|各|所有|各级|全国|普通|重点|高等|职业|我们|他们|我的|部分|头部|城市|农村|"
    r"传统|新型|大|小|的)*$"
)
# Where a name may start inside a clause ("帮我给|临江县人民医院"), and what a name does not start with.
NAME_STARTS = re.compile(r"给|对于|对|跟|和|与|帮我|帮|为|替|是|去|拜访|关于|针对|分析|看看|向|把|在|了|问|说|聊|讲|见|找|那个|这个|那家|这家|叫")
NOT_A_NAME_START = re.compile(r"给|对|跟|和|与|帮|为|替|是|去|拜访|关于|针对|分析|看|向|把|在|了|问|说|聊|讲|见|找|那|这|我|你|请|麻烦|叫|有个")
ORG_REST = re.compile(r"(?:[（(][^）)]{1,12}[）)])?(?:(?:股份)?有限(?:责任)?公司|分行|支行|分院|院区|[东西南北]院|总院|分公司|集团|分部)?")
ORG_TAIL = re.compile(r"(?:有限公司|股份有限公司|集团|公司|有限责任公司|股份|科技|控股)$")
