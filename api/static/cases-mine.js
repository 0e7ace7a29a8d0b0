// The organisation's own cases in every state, with what can be done next; the user's public handle.

import { $, STATUS, call, el, me, ready, showError, when } from "./cases-common.js";

function actions(item) {
  const out = [el("a", "查看", { href: item.url })];
  if (["draft", "confirmed", "rejected", "taken_down"].includes(item.status)) {
    out.push(el("a", "修改", { href: `/cases/${encodeURIComponent(item.id)}/edit` }),
      el("a", item.status === "confirmed" ? "提交审核" : "核对脱敏", { href: `/cases/${encodeURIComponent(item.id)}/redaction` }));
    const remove = el("button", "删除", { type: "button", class: "link-button" });
    remove.addEventListener("click", async () => {
      if (!confirm("删除后无法恢复，确定删除这个案例？")) return;
      try {
        await call(`/api/cases/${encodeURIComponent(item.id)}`, { method: "DELETE" });
        await load();
      } catch (error) {
        showError($("#error"), error);
      }
    });
    out.push(remove);
  }
  return out;
}

async function load() {
  const { items } = await call("/api/cases/mine");
  $("#cases").replaceChildren(...items.map((item) => {
    const card = el("article", null, { class: "card case-card", "data-case": item.id, "data-status": item.status });
    const title = el("h3");
    title.append(el("a", item.title || "（尚未确认脱敏）", { href: item.url }));
    const meta = el("p", null, { class: "case-meta" });
    meta.append(el("span", STATUS[item.status] || item.status, { class: `pill status-${item.status}` }),
      el("span", `客户：${item.customer}（仅本组织可见）`), el("span", item.industry_label), el("span", `更新于 ${when(item.updated_at)}`));
    if (item.status === "published") meta.append(el("span", `下载 ${item.downloads} 次`));
    card.append(title, meta);
    if (item.review_note) card.append(el("p", `编辑意见：${item.review_note}`, { class: "notice" }));
    const bar = el("div", null, { class: "actions" });
    bar.append(...actions(item));
    card.append(bar);
    return card;
  }));
  $("#empty").hidden = items.length > 0;
}

async function start() {
  await me();
  const { handle } = await call("/api/community/handle");
  $("#handle").value = handle;
  $("#save-handle").addEventListener("click", async () => {
    try {
      const saved = await call("/api/community/handle", { method: "PUT", body: { handle: $("#handle").value } });
      $("#handle-note").textContent = saved.handle ? `已保存：${saved.handle}` : "已清除（匿名）";
    } catch (error) {
      showError($("#error"), error);
    }
  });
  await load();
  ready();
}

start().catch((error) => showError($("#error"), error));
