// The editors' review of partner cases: the confirmed redacted text with its replacements marked, the findings
// by kind (never the originals), the uniqueness warning, the summary to be published; approve, reject, take down.

import { $, STATUS, auditLine, call, el, me, ready, showError, when } from "./cases-common.js";
import { renderMarkdown } from "./markdown.js";

let current = null;

function markedText(text, findings) {
  const root = $("#detail-text");
  const chars = Array.from(text);
  const nodes = [];
  let pos = 0;
  for (const f of findings) {
    if (f.start > pos) nodes.push(document.createTextNode(chars.slice(pos, f.start).join("")));
    nodes.push(el("mark", chars.slice(f.start, f.end).join(""), { class: "ins", title: f.label }));
    pos = f.end;
  }
  nodes.push(document.createTextNode(chars.slice(pos).join("")));
  root.replaceChildren(...nodes);
}

function show(item) {
  current = item;
  $("#detail").hidden = false;
  $("#detail-title").textContent = item.title;
  const meta = $("#detail-meta");
  meta.replaceChildren(el("span", STATUS[item.status], { class: `pill status-${item.status}` }), el("span", `分享者：${item.handle}`));
  for (const part of [item.industry_label, item.segment, item.region, item.year ? `${item.year}年` : "", `提交于 ${when(item.submitted_at)}`]) {
    if (part) meta.append(el("span", part));
  }
  const counts = {};
  for (const f of item.findings) counts[f.label] = (counts[f.label] || 0) + 1;
  $("#detail-findings").textContent = `作者确认的脱敏改动 ${item.findings.length} 处：` + Object.entries(counts).map(([k, n]) => `${k} ${n}`).join("、");
  const u = item.uniqueness;
  const box = $("#detail-uniqueness");
  box.hidden = !u;
  if (u) {
    box.className = `uniqueness ${u.resolved ? "ok" : "warn"}`;
    box.textContent = `${u.resolved ? "唯一性检查" : "唯一性提醒（作者已确认仍发布）"}：${u.message || ""}${u.suggestion && !u.resolved ? u.suggestion : ""}`;
  }
  markedText(item.text, item.findings);
  $("#detail-summary").innerHTML = renderMarkdown(item.summary); // escaped by renderMarkdown
  $("#approve").hidden = $("#reject").hidden = item.status !== "in_review";
  $("#takedown").hidden = item.status !== "published";
  $("#detail-status").textContent = item.review_note ? `审核意见：${item.review_note}` : "";
  loadAudit(item.id);
}

async function loadAudit(id) {
  const { items } = await call(`/api/cases/${encodeURIComponent(id)}/audit`);
  $("#detail-audit").replaceChildren(...items.map(auditLine));
}

async function load() {
  const status = $("#filters").status.value;
  const { items } = await call(`/api/cases/review?status=${encodeURIComponent(status)}`);
  $("#queue").replaceChildren(...items.map((item) => {
    const row = el("div", null, { class: "queue-item", "data-case": item.id });
    row.append(el("strong", item.title), el("span", ` ${item.industry_label} · ${item.region || "全国"} · ${when(item.submitted_at)}`, { class: "muted small" }));
    const open = el("button", "审核", { type: "button", class: "secondary" });
    open.addEventListener("click", () => show(item));
    row.append(el("br"), open);
    return row;
  }));
  $("#empty").hidden = items.length > 0;
}

async function act(verb, body) {
  showError($("#error"), null);
  try {
    const item = await call(`/api/cases/${encodeURIComponent(current.id)}/${verb}`, { method: "POST", body });
    show(item);
    $("#detail-status").textContent = { approve: "已批准并发布：现在可被检索和引用", reject: "已退回作者", takedown: "已下线" }[verb];
    await load();
  } catch (error) {
    showError($("#error"), error);
  }
}

async function start() {
  await me();
  $("#filters").addEventListener("change", load);
  $("#approve").addEventListener("click", () => act("approve", { note: $("#note").value }));
  $("#reject").addEventListener("click", () => act("reject", { note: $("#note").value }));
  $("#takedown").addEventListener("click", () => act("takedown", { reason: $("#note").value }));
  await load();
  ready();
}

start().catch((error) => showError($("#error"), error));
