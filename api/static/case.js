// One case: its summary, the download, and for the author's organisation or an editor its status and audit trail.

import { $, STATUS, auditLine, call, caseId, el, isEditor, me, newKey, ready, saveText, showError, when } from "./cases-common.js";
import { renderMarkdown } from "./markdown.js";

const id = caseId();
let downloaded = null;
const key = newKey(); // reused by every download click on this page: counted once

function render(item, user) {
  $("#case").hidden = false;
  $("#title").textContent = item.title || item.fields?.title || "（未命名）";
  const meta = $("#meta");
  meta.replaceChildren(el("span", item.label, { class: "pill partner" }), el("span", `分享者：${item.handle}`),
    el("span", STATUS[item.status] || item.status, { class: `pill status-${item.status}` }));
  for (const part of [item.industry_label, item.segment, item.region, item.year ? `${item.year}年` : ""]) if (part) meta.append(el("span", part));
  for (const s of item.solutions) meta.append(el("span", s.title, { class: "pill" }));
  if (item.published_at) meta.append(el("span", `发布于 ${when(item.published_at)}`));
  meta.append(el("span", `下载 ${item.downloads} 次`));
  if (item.mine) {
    $("#private").hidden = false;
    $("#private").textContent = `客户：${item.customer}（仅本组织可见）` + (item.review_note ? `；编辑意见：${item.review_note}` : "");
  }
  $("#summary").innerHTML = renderMarkdown(item.summary || ""); // escaped by renderMarkdown
  $("#download").hidden = item.status !== "published";
  const editable = item.mine && ["draft", "confirmed", "rejected", "taken_down"].includes(item.status);
  $("#edit").hidden = !editable;
  $("#edit").href = `/cases/${encodeURIComponent(id)}/edit`;
  $("#review-redaction").hidden = !editable;
  $("#review-redaction").href = `/cases/${encodeURIComponent(id)}/redaction`;
  $("#takedown").hidden = !(item.status === "published" && (item.mine || isEditor(user)));
  $("#mention-code").textContent = `[[pc-${id}]]`;
}

async function loadAudit(item, user) {
  if (!(item.mine || isEditor(user))) return;
  const { items } = await call(`/api/cases/${encodeURIComponent(id)}/audit`);
  $("#audit-card").hidden = items.length === 0;
  $("#audit").replaceChildren(...items.map(auditLine));
}

async function loadThreads() {
  const { items } = await call(`/api/discussions?mention=${encodeURIComponent(`pc-${id}`)}`);
  $("#threads").replaceChildren(...items.map((t) => { const li = el("li"); li.append(el("a", t.title, { href: t.url })); return li; }));
  $("#no-threads").hidden = items.length > 0;
  $("#talk-card").hidden = false;  // only for a case that exists: an unknown one shows its error alone
}

async function start() {
  const user = (await me()).user;
  let item;
  try {
    item = await call(`/api/cases/${encodeURIComponent(id)}`);
  } catch (error) {
    showError($("#error"), error);
    ready();
    return;
  }
  render(item, user);
  $("#download").addEventListener("click", async () => {
    $("#download").disabled = true;
    try {
      downloaded = await call(`/api/cases/${encodeURIComponent(id)}/download`, { method: "POST", headers: { "Idempotency-Key": key } });
      $("#full").hidden = false;
      $("#full-text").innerHTML = renderMarkdown(downloaded.text); // escaped by renderMarkdown
      $("#action-note").textContent = "已下载（已记录）";
    } catch (error) {
      showError($("#error"), error);
    } finally {
      $("#download").disabled = false;
    }
  });
  $("#save").addEventListener("click", () => downloaded && saveText(downloaded.filename, downloaded.text));
  $("#takedown").addEventListener("click", async () => {
    const reason = prompt("下线原因（会写入审核记录）", item.mine ? "作者下线" : "");
    if (reason === null) return;
    try {
      item = await call(`/api/cases/${encodeURIComponent(id)}/takedown`, { method: "POST", body: { reason } });
      render(item, user);
      $("#action-note").textContent = "已下线：知识库和案例库不再提供该案例";
      await loadAudit(item, user);
    } catch (error) {
      showError($("#error"), error);
    }
  });
  await Promise.all([loadAudit(item, user), loadThreads()]);
  ready();
}

start().catch((error) => showError($("#error"), error));
