// 编辑工作台: the /api/editor/* workflow (docs/api.md, "Editor workflow") as one page, no build step.
// Every POST/PUT/DELETE carries the session's X-CSRF-Token (from GET /api/me); errors become Chinese messages.

import { INDUSTRIES, KINDS, NEEDS, STATES } from "./editor-labels.js";
import { escapeHtml, renderMarkdown } from "./markdown.js";
import { MetadataForm } from "./editor-meta.js";

const $ = (sel) => document.querySelector(sel);
const ACTION_NAMES = { submit: "提交审核", approve: "通过并发布", reject: "退回", retire: "下线", rollback: "回滚", save: "保存" };
const AUDIT_NAMES = {
  create: "创建草稿", edit: "保存新版本", submit: "提交审核", approve: "批准", publish: "发布", publish_failed: "发布失败",
  reject: "退回", retire: "下线", rollback: "回滚", import: "从语料目录导入",
};
const PAGE = 100; // documents per list page
const AUDIT_PAGE = 50;

let csrf = null;
let me = null;
let current = null; // the open document (DocumentDetail); null while an imported file is not saved yet
let meta = null; // the MetadataForm
let editing = null; // the version number loaded in the editor (what the hit test tests)
let listOffset = 0;
let auditOffset = 0;

class EditorError extends Error {
  constructor(message, status = 0, payload = null) {
    super(message);
    this.status = status;
    this.payload = payload;
  }
}

function friendly(status, body) {
  const detail = Array.isArray(body?.detail) ? body.detail.map((d) => (typeof d === "string" ? d : d?.msg ?? "")).join("；") : body?.detail ?? "";
  const problems = (body?.problems ?? []).map((p) => `${p.label || p.field || ""}：${p.message}`).join("；");
  if (status === 401) return "登录已过期，请重新登录。";
  if (status === 403) return detail ? `无权执行此操作：${detail}` : "无权执行此操作。";
  if (status === 404) return detail ? `未找到：${detail}` : "未找到该文档或版本。";
  if (status === 409) return detail ? `当前状态不允许此操作：${detail}` : "当前状态不允许此操作，请刷新后重试。";
  if (status === 413) return detail || "文件过大。";
  if (status === 415) return detail || "不支持的文件类型。";
  if (status === 422) return `内容未通过校验：${problems || detail || "请检查格式"}`;
  if (status >= 500) return "服务器出错，请稍后重试。";
  return detail || `请求失败（${status}）`;
}

async function request(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new EditorError("网络连接失败，请检查网络后重试。");
  }
  if (!response.ok) {
    let payload = null;
    try { payload = await response.json(); } catch { /* not JSON */ }
    if (response.status === 401) location.assign(`/login?next=${encodeURIComponent("/editor")}`);
    throw new EditorError(friendly(response.status, payload), response.status, payload);
  }
  return response.status === 204 ? null : response.json();
}
const api = (path, opts = {}) => request(opts.method ?? "GET", `/api/editor${path}`, opts.body);
const docPath = (id) => `/documents/${encodeURIComponent(id)}`;

// The document is front matter (the YAML view, kept in step with the form) plus the Markdown body.
const FENCE = /^---\n(?:([\s\S]*?)\n)?---\n\n?/;
function setFullText(text) {
  const match = FENCE.exec(text);
  $("#yaml").value = match ? match[1] ?? "" : "";
  $("#text").value = match ? text.slice(match[0].length) : text;
  livePreview();
}
const fullText = () => `---\n${$("#yaml").value.replace(/\n+$/, "")}\n---\n\n${$("#text").value}`;

function say(text, error = false) {
  const el = $("#status");
  el.textContent = text;
  el.className = error ? "ed-status error" : "ed-status";
  el.hidden = !text;
  el.setAttribute("role", error ? "alert" : "status");
}

async function guarded(work) {
  try {
    return await work();
  } catch (err) {
    say(err instanceof EditorError ? err.message : `出错了：${err.message}`, true);
    return undefined;
  }
}

const badge = (state, label = STATES[state] ?? state) => `<span class="badge ${escapeHtml(state)}">${escapeHtml(label)}</span>`;
const when = (t) => (t ? new Date(t).toLocaleString("zh-CN", { hour12: false }) : "");
// Display names come with the document (DocumentDetail.people); an unknown id (e.g. the recovery job) shows as is.
const who = (id) => (!id ? "" : me && id === me.id ? "我" : current?.people?.[id] ?? id.slice(0, 8));
const options = (select, map) => {
  for (const [value, label] of Object.entries(map)) select.append(new Option(label, value));
};

// -- lists ---------------------------------------------------------------------------------------
function docButton(d) {
  const stale = d.stale ? ` ${badge("stale", "待复审")}` : "";
  const live = d.published_version ? ` · 已发布第 ${d.published_version} 版` : "";
  return `<li><button type="button" data-doc="${escapeHtml(d.doc_id)}"${current?.doc_id === d.doc_id ? ' aria-current="true"' : ""}>
    <span>${escapeHtml(d.title)}</span>
    <span class="meta">${badge(d.state)}${stale} ${escapeHtml(KINDS[d.kind] ?? d.kind)} · 第 ${d.latest_version} 版${live}</span>
    <span class="meta">${escapeHtml(d.doc_id)}</span></button></li>`;
}

async function loadList({ more = false } = {}) {
  const form = new FormData($("#filters"));
  const offset = more ? listOffset : 0;
  const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
  for (const [k, v] of form) if (v) params.set(k, v);
  const page = await guarded(() => api(`/documents?${params}`));
  if (!page) return;
  listOffset = offset + page.items.length;
  $("#doc-total").textContent = page.total > listOffset ? `共 ${page.total} 篇，已显示 ${listOffset} 篇` : `共 ${page.total} 篇`;
  const html = page.items.map(docButton).join("");
  if (more) $("#doc-list").insertAdjacentHTML("beforeend", html);
  else $("#doc-list").innerHTML = html || '<li class="muted small">没有符合条件的文档</li>';
  $("#doc-more").hidden = listOffset >= page.total;
}

async function loadQueue() {
  const page = await guarded(() => api("/documents?status=in_review&limit=500"));
  if (!page) return;
  const waiting = page.items.filter((d) => d.state === "in_review");
  $("#queue").innerHTML = waiting.map(docButton).join("") || '<li class="muted small">暂无待审核的文档</li>';
}

async function loadHealth() {
  const h = await guarded(() => api("/health"));
  if (!h) return;
  const industries = Object.keys(h.coverage ?? {});
  const needs = Object.keys(NEEDS);
  const head = `<tr><th></th>${needs.map((n) => `<th>${NEEDS[n]}</th>`).join("")}</tr>`;
  const rows = industries.map((i) => `<tr><th>${escapeHtml(INDUSTRIES[i] ?? i)}</th>${needs
    .map((n) => { const c = h.coverage[i]?.[n] ?? 0; return `<td class="${c ? "" : "zero"}">${c}</td>`; }).join("")}</tr>`);
  const list = (items, f) => (items?.length ? `<ul>${items.map((x) => `<li>${f(x)}</li>`).join("")}</ul>` : '<p class="muted">无</p>');
  $("#health").innerHTML = `<h3>覆盖矩阵（已发布文档数）</h3>
    <div class="table-wrap"><table class="data ed-matrix">${head}${rows.join("")}</table></div>
    <h3>已过复审日期</h3>${list(h.past_review, (x) => `<button type="button" class="link-button" data-doc="${escapeHtml(x.doc_id)}">${escapeHtml(x.doc_id)}</button>（${escapeHtml(x.review_by)}）`)}
    <h3>标题重复</h3>${list(h.duplicate_titles, (x) => `${escapeHtml(x.title)}：${escapeHtml(x.doc_ids.join("、"))}`)}
    <h3>段落重复</h3>${list(h.duplicate_passages, (x) => `${escapeHtml(x.doc_ids.join("、"))}：${escapeHtml(x.text.slice(0, 60))}…`)}`;
}

// -- one document --------------------------------------------------------------------------------
const latest = () => current.versions[current.versions.length - 1];

function renderDoc() {
  const d = current;
  $("#empty").hidden = true;
  $("#doc").hidden = false;
  delete $("#doc").dataset.unsaved;
  $("#save").textContent = "保存为新版本";
  $("#doc-title").innerHTML = `${escapeHtml(d.title)} ${badge(d.state)}${d.stale ? ` ${badge("stale", "待复审")}` : ""}`;
  const inds = d.industries.map((i) => INDUSTRIES[i] ?? i).join("、");
  $("#doc-meta").textContent = `${d.doc_id} · ${KINDS[d.kind] ?? d.kind} · ${inds}${d.review_by ? ` · 复审日期 ${d.review_by}` : ""}`;
  $("#versions").innerHTML = [...d.versions].reverse().map((v) => `<tr data-version="${v.number}">
    <td data-label="版本">第 ${v.number} 版</td><td data-label="状态">${badge(v.state)}</td>
    <td data-label="创建">${escapeHtml(who(v.created_by))}<br><span class="muted small">${when(v.created_at)}</span></td>
    <td data-label="审核">${escapeHtml(who(v.reviewed_by))}<br><span class="muted small">${when(v.reviewed_at)}</span></td>
    <td class="ed-note"${v.note ? ' data-label="说明"' : ""}>${escapeHtml(v.note)}</td>
    <td class="ed-load"><button type="button" class="link-button" data-load="${v.number}">载入编辑器</button></td></tr>`).join("");
  const top = latest();
  const allowed = {
    submit: top.state === "draft", approve: top.state === "in_review" && !d.approve_refusal, reject: top.state === "in_review",
    retire: d.published_version != null, rollback: d.versions.length > 1,
  };
  for (const b of document.querySelectorAll("#actions [data-act]")) b.disabled = !allowed[b.dataset.act];
  // The server refuses self-approval (403); the page says so before anyone tries.
  const why = top.state === "in_review" ? d.approve_refusal : null;
  $("#approve-why").textContent = why ? `“通过并发布”不可用：${why}` : "";
  $("#approve-why").hidden = !why;
  $("[data-act=approve]").title = why || "";
  renderWarnings(top, allowed.approve);
  for (const id of ["#rollback-to", "#diff-a", "#diff-b"]) {
    const sel = $(id);
    sel.innerHTML = "";
    for (const v of d.versions) sel.append(new Option(`第 ${v.number} 版（${STATES[v.state] ?? v.state}）`, v.number));
  }
  $("#rollback-to").value = d.versions.length > 1 ? d.versions[d.versions.length - 2].number : top.number;
  $("#diff-a").value = d.versions.length > 1 ? d.versions[d.versions.length - 2].number : top.number;
  $("#diff-b").value = top.number;
  $("#diff").innerHTML = "";
  for (const b of document.querySelectorAll("button[data-doc]")) {
    if (b.dataset.doc === d.doc_id) b.setAttribute("aria-current", "true");
    else b.removeAttribute("aria-current");
  }
  loadVersion(top.number);
  $("#hits").innerHTML = "";
  $("#hit-summary").textContent = "";
  meta.showSuggestions(null);
  loadAudit();
}

function loadVersion(number) {
  const v = current.versions.find((x) => x.number === number);
  editing = number;
  setFullText(v.text ?? "");
  $("#editing-label").textContent = `基于第 ${number} 版（${STATES[v.state] ?? v.state}）`;
  $("#hit-label").textContent = `测试第 ${number} 版`;
  meta.refresh();
  loadChunks(number);
}

function livePreview() {
  $("#live").innerHTML = renderMarkdown($("#text").value);
}

async function loadChunks(number) {
  const label = $("#chunk-label");
  label.textContent = `第 ${number} 版，加载中…`;
  const result = await guarded(() => api(`${docPath(current.doc_id)}/versions/${number}/preview`));
  if (!result) return;
  label.textContent = `第 ${number} 版，共 ${result.chunks.length} 块`;
  $("#chunks").innerHTML = result.chunks.map((c) => `<li data-chunk="${escapeHtml(c.chunk_id)}">
    <span class="locator">${escapeHtml(c.locator || c.heading || "")}</span> <span class="muted small">${escapeHtml(c.chunk_id)}</span>
    <pre>${escapeHtml(c.text)}</pre></li>`).join("");
}

async function hitTest(event) {
  event.preventDefault();
  const query = $("#hit-query").value.trim();
  if (!query) return;
  const number = editing;
  $("#hit-summary").textContent = "检索中…";
  const result = await guarded(() =>
    api(`${docPath(current.doc_id)}/versions/${number}/hit-test`, { method: "POST", body: { query, k: 10 } }));
  if (!result) return void ($("#hit-summary").textContent = "");
  const ranked = result.chunks.filter((c) => c.rank != null).sort((a, b) => a.rank - b.rank);
  $("#hit-summary").textContent = ranked.length && ranked[0].rank <= result.results.length
    ? `第 ${number} 版的「${ranked[0].locator || "正文"}」排第 ${ranked[0].rank} 名（本版共 ${result.chunks.length} 块）。`
    : `第 ${number} 版没有分块进入前 ${result.results.length} 名：考虑在标题或正文中使用伙伴常用的说法。`;
  $("#hits").innerHTML = result.results.map((r) => `<li value="${r.rank}" class="${r.this_document ? "own" : ""}">
    <span class="locator">${escapeHtml(r.title)}${r.locator ? ` · ${escapeHtml(r.locator)}` : ""}</span>
    ${r.this_document ? badge("published", "本文档") : ""} <span class="score">得分 ${r.score.toFixed(3)}</span>
    <pre>${escapeHtml(r.text)}</pre></li>`).join("");
}

function auditDetail(entry) {
  const d = entry.detail ?? {};
  const parts = [];
  if (d.note) parts.push(d.note);
  if (d.to != null) parts.push(`恢复第 ${d.to} 版的内容`);
  if (d.reason) parts.push(`原因：${d.reason}`);
  if (d.recovered) parts.push("启动时自动恢复");
  return parts.join("；");
}

async function loadAudit({ more = false } = {}) {
  const offset = more ? auditOffset : 0;
  const params = new URLSearchParams({ doc_id: current.doc_id, limit: String(AUDIT_PAGE), offset: String(offset) });
  const entries = await guarded(() => api(`/audit?${params}`));
  if (!entries) return;
  auditOffset = offset + entries.length;
  const html = entries.map((e) => `<tr><td>${when(e.at)}</td>
    <td>${escapeHtml(e.detail?.actor_name || who(e.actor))}</td><td>${escapeHtml(AUDIT_NAMES[e.action] ?? e.action)}</td>
    <td>${e.version != null ? `第 ${e.version} 版` : ""}</td><td>${escapeHtml(auditDetail(e))}</td></tr>`).join("");
  if (more) $("#audit").insertAdjacentHTML("beforeend", html);
  else $("#audit").innerHTML = html || '<tr><td colspan="5" class="muted">暂无记录</td></tr>';
  $("#audit-more").hidden = entries.length < AUDIT_PAGE;
}

async function openDoc(docId) {
  const d = await guarded(() => api(docPath(docId)));
  if (!d) return;
  current = d;
  say("");
  renderDoc();
  if (matchMedia("(max-width: 900px)").matches) $("#doc").scrollIntoView({ block: "start" }); // one column: the list is above
}

// Instruction-like text and raw HTML in the version under review: approving needs the box ticked.
const WARNING_KINDS = { instruction: "疑似指令", html: "原始 HTML" };

function renderWarnings(version, reviewable) {
  const open = version.state === "draft" || version.state === "in_review";
  const warnings = open ? version.warnings ?? [] : [];
  $("#review-warnings").hidden = !warnings.length;
  $("#ack-warnings").checked = false;
  $("#ack-warnings").parentElement.hidden = !reviewable;
  $("#warning-list").innerHTML = warnings.map((w) => `<li><b>第 ${w.line} 行 · ${WARNING_KINDS[w.kind] ?? escapeHtml(w.kind)}</b>：
    <code>${escapeHtml(w.excerpt)}</code><br><span class="muted small">${escapeHtml(w.message)}</span></li>`).join("");
  $('#actions [data-act="approve"]').disabled = !reviewable || warnings.length > 0;
}

async function refreshAll() {
  await Promise.all([loadList(), loadQueue()]);
}

async function act(name) {
  const d = current;
  const top = latest();
  const note = $("#note").value.trim();
  const paths = {
    submit: [`${docPath(d.doc_id)}/versions/${top.number}/submit`, undefined],
    approve: [`${docPath(d.doc_id)}/versions/${top.number}/approve`, { note, acknowledge_warnings: $("#ack-warnings").checked }],
    reject: [`${docPath(d.doc_id)}/versions/${top.number}/reject`, { note }],
    retire: [`${docPath(d.doc_id)}/retire`, { note }],
    rollback: [`${docPath(d.doc_id)}/rollback`, { to: Number($("#rollback-to").value), note }],
  };
  if (name === "retire" && !confirm("确定下线此文档？下线后立即不再被检索引用。")) return;
  const [path, body] = paths[name];
  say(name === "approve" ? "正在发布并更新索引…" : `${ACTION_NAMES[name]}中…`);
  const done = await guarded(() => api(path, { method: "POST", body }));
  if (done === undefined) return;
  await openDoc(d.doc_id);
  say(`已${ACTION_NAMES[name]}：第 ${done.number} 版现为「${STATES[done.state] ?? done.state}」。`);
  $("#note").value = "";
  await refreshAll();
}

async function save() {
  const d = current;
  await meta.flush();
  const body = { text: fullText(), note: $("#note").value.trim() };
  let saved;
  try {
    saved = d ? await api(docPath(d.doc_id), { method: "PUT", body }) : await api("/documents", { method: "POST", body });
  } catch (err) {
    if (err instanceof EditorError && err.payload?.problems) meta.showProblems(err.payload.problems);
    say(err instanceof EditorError ? err.message : `出错了：${err.message}`, true);
    return;
  }
  current = saved;
  renderDoc();
  say(d ? `已保存为第 ${saved.latest_version} 版（草稿）。` : `已创建草稿「${saved.title}」（第 1 版）。`);
  $("#note").value = "";
  await refreshAll();
}

/** An uploaded file the server converted but could not save: the text is in the editor, the form names what is missing. */
function openUnsaved(payload, filename) {
  current = null;
  editing = null;
  $("#empty").hidden = true;
  $("#doc").hidden = false;
  $("#doc").dataset.unsaved = "true";
  $("#doc-title").innerHTML = `${escapeHtml(filename)} ${badge("draft", "未保存")}`;
  $("#doc-meta").textContent = "补全元数据后点“创建草稿”。";
  $("#editing-label").textContent = "导入的文件";
  $("#save").textContent = "创建草稿";
  for (const b of document.querySelectorAll("button[data-doc]")) b.removeAttribute("aria-current");
  setFullText(payload.text);
  meta.refresh().then(() => meta.showProblems(payload.problems ?? []));
  meta.showSuggestions(payload.suggestions, true);
  say(payload.detail || "请补全元数据后创建草稿。", true);
  $("#meta-problems").scrollIntoView({ block: "center" });
}

async function diff() {
  const a = $("#diff-a").value, b = $("#diff-b").value;
  const result = await guarded(() => api(`${docPath(current.doc_id)}/diff?a=${a}&b=${b}`));
  if (!result) return;
  const cell = (line, text, side) => `<td class="ln">${line ?? ""}</td><td class="txt ${side}">${escapeHtml(text ?? "")}</td>`;
  const head = `<tr><th></th><th>第 ${a} 版</th><th></th><th>第 ${b} 版</th></tr>`;
  $("#diff").innerHTML = head + result.rows.map((r) => `<tr class="${escapeHtml(r.op)}">${cell(r.a_line, r.a_text, "a")}${cell(r.b_line, r.b_text, "b")}</tr>`).join("");
  if (!result.rows.some((r) => r.op !== "equal")) say("两个版本内容相同。");
}

function readBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] ?? "");
    reader.onerror = () => reject(new EditorError("读取文件失败。"));
    reader.readAsDataURL(file);
  });
}

async function upload(event) {
  event.preventDefault();
  const file = $("#upload-file").files[0];
  if (!file) return say("请先选择文件。", true);
  if (!/\.(md|markdown|txt|docx|pdf|html?)$/i.test(file.name)) return say("不支持的文件类型：请上传 .md、.txt、.docx、.pdf 或 .html 文件。", true);
  if (file.size > 10 * 1024 * 1024) return say("文件过大：上限 10 MB。", true);
  say("正在上传并转换…");
  let created;
  try {
    created = await api("/documents", { method: "POST", body: { filename: file.name, content_base64: await readBase64(file) } });
  } catch (err) {
    if (err instanceof EditorError && err.status === 422 && typeof err.payload?.text === "string") {
      $("#upload").reset();
      return openUnsaved(err.payload, file.name);
    }
    return say(err instanceof EditorError ? err.message : `出错了：${err.message}`, true);
  }
  $("#upload").reset();
  current = created;
  renderDoc();
  meta.showSuggestions(created.suggestions, true);
  say(`已创建草稿「${created.title}」（第 1 版）：请核对元数据后保存。`);
  await refreshAll();
}

// -- wiring --------------------------------------------------------------------------------------
async function start() {
  const who_ = await guarded(() => request("GET", "/api/me"));
  if (!who_) return;
  me = who_.user;
  csrf = who_.csrf_token || null;
  $("#whoami").textContent = `${me?.name || me?.email || ""}（${me?.role === "admin" ? "管理员" : "编辑"}）`;
  options($("#filters [name=kind]"), KINDS);
  options($("#filters [name=industry]"), INDUSTRIES);
  options($("#filters [name=status]"), STATES);
  $("#filters").addEventListener("change", () => loadList());
  $("#doc-more").addEventListener("click", () => loadList({ more: true }));
  $("#hit-form").addEventListener("submit", hitTest);
  $("#audit-more").addEventListener("click", () => loadAudit({ more: true }));
  $("#upload").addEventListener("submit", upload);
  $("#save").addEventListener("click", save);
  $("#diff-run").addEventListener("click", diff);
  $("#health-load").addEventListener("click", loadHealth);
  meta = new MetadataForm({
    form: $("#meta-form"), problems: $("#meta-problems"), whyBox: $("#meta-why-box"), api: (path, opts) => api(path, opts),
    text: { get: fullText, set: setFullText, inputs: [$("#yaml"), $("#text")] },
  });
  $("#text").addEventListener("input", livePreview);
  $("#ack-warnings").addEventListener("change", (e) => {
    $('#actions [data-act="approve"]').disabled = !(latest().state === "in_review" && !current.approve_refusal && e.target.checked);
  });
  $("#actions").addEventListener("click", (e) => { const b = e.target.closest("[data-act]"); if (b) act(b.dataset.act); });
  $("#versions").addEventListener("click", (e) => { const b = e.target.closest("[data-load]"); if (b) loadVersion(Number(b.dataset.load)); });
  document.addEventListener("click", (e) => { const b = e.target.closest("button[data-doc]"); if (b) openDoc(b.dataset.doc); });
  $("#logout").addEventListener("click", async () => {
    await guarded(() => request("POST", "/api/auth/logout"));
    location.assign("/login");
  });
  await Promise.all([refreshAll(), loadHealth()]);
  document.body.dataset.ready = "true";
}

start();
