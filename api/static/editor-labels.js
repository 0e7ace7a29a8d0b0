// Chinese labels for the corpus codes (corpus/document.py), shared by the editor's modules.

export const STATES = { draft: "草稿", in_review: "待审核", published: "已发布", superseded: "已被取代", retired: "已下线", rejected: "已退回" };
export const KINDS = { regulation: "法规", standard: "标准", industry_profile: "行业概况", solution: "解决方案", case: "案例", faq: "常见问题" };
export const INDUSTRIES = {
  government: "政务", finance: "金融", healthcare: "医疗", education: "教育", energy: "能源", manufacturing: "制造",
  telecom: "通信", internet: "互联网", transport: "交通", retail: "零售", media: "传媒", real_estate: "房地产",
  agriculture: "农业", all: "通用",
};
export const NEEDS = { it: "IT", network_security: "网络安全", data_security: "数据安全", business: "业务" };
