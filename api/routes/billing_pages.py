"""`/account` (a partner's plan, usage, wallet and refund progress) and `/admin/billing` (organisations,
memberships, payments, orders, refunds due, suspicious download patterns), server-rendered like /admin."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from accounts.store import AccountError, AccountNotFound
from accounts.tables import Role
from api.auth import CurrentUser, OptionalUserDep
from api.deps import ContainerDep
from api.routes.pages import FormUserDep, csrf_field, guard, message, page
from billing.money import parse_yuan, yuan
from billing.programme import BillingError

pages = APIRouter(include_in_schema=False)

STATES = {"pending": "待结算", "posted": "已入账", "voided": "已作废"}
QUOTA_LABELS = {"briefs_per_day": "每日简报", "downloads_per_month": "每月案例下载", "exports_per_month": "每月导出",
                "widget_keys": "对话组件数"}  # fmt: skip
PATTERNS = {"new_orgs": "新组织集中下载", "burst": "短时集中下载", "circular": "互相下载"}
STYLE = '<link rel="stylesheet" href="/static/billing.css">'


def _table(head: list[str], rows: list[list[str]], *, empty: str, id_: str = "") -> str:
    if not rows:
        return f'<p class="muted small">{escape(empty)}</p>'
    ths = "".join(f"<th>{escape(h)}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<div class="table-wrap"><table class="data"{f" id={id_!r}" if id_ else ""}><thead><tr>{ths}</tr></thead><tbody>{trs}</tbody></table></div>'


def _when(iso: str | None) -> str:
    return escape(iso[:16].replace("T", " ")) if iso else ""


def _refund_card(refund: dict[str, Any] | None) -> str:
    if refund is None:
        return '<p class="muted small">未登记年费付款。付费版：先付年费，当年订单满 ¥50,000 退还使用费。</p>'
    share = min(1.0, refund["orders"] / refund["threshold"]) if refund["threshold"] else 1.0
    return f"""<p id="refund-text"><b>{escape(refund["text"])}</b></p>
<progress value="{share:.4f}" max="1" aria-label="订单进度"></progress>
<p class="muted small">年费 {yuan(round(refund["fee"] * 100))} · 费用年度 {escape(refund["year_starts"])} 至 {escape(refund["year_ends"])}
 · 本年度订单 {yuan(round(refund["orders"] * 100))} / {yuan(round(refund["threshold"] * 100))}</p>"""


def account_body(plan: dict[str, Any], wallet: dict[str, Any]) -> str:
    info = plan["plan"]
    membership = plan.get("membership")
    member = (f'<p class="small">伙伴计划会员期：{escape(membership["starts_on"])} 至 {escape(membership["ends_on"])}</p>'
              if membership else "")  # fmt: skip
    quota_rows = [[escape(QUOTA_LABELS.get(q, q)), str(limit), str(plan["usage"].get(q, 0))] for q, limit in plan["quotas"].items()]
    features = "、".join(escape(f["title"]) for f in plan["features"])
    entries = [[_when(e["created_at"]), escape(e["title"]), f'{e["amount"]:+d}', escape(STATES.get(e["state"], e["state"])),
                escape(e["case_id"] or ""), escape(e["counterparty_org"] or "")] for e in wallet["entries"]]  # fmt: skip
    return f"""{STYLE}<section class="card billing" id="plan">
  <h2>当前方案：{escape(info["title"])}</h2>
  <p class="muted small">{escape(info["summary"])}</p>{member}
  <p class="small">包含：{features}</p>
  {_table(["项目", "额度", "已用"], quota_rows, empty="无额度限制", id_="quotas")}
</section>
<section class="card billing" id="wallet">
  <h2>积分钱包</h2>
  <div class="figures">
    <div class="figure"><span class="muted small">可用积分</span><b id="balance">{wallet["balance"]}</b></div>
    <div class="figure"><span class="muted small">待结算</span><b id="pending">{wallet["pending"]}</b></div>
    <div class="figure"><span class="muted small">使用费抵扣</span><b>{yuan(round(wallet["fee_credit"] * 100))}</b></div>
  </div>
  <p class="muted small">其他组织下载您分享的案例时获得积分；积分结算前（7 天）如案例因保密问题下线则作废。{wallet["points_per_yuan"]} 积分可兑换 ¥1 使用费抵扣。</p>
  {_table(["时间", "类型", "积分", "状态", "案例", "下载方"], entries, empty="还没有积分记录。", id_="entries")}
</section>
<section class="card billing refund" id="refund">
  <h2>退费进度</h2>
  {_refund_card(plan.get("refund"))}
</section>"""


@pages.get("/account")
def account_page(user: OptionalUserDep, container: ContainerDep) -> Response:
    if (refused := guard(user, "/account", Role.partner)) is not None:
        return refused
    assert user is not None
    billing = container.billing
    return page("我的账户", account_body(billing.plan(user.org_id), billing.wallet(user.org_id)), user=user)


# -- admin ---------------------------------------------------------------------------------------------------
def admin_body(data: dict[str, Any], me: CurrentUser, *, note: str = "", error: str = "") -> str:
    token = csrf_field(me.csrf_token or "")
    names = {o["id"]: o["name"] for o in data["organisations"]}
    orgs = [[escape(o["name"]), escape(o["credit_code"] or "未登记"), escape(o["plan"]), str(o["points"]), str(o["pending"])]
            for o in data["organisations"]]  # fmt: skip
    options = "".join(f'<option value="{escape(o["id"])}">{escape(o["name"])}</option>' for o in data["organisations"])
    members = [[escape(names.get(m["org_id"], m["org_id"])), escape(m["starts_on"]), escape(m["ends_on"]), escape(m["package_order"])]
               for m in data["memberships"]]  # fmt: skip
    payments = [[escape(names.get(p["org_id"], p["org_id"])), yuan(p["amount_fen"]), escape(p["paid_on"]), escape(p["reference"])]
                for p in data["payments"]]  # fmt: skip
    refunds = [[escape(names.get(r["org_id"], r["org_id"])), f'{escape(r["year_starts"])} 至 {escape(r["year_ends"])}',
                yuan(round(r["orders"] * 100)), "已退还" if r["refunded"] else f'还差 {yuan(round(r["remaining"] * 100))}']
               for r in data["refunds"]]  # fmt: skip
    orders = [[escape(o["order_id"]), escape(o["credit_code"]), escape(o["date"]), yuan(round(o["amount"] * 100))] for o in data["orders"][:50]]
    flagged = [[escape(PATTERNS.get(s["kind"], s["kind"])), escape("、".join(s["names"])), escape(s["detail"])] for s in data["suspicious"]]
    payouts = [[escape(names.get(p["org_id"], p["org_id"])), str(p["points"]), escape(p["note"]), _when(p["created_at"])]
               for p in data["payout_requests"]]  # fmt: skip
    today = dt.date.today()
    return f"""{STYLE}<section class="card billing"><h2>计费管理</h2>{message(error)}{message(note, error=False)}
  <h3>渠道伙伴</h3>{_table(["组织", "统一社会信用代码", "方案", "积分", "待结算"], orgs, empty="还没有渠道伙伴组织。", id_="orgs")}
  <form method="post" action="/admin/billing/credit-code" class="stack">{token}
    <label>组织<select name="org_id" required>{options}</select></label>
    <label>统一社会信用代码（18 位，核对校验位；未登记的组织不参与分享激励）<input type="text" name="credit_code" maxlength="18" required autocomplete="off"></label>
    <button type="submit" class="primary">登记信用代码</button>
  </form>
</section>
<section class="card billing"><h2>可疑下载</h2>{_table(["类型", "组织", "说明"], flagged, empty="没有发现可疑的下载模式。", id_="suspicious")}</section>
<section class="card billing"><h2>应退使用费</h2>{_table(["组织", "费用年度", "订单合计", "状态"], refunds, empty="还没有年费付款。", id_="refunds")}</section>
<section class="card billing"><h2>伙伴计划会员</h2>{_table(["组织", "开始", "结束", "大礼包订单"], members, empty="还没有会员。")}
  <form method="post" action="/admin/billing/memberships" class="stack">{token}
    <label>组织<select name="org_id" required>{options}</select></label>
    <label>开始日期<input type="date" name="starts_on" value="{today}" required></label>
    <label>结束日期<input type="date" name="ends_on" value="{today.replace(year=today.year + 1)}" required></label>
    <label>大礼包订单号<input type="text" name="package_order" maxlength="100" required></label>
    <button type="submit" class="primary">登记会员</button>
  </form>
</section>
<section class="card billing"><h2>年费付款（线下转账）</h2>{_table(["组织", "金额", "付款日期", "流水号"], payments, empty="还没有付款。")}
  <form method="post" action="/admin/billing/payments" class="stack">{token}
    <label>组织<select name="org_id" required>{options}</select></label>
    <label>金额（元）<input type="text" name="amount" inputmode="decimal" required></label>
    <label>付款日期<input type="date" name="paid_on" value="{today}" required></label>
    <label>银行转账流水号<input type="text" name="reference" maxlength="100" required></label>
    <button type="submit" class="primary">登记付款</button>
  </form>
</section>
<section class="card billing"><h2>厂商订单</h2>{_table(["订单号", "统一社会信用代码", "日期", "金额"], orders, empty="还没有导入订单。")}
  <form method="post" action="/admin/billing/orders" class="stack">{token}
    <label>CSV（表头 credit_code,order_id,date,amount）<textarea name="csv" rows="5" required></textarea></label>
    <button type="submit" class="primary">导入订单</button>
  </form>
</section>
<section class="card billing"><h2>提现申请</h2>{_table(["组织", "积分", "说明", "时间"], payouts, empty="没有提现申请。")}</section>"""


def _admin_page(container: Any, me: CurrentUser, *, note: str = "", error: str = "", status: int = 200) -> Response:
    return page("计费管理", admin_body(container.billing.admin_overview(), me, note=note, error=error), user=me, status=status)


@pages.get("/admin/billing")
def admin_billing_page(user: OptionalUserDep, container: ContainerDep, note: str = "") -> Response:
    if (refused := guard(user, "/admin/billing", Role.admin)) is not None:
        return refused
    assert user is not None
    return _admin_page(container, user, note=note[:200])


@pages.post("/admin/billing/{what}")
def admin_billing_post(what: str, posted: FormUserDep, container: ContainerDep) -> Response:
    user, form = posted
    if (refused := guard(user, "/admin/billing", Role.admin)) is not None:
        return refused
    assert user is not None
    billing = container.billing
    try:
        if what == "memberships":
            billing.add_membership(org_id=form.get("org_id", ""), starts_on=_date(form, "starts_on"),
                                       ends_on=_date(form, "ends_on"), package_order=form.get("package_order", ""), by=user.id)  # fmt: skip
            note = "已登记伙伴计划会员"
        elif what == "payments":
            billing.record_payment(org_id=form.get("org_id", ""), amount_fen=parse_yuan(form.get("amount", "")),
                                           paid_on=_date(form, "paid_on"), reference=form.get("reference", ""), by=user.id)  # fmt: skip
            note = "已登记付款"
        elif what == "credit-code":
            org = container.accounts.set_credit_code(form.get("org_id", ""), form.get("credit_code", ""))
            note = f"已登记 {org.name} 的统一社会信用代码 {org.credit_code}"
        elif what == "orders":
            report = billing.refunds.import_csv(form.get("csv", ""))
            if report.errors:
                return _admin_page(container, user, error="；".join(report.errors[:10]), status=422)
            note = f"已导入 {report.added} 条订单（{report.unchanged} 条已存在），退还使用费 {len(report.refunds)} 笔"
        else:
            return _admin_page(container, user, error=f"未知操作：{what}", status=404)
    except (BillingError, AccountError, AccountNotFound, ValueError) as exc:
        return _admin_page(container, user, error=str(exc), status=422)
    return RedirectResponse(f"/admin/billing?note={quote(note)}", status_code=303)


def _date(form: dict[str, str], name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(form.get(name, ""))
    except ValueError:
        raise BillingError(f"{name}：日期格式不正确（应为 YYYY-MM-DD）") from None

