"""Word lists the detectors share. Generic words only: never a particular customer or person.

The keep-lists name security vendors and regulators, which a case may mention freely: they say
what was bought and which rule applied, not who the customer is.
"""

from __future__ import annotations

from corpus import named_bodies

__all__ = [
    "COMPOUND_SURNAMES",
    "DOMAIN_WORDS",
    "FUNCTION_CHARS",
    "GENERIC_MODIFIERS",
    "GIVEN_CHARS",
    "KEEP_ORGS",
    "NOT_GIVEN",
    "PERSON_AFTER",
    "ROLE_BEFORE",
    "SURNAMES",
    "TITLES",
]

# ~400 single-character surnames (common ones first) and the compound ones still in use.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪"
    "范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞"
    "颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲"
    "房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙"
    "荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权"
    "强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭况那宿鲜印逯"
    "隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由洪凤钮荀宦税淦"
)
# Characters that are surnames but far more often words of a sentence (都熟, 由此, 信息, 全面): not read as names.
SURNAMES = SURNAMES - frozenset("都但由於来相时和国全公元信初门位区那宿印战危银智幸植富闭干斯展阴衣束居揭利权花普鲜隆亢敬玉云师农商项修容哈支计索解应边沙查封薄储宣")
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 令狐 慕容 夏侯 公孙 尉迟 长孙 宇文 司徒 澹台 端木 独孤 南宫 西门 百里 呼延 "
    "轩辕 钟离 闻人 赫连 申屠 太史 万俟 仲孙 濮阳 淳于 单于 第五".split()
)

# Characters that (almost) never occur in a given name but often follow a surname-like character.
NOT_GIVEN = frozenset(
    "的了是在和与及等说也都就对把被给让向从到为以于而但或将要会能可这那其该各每某们个位名所处科部局院市省县区室组队总"
    "副经理长工任员面次年月号人讲表提出认负责牵带协调参加反馈确介绍排签拍沟联系接收发送询问答复同事领导主管老师先女士姐"
    "哥楼层室座幢栋期届批次级类型款版去到说看找做用已未不没很更最还又再才并且因此即由着过得地之乎吗呢吧啊哦嘛啦呀您你我他她它第些里外内上下前后左右间"
    "：:，,。.；;、！!？?（）()「」『』“”\"' \n\t0123456789"
)

# Characters common in given names. A name found on weak evidence alone (jieba's tag, a list item, 和/由 before
# it) must be made of these; with a title or a role word (张伟主任, 联系人：王小明) any plausible character will do.
GIVEN_CHARS = frozenset(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉林建国文斌宇浩凯颖琳晨欣怡婷雪梅志海波峰亮成龙飞雷"
    "宏达俊子涵思远晓东燕青嘉鑫博彬瑞佳琪璐薇露旭阳振宁德福永康春生民立新惠珍淑慧晶家豪梓轩雨彤若溪一鸣天翼泽丹玲莉倩"
    "蓉秋月冬夏荣贵富金银宝珠翠凤鹤松柏竹兵武亚光安庆喜乐和顺祥吉利发财胜忠信义仁礼智贤良孝才学章书诗琴棋墨韵雅美娇媛"
    "妍婉嫣娅姗姝婕妮娥琼瑶瑾璇珊琦瑜璋琛琨瑛琰珏玥钰铭锋锐钢铁森楠桐栋梁柱树枫桦榕杉杨柳荷莲菊芝芬芸苗茜莹萌蕾蓓菲"
    "萱茹蓝紫彩朝晖曦昊昕昱晟暄景晴昭炜烨煜炎焱灿熙然燃涛淼润泉源清洁淳渊鸿沛汉江河湖洪洲沙滨澄澜潇溢涌漫深川山岩峻"
    "岭嵩岚崇嵘坤培均垚城庭廷庄彦彪影征微心怀恒恩悦愉慈憬戈捷斐斯方昌星映昆昶晋晗普暖曜有朋朗望木本果柯栩格桥梦楚"
    "榆欢歆正毅治泰洛浦添渝湘滢灵炳烁爱特犇玮甜田畅益盛真睿知石硕祥祺禄禾秉程穗童笑笛筠素纯绍维缘罡群羽翔翰耀聪胤"
    "腾舒航艺芊芮苒茂茗荔莎菁蔚蕊虹蛟衡襄言誉诚语谦贝贞贺赛越跃迪迎进逸道郁醇鉴锦镇长闻阔隆雁雄雯霖霏霓靖韦韬颂飒"
    "飘馨驰骏鲲鹰麟黎鼎齐龄皓凌冰冲凡冠兴其元先克兆全力功加勤勋化卓南卫友双叶可同君启咏品哲唯善园圣坚壮声夫奇奕如"
    "妙威婧孟宜宣宸容宽尚岳崎州巍希帆帅年广应廉开弘彩得徽忆念恺悠意政敬旺昀昂暮曼朔枝柔桓梵楷樱歌毓沁沅沫泓泳津浚"
    "涓淇淮湛滔漪潭澈灏炫焕琬瑄甫男盈眉瞳祎祯禧秦穆策筱米粲纬绮绪续缤羚翊翡耘聆舟艾芙芷苓茵菡葳蓁蕙藤虎蝶裕观许谊"
    "谨豫赫路轶辰迅逍遥邦郎钧钦铎锴镕闯陶隽霄韧颜风飚香骁鸥鹃黛默令尔仪通中健日丰亭伦佩侠保俭倚儒全军冉冕凝利剑劲"
    "勃升卿厚原友古台吟周喆嘏坦堂塬士多大奎妤姿孜存宇守安宪宵寅寒封尧展峥巧巨帝庚康延式彧律循忱恬惟慕懿扬承挺敦斗"
    "昇显晏晔晞曙朴杭柘树格棠椿楠樟欣毕汐沂沛泊泠洵浏涵淞渤滔澍灿熠燕牧玄珂琥瑗璞瓒甘由皎盼督礼祖秀竞笙筑篆纳纶继"
    "绵缙羿耕肖胡舰艳芃芹苇茁荃莘菀萃蓬蔓薏藏衍袁谷豪贻资赞轲辛迈逢遵邱郑锡镜闽阁陈雍雷霆靓韩顾颐飙驹骞鲍鸾鹊鹿黄"
)

# Role words that may follow a surname or a full name: 张主任, 李工, 王总, 周志强工程师.
TITLES = tuple(
    sorted(
        (
            "主任 副主任 科长 副科长 处长 副处长 局长 副局长 院长 副院长 校长 副校长 书记 副书记 经理 总经理 副总经理 副总 "
            "总监 主管 行长 副行长 部长 副部长 组长 老师 教授 博士 医生 大夫 护士长 主席 厅长 副厅长 司长 所长 站长 队长 "
            "支队长 大队长 馆长 社长 台长 律师 先生 女士 小姐 师傅 总工 高工 秘书 助理 专员 会计 董事长 董事 总裁 副总裁 "
            "主任医师 副主任医师 工程师 架构师 顾问 委员 厂长 老板 县长 市长 区长 镇长 干事 科员 同志 网管 管理员 研究员 "
            "讲师 主治医师 护士 主委 秘书长 理事长 总师 总助 监事 股长 工 总 董 姐 哥 科 处 局 警官 科主任 部门经理 项目经理 总监理"
        ).split(),
        key=len,
        reverse=True,
    )
)
SINGLE_CHAR_TITLES = frozenset("工总董姐哥科处局")

# Words right before a name that say a person follows: 联系人：王小明, 科长张伟, 信息科李娜.
ROLE_BEFORE = tuple(
    sorted(
        (
            "联系人 负责人 对接人 经办人 签字人 法人 法定代表人 代表 客户经理 项目经理 销售经理 售前 售后 销售 工程师 "
            "技术负责人 项目负责人 甲方 乙方 主任 副主任 科长 副科长 处长 副处长 局长 院长 副院长 校长 书记 经理 总经理 总监 "
            "主管 行长 部长 组长 老师 教授 医生 董事长 总裁 CIO CTO CISO CEO 厂长 同事 领导 专家 顾问 联系 致电 拜访 感谢 "
            "邀请 陪同 通知 找 问 请 由 和 与 及 同 跟 向 给 让 被 叫 对接 架构师 管理员 网管 运维 信息科 网络科 网信办 "
            "信息中心 信息处 信息部 科 处 部 室 办 组 中心 : | 派 派了 安排 约了 老板 采购 接口人 科员 工程师 驻场 人是 人为 者是 我方 对方 客户方 书记员 审计员 科员 研究员 业务员 技术员 操作员 安全员 联络员 "
            "（ ("
        ).split(),
        key=len,
        reverse=True,
    )
)

# What may follow a full name given without a title: 张伟负责, 王小明表示, 李娜、王强.
PERSON_AFTER = tuple(
    sorted(
        (
            "负责 牵头 表示 说 介绍 提出 反馈 认为 指出 带领 带队 协调 对接 确认 签字 审批 汇报 陪同 主导 拍板 同意 要求 "
            "希望 担心 强调 建议 来电 致电 发来 电话 手机 邮箱 等 和 与 及 的 也 还 则 亲自 全程 一起 在 会 老师 同志 "
            "先生 女士 分享 补充 回复 答复 提到 透露 坦言 直言 现场 当场 多次 曾 已 将 不 没 很 特别 专门 主动 个人 去 来 到 "
            "找到 驻场 为人 更 看 聊 谈 配合 协助 参与 跟进 提醒 告诉 叮嘱 拍板 带 给 跟 对 把 被 就 都 又 还 却 说过 希望 电话 手机 邮箱 科员 主任 一起"
        ).split(),
        key=len,
        reverse=True,
    )
)

# One-character words after which a name may start inside a jieba token (由周志强 → 由 | 周志强).
FUNCTION_CHARS = frozenset("由和与及同跟向给让被叫请找问约陪经把对为是在将从")

# Modifiers that do not make an organisation name specific: 三甲医院, 某银行, 一家安全公司.
GENERIC_MODIFIERS = frozenset(
    (
        "省 市 县 区 镇 乡 村 州 地市 地市级 省市 市县 属地 政策性 小微 初创 发电 加工 养殖 乡镇 社区 街道 智慧 数字 智能 甲等 乙等 非 全 余 多 若干 部分 全区 全县 全镇 区内 省内 市内 县内 好几 好几家 该 此 本 这 那 这家 那家 这个 那个 一家 两家 几家 多家 各 各家 每 每家 某 某某 其 其他 其它 其余 另 另一 另一家 同一 "
        "三甲 三乙 二甲 二乙 一甲 三级 二级 一级 综合 专科 公立 民营 私立 大型 中型 小型 超大型 基层 地方 省级 市级 县级 区级 "
        "国有 国营 股份制 商业 城市 农村 城商 农商 外资 合资 中外合资 国内 海外 境外 境内 头部 知名 同类 各级 各类 上级 下级 下属 "
        "附属 学校 医院 银行 公司 大学 学院 单位 机构 企业 同城 异地 双活 灾备 网络 总 分 集成 系统集成 安全 网络安全 信息安全 数据安全 软件 科技 信息 技术 信息技术 测评 咨询 运营商 第三方 服务 "
        "数据 云 互联网 金融 教育 医疗 卫生 政府 上市 央企 国企 民企 外企 私企 中小 中小型 新 老 原 前 现 友商 竞争 合作 "
        "合作方 客户 用户 我们 我方 我司 贵司 对方 甲方 乙方 兄弟 同行 当地 本地 本省 本市 外地 全国 全省 全市 区域 片区 "
        "厂商 供应商 集成商 代理商 经销商 渠道 总包 分包 监理 设计 施工 运维 测试 检测 认证 培训 研究 行业 传统 新兴 多 "
        "家 个 所 座 间 级 类 种 定点 指定 主要 重点 牵头 参与 相关 有关 所属 直属 派出 省直 市直 区直 县直 部属 省属 市属 "
        "重要 关键 骨干 核心 大 小 高 低 好 优秀 示范 试点 标杆 先进 一流 双一流 985 211 普通 职业 高等 高职 中职"
    ).split()
)

# Words of the trade that are never a name, whatever jieba's dictionary says.
DOMAIN_WORDS = frozenset(
    "大数据 云计算 人工智能 物联网 区块链 数据 网络安全 信息安全 数据安全 政务云 政务 智慧城市 数字政府 信创 信息化 数字化 "
    "智能化 一网通办 数据共享 数据资源 数据要素 算力 云平台 态势感知 零信任 等保 密评 灾备 运维 安全运营".split()
)

# Security vendors and regulators a case may name (kept as written): the issuers of the corpus's regulations
# and standards and the vendors its guides list (corpus/named_bodies.py), and these, curated: abbreviations,
# bodies and vendors the corpus does not name (yet).
HAND_KEPT = frozenset(
    (
        # regulators and public bodies named in the rules
        "国家网信办 中央网信办 国家互联网信息办公室 网信办 工信部 国家卫健委 卫健委 "
        "人民银行 人行 金融监管总局 银保监会 中国银保监会 证监会 中国证监会 国家密码管理局 "
        "密码管理局 国家保密局 国家发展改革委 国家发改委 发改委 市场监管总局 "
        "国家标准化管理委员会 国标委 全国信息安全标准化技术委员会 全国网络安全标准化技术委员会 信安标委 中国信息安全测评中心 "
        "国家计算机网络应急技术处理协调中心 国家互联网应急中心 中国网络安全审查技术与认证中心 "
        "中国网络安全审查认证和市场监管大数据中心 国家信息技术安全研究中心 中国信息通信研究院 中国信通院 信通院 "
        "国务院 国资委 国务院国资委 广电总局 国家新闻出版署 国家疾病预防控制局 "
        "民航局 国家矿山安全监察局 住建部 "
        "国家医保局 最高人民法院 最高人民检察院 全国人大常委会 全国人民代表大会常务委员会 "
        "国家中医药管理局 中国证券业协会 中国期货业协会 中国保险行业协会 "
        "中国互联网协会 中国网络空间安全协会 中国网络安全产业联盟 国家互联网应急中心 国家工业信息安全发展研究中心 "
        "全国人民代表大会 中共中央 中共中央办公厅 国务院办公厅 中央网络安全和信息化委员会办公室 中央网络安全和信息化委员会 "
        # security and IT vendors
        "奇安信 启明星辰 天融信 绿盟 安恒信息 安恒 360 三六零 奇虎360 华为 新华三 H3C 亚信 山石网科 "
        "网御星云 迪普科技 迪普 安天 知道创宇 长亭科技 长亭 微步在线 微步 观安信息 美创科技 美创 中孚信息 卫士通 北信源 三未信安 "
        "格尔软件 数字认证 明朝万达 蓝盾 任子行 美亚柏科 飞塔 Fortinet 思科 Cisco 锐捷 锐捷网络 中兴 中兴通讯 "
        "浪潮 曙光 中科曙光 阿里云 腾讯云 华为云 百度智能云 天翼云 移动云 联通云 联想 戴尔 惠普 IBM Oracle 微软 Microsoft VMware "
        "安博通 信安世纪 永信至诚 盛邦安全 派拉软件 炼石网络 全知科技 昂楷科技 安华金和 闪捷信息 齐治科技 圣博润 网神 梆梆安全 "
        "爱加密 几维安全 顶象 数篷科技 天空卫士 火绒 瑞星 江民 金山 金山云 东软 中国电子 中国电科 CETC 太极股份 "
        "神州数码 神州信息 中国软件 麒麟软件 统信软件 达梦 人大金仓 南大通用 海光 龙芯 飞腾 兆芯 华三 Palo Alto Check Point "
        "Checkpoint Juniper F5 Imperva Splunk Elastic CrowdStrike 卡巴斯基 赛门铁克 Symantec 趋势科技 Trend Micro 火眼 FireEye "
        "腾讯 阿里巴巴 阿里 百度 字节跳动 电信 移动 联通 铁塔 中国铁塔 "
        # IT and OT vendors a case names for what was bought
        "人大金仓 金仓 海光 龙芯 飞腾 兆芯 鲲鹏 昇腾 达梦 东方通 宝兰德 中创 西门子 施耐德 罗克韦尔 霍尼韦尔 艾默生 ABB "
        "南瑞 南瑞集团 国电南瑞 许继 四方 和利时 中控 浙江中控 网易易盾 易盾 明源云 江森自控 江森 华栖云 同盾科技 同盾 "
        "极飞科技 远景科技集团 远景 长扬科技 鼎甲科技 鼎甲 威努特 六方云 珞安科技 安帝科技 天地和兴 博智安全 木链科技 "
        "安华金和 宝兰德 东方通 联软科技 盈高科技 瑞数信息 英方软件 医渡科技 爱数 帕拉迪 行云管家 齐治 齐治科技 全知科技 "
        "恒生电子 用友 金蝶 东华软件 卫宁健康 东软集团 万达信息 海康威视 大华 宇视 锐捷 迈普 星网锐捷 信锐 "
        "H3C Huawei Sangfor Qianxin NSFOCUS Venustech TopSec DBAPPSecurity Hillstone Microsoft Google Amazon AWS"
    ).split()
)
KEEP_ORGS = HAND_KEPT | named_bodies.issuers(named_bodies.documents()) | named_bodies.vendors(named_bodies.documents())
