// Shared by the case and discussion pages: DOM helpers, JSON calls with the session's CSRF token, labels.
// No inline scripts or handlers anywhere (CSP): pages load modules and attach listeners here.

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

export function el(tag, text = null, attrs = {}) {
  const node = document.createElement(tag);
  if (text != null) node.textContent = text;
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    node.setAttribute(name, value === true ? "" : value);
  }
  return node;
}

let session = null;

export class ApiError extends Error {
  constructor(status, payload) {
    const detail = payload?.detail;
    super(Array.isArray(detail) ? detail.join("；") : detail || `请求失败（${status}）`);
    this.status = status;
    this.payload = payload || {};
  }
}

export async function call(path, { method = "GET", body, headers = {} } = {}) {
  const sent = { Accept: "application/json", ...headers };
  if (body !== undefined) sent["Content-Type"] = "application/json";
  if (method !== "GET" && session?.csrf_token) sent["X-CSRF-Token"] = session.csrf_token;
  const response = await fetch(path, { method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body) });
  const payload = response.status === 204 ? null : await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, payload);
  return payload;
}

export async function me() {
  if (!session) session = await call("/api/me");
  return session;
}

export const isEditor = (user) => user && (user.role === "editor" || user.role === "admin");
export const isPartner = (user) => user && (user.role === "partner" || user.role === "admin");

export function showError(node, error) {
  node.textContent = error ? error.message || String(error) : "";
  node.hidden = !error;
}

export function when(iso) {
  return iso ? iso.slice(0, 16).replace("T", " ") : "";
}

export function caseId() {
  const parts = location.pathname.split("/").filter(Boolean);
  return decodeURIComponent(parts[1] || "");
}

export const STATUS = { draft: "草稿", confirmed: "已确认脱敏", in_review: "审核中", rejected: "已退回", published: "已发布", taken_down: "已下线" };

/** Reads a File as base64 (without the data: prefix) for JSON uploads. */
export function fileBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.onerror = () => reject(new Error(`无法读取文件 ${file.name}`));
    reader.readAsDataURL(file);
  });
}

/** Offers `text` as a file download (Markdown). */
export function saveText(filename, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/markdown;charset=utf-8" }));
  const a = el("a", null, { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function ready() {
  document.body.dataset.ready = "true";
}

/** An idempotency key for one user action (a retry of the same request reuses it). */
export function newKey() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export const ACTIONS = { create: "创建", edit: "修改", submit: "提交审核", approve: "批准", publish: "发布", publish_failed: "发布失败",
  reject: "退回", retire: "下线", purge: "删除" };

/** One line of a case's audit trail. */
export function auditLine(a) {
  return el("li", `${when(a.at)} ${a.actor_name || a.actor}：${ACTIONS[a.action] || a.action}${a.note ? `（${a.note}）` : ""}`);
}
