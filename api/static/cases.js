// The case library: published cases (summaries) filtered by industry, province, need and solution category.

import { $, $$, call, el, isEditor, isPartner, me, newKey, ready, saveText, showError } from "./cases-common.js";
import { renderMarkdown } from "./markdown.js";

const PAGE = 10;
let offset = 0;
const keys = new Map(); // one idempotency key per case on this page: a retry or second click is not counted twice

function option(select, value, label) {
  select.append(el("option", label, { value }));
}

export function caseCard(item, { onDownload } = {}) {
  const card = el("article", null, { class: "card case-card", "data-case": item.id });
  const title = el("h3");
  title.append(el("a", item.title || "（未命名）", { href: item.url }));
  const meta = el("p", null, { class: "case-meta" });
  meta.append(el("span", item.label, { class: "pill partner" }), el("span", `分享者：${item.handle}`));
  for (const part of [item.industry_label, item.segment, item.region, item.year ? `${item.year}年` : ""]) if (part) meta.append(el("span", part));
  for (const s of item.solutions) meta.append(el("span", s.title, { class: "pill" }));
  meta.append(el("span", `下载 ${item.downloads} 次`));
  const summary = el("div", null, { class: "summary-text" });
  summary.innerHTML = renderMarkdown(item.summary); // escaped by renderMarkdown
  card.append(title, meta, summary);
  if (onDownload) {
    const actions = el("div", null, { class: "actions" });
    const button = el("button", "下载全文", { type: "button", class: "secondary", "data-download": item.id });
    button.addEventListener("click", () => onDownload(item, button));
    actions.append(button, el("a", "查看", { href: item.url }));
    card.append(actions);
  }
  return card;
}

function keyFor(id) {
  if (!keys.has(id)) keys.set(id, newKey());
  return keys.get(id);
}

async function download(item, button) {
  button.disabled = true;
  try {
    const body = await call(`/api/cases/${encodeURIComponent(item.id)}/download`, { method: "POST", headers: { "Idempotency-Key": keyFor(item.id) } });
    saveText(body.filename, body.text);
    button.textContent = "已下载";
  } catch (error) {
    showError($("#error"), error);
    button.disabled = false;
  }
}

async function load() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData($("#filters")).entries()) if (value) params.set(name, value);
  params.set("limit", PAGE);
  params.set("offset", offset);
  showError($("#error"), null);
  try {
    const body = await call(`/api/cases?${params}`);
    const root = $("#cases");
    root.replaceChildren(...body.items.map((item) => caseCard(item, { onDownload: download })));
    $("#empty").hidden = body.items.length > 0;
    $("#count").textContent = `共 ${body.total} 个案例`;
    $("#page").textContent = body.total ? `${offset + 1}–${Math.min(offset + PAGE, body.total)}` : "";
    $("#prev").disabled = offset === 0;
    $("#next").disabled = offset + PAGE >= body.total;
  } catch (error) {
    showError($("#error"), error);
  }
}

async function start() {
  const user = (await me()).user;
  for (const link of $$("[data-partner]")) link.hidden = !isPartner(user);
  for (const link of $$("[data-editor]")) link.hidden = !isEditor(user);
  const options = await call("/api/cases/options");
  const form = $("#filters");
  for (const i of options.industries) option(form.industry, i.id, i.label);
  for (const p of options.provinces) option(form.province, p, p);
  for (const r of options.regions) option(form.province, r, r);
  for (const n of options.need_categories) option(form.need, n.id, n.label);
  for (const s of options.solutions) option(form.solution, s.id, s.title);
  const query = new URLSearchParams(location.search);
  for (const name of ["industry", "province", "need", "solution", "q"]) if (query.get(name)) form[name].value = query.get(name);
  form.addEventListener("change", () => { offset = 0; load(); });
  form.addEventListener("submit", (event) => { event.preventDefault(); offset = 0; load(); });
  $("#prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE); load(); });
  $("#next").addEventListener("click", () => { offset += PAGE; load(); });
  await load();
  ready();
}

start().catch((error) => showError($("#error"), error));
