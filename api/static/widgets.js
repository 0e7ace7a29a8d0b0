// The partner's widget keys (/widgets): list, create, edit, rotate the secret, delete, copy the snippet, preview,
// and the sites a key recently refused (one click adds one to the allowed list). Form errors are shown under
// their field. The JSON API is /api/widget-keys (README, "Embed in your portal"); writes carry the CSRF token.

import { h } from "./views.js";

const app = document.getElementById("widgets-app");
const csrf = app.dataset.csrf || "";
const ui = {
  list: document.getElementById("widget-list"), empty: document.getElementById("widgets-empty"),
  status: document.getElementById("widgets-status"), secretBox: document.getElementById("secret-box"),
  editor: document.getElementById("widget-editor"),
};
const S = {
  enabled: "已启用", disabled: "已停用", origins: "允许的网站", noOrigins: "未设置（任何网站都无法嵌入）",
  quotas: "配额", perUser: "每位访客每天 {n} 次", perKey: "每分钟共 {n} 次", identity: "需要访客身份令牌",
  hiddenSources: "不显示来源", copySnippet: "复制嵌入代码", edit: "编辑", rotate: "轮换密钥", remove: "删除",
  confirmRotate: "确认轮换？旧密钥立即失效", confirmRemove: "确认删除？", copied: "已复制", copyFailed: "复制失败，请手动选择复制",
  secretOnce: "密钥只显示这一次：请立即复制并保存到你的服务器，用于签发访客身份令牌。不要放进网页或前端代码。",
  secret: "密钥", snippet: "嵌入代码（粘贴到允许的网站页面中）", copy: "复制", close: "我已保存，关闭",
  newTitle: "新建小组件", editTitle: "编辑小组件", save: "保存", create: "创建", cancel: "取消", saved: "已保存",
  removed: "已删除", failed: "操作失败：", network: "网络连接失败，请重试。",
  preview: "预览", previewHint: "在新标签页打开预览：不需要先把网站加入允许列表",
  refusedTitle: "最近被拒绝的网站：它们嵌入了这个小组件，但不在“允许嵌入的网站来源”中",
  refusedItem: "{origin}（{count} 次，最近 {when}）", allow: "加入允许列表", allowedNow: "已把 {origin} 加入允许列表",
  formInvalid: "请先改正标出的字段。",
  check: {
    title: "请填写窗口标题。", quota: "请填写 1 到 100000 之间的整数。",
    notUrl: "不是网址：{line}（应形如 https://portal.example.com）", scheme: "须以 http:// 或 https:// 开头：{line}",
    credentials: "不能包含用户名或密码：{line}", path: "只填协议、域名和端口，不要带路径或参数：{line}（应为 {origin}）",
    tooMany: "最多 20 个来源。",
  },
  fields: {
    title: "窗口标题", greeting: "欢迎语（可选）", colour: "主色", allowed_origins: "允许嵌入的网站来源（每行一个，例如 https://portal.example.com；支持 https://*.example.com）",
    show_sources: "显示来源与引用", quota_per_user_day: "每位访客每天最多提问", quota_per_key_minute: "每分钟最多提问（整个小组件）",
    require_identity: "必须携带访客身份令牌（由你的服务器用密钥签发）", enabled: "启用",
  },
};

class RequestError extends Error {
  constructor(status, details) {
    super(details.join("；"));
    this.status = status;
    this.details = details; // the server's messages, each "field: message" when it names a field
  }
}

async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = csrf;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401) location.assign("/login?next=/widgets");
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail; } catch { /* not JSON */ }
    throw new RequestError(response.status, (Array.isArray(detail) ? detail : [detail]).map(String));
  }
  return response.status === 204 ? null : response.json();
}

function say(message, { error = true } = {}) {
  ui.status.textContent = message;
  ui.status.className = error ? "form-error" : "notice";
  ui.status.hidden = !message;
}

async function guarded(action) {
  try {
    return await action();
  } catch (err) {
    say(err instanceof TypeError ? S.network : S.failed + err.message);
    return undefined;
  }
}

const snippet = (id) => `<script src="${location.origin}/widget.js" data-widget="${id}" async></script>`;

async function copy(text, button) {
  let ok = true;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = h("textarea", { class: "visually-hidden", readonly: true });
    area.value = text;
    document.body.append(area);
    area.select();
    try { ok = document.execCommand("copy"); } catch { ok = false; }
    area.remove();
  }
  const label = button.textContent;
  button.textContent = ok ? S.copied : S.copyFailed;
  setTimeout(() => { button.textContent = label; }, 2000);
}

function copyRow(label, value, name) {
  const button = h("button", { type: "button", class: "chip", "data-copy": name }, S.copy);
  button.addEventListener("click", () => copy(value, button));
  return h("div", { class: "copy-row" }, h("span", { class: "muted small" }, label),
    h("div", { class: "copy-line" }, h("code", { class: `${name}-value` }, value), button));
}

/** Shows a secret (and the snippet) once; nothing keeps it after the box is closed. */
function showSecret(key, secret) {
  const close = h("button", { type: "button", class: "primary" }, S.close);
  close.addEventListener("click", () => { ui.secretBox.hidden = true; ui.secretBox.replaceChildren(); });
  ui.secretBox.replaceChildren(h("p", { class: "notice" }, S.secretOnce), copyRow(S.secret, secret, "secret"),
    copyRow(S.snippet, snippet(key.id), "snippet"), close);
  ui.secretBox.hidden = false;
  ui.secretBox.scrollIntoView({ block: "nearest" });
}

function twoStep(label, confirm, action) {
  const button = h("button", { type: "button", class: "link-button" }, label);
  button.addEventListener("click", async () => {
    if (!button.dataset.armed) {
      button.dataset.armed = "1";
      button.textContent = confirm;
      setTimeout(() => { delete button.dataset.armed; button.textContent = label; }, 4000);
      return;
    }
    await action();
  });
  return button;
}

const when = (t) => new Date(t).toLocaleString("zh-CN", { hour12: false, month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });

/** The sites that embedded this key without being allowed: the usual localhost / 127.0.0.1 or www slip. */
function refusedBox(key) {
  const items = key.refused_origins.map((r) => {
    const allow = h("button", { type: "button", class: "chip", "data-allow": r.origin }, S.allow);
    allow.addEventListener("click", () => guarded(async () => {
      await api(`/api/widget-keys/${key.id}`, { method: "PATCH", body: { allowed_origins: [...key.allowed_origins, r.origin] } });
      await refresh();
      say(S.allowedNow.replace("{origin}", r.origin), { error: false });
    }));
    const text = S.refusedItem.replace("{origin}", r.origin).replace("{count}", r.count).replace("{when}", when(r.last_seen));
    return h("li", { "data-origin": r.origin }, h("span", {}, text), allow);
  });
  return h("div", { class: "refused-box" }, h("p", { class: "refused-title" }, S.refusedTitle), h("ul", {}, items));
}

function keyItem(key) {
  const facts = [
    key.allowed_origins.length ? key.allowed_origins.join("、") : S.noOrigins,
    `${S.quotas}：${S.perUser.replace("{n}", key.quota_per_user_day)}，${S.perKey.replace("{n}", key.quota_per_key_minute)}`,
    key.require_identity ? S.identity : "", key.show_sources ? "" : S.hiddenSources,
  ].filter(Boolean);
  const copyButton = h("button", { type: "button", class: "chip", "data-action": "snippet" }, S.copySnippet);
  copyButton.addEventListener("click", () => copy(snippet(key.id), copyButton));
  const preview = h("a", { class: "chip", href: `/widgets/${key.id}/preview`, target: "_blank", rel: "noopener",
    "data-action": "preview", title: S.previewHint }, S.preview);
  const edit = h("button", { type: "button", class: "link-button", "data-action": "edit" }, S.edit);
  edit.addEventListener("click", () => openEditor(key));
  const rotate = twoStep(S.rotate, S.confirmRotate, () => guarded(async () => {
    const { secret } = await api(`/api/widget-keys/${key.id}/rotate-secret`, { method: "POST" });
    showSecret(key, secret);
  }));
  const remove = twoStep(S.remove, S.confirmRemove, () => guarded(async () => {
    await api(`/api/widget-keys/${key.id}`, { method: "DELETE" });
    say(S.removed, { error: false });
    refresh();
  }));
  return h("li", { class: "widget-item", "data-id": key.id },
    h("div", { class: "widget-title" }, h("span", { class: "swatch", "data-colour": key.colour }), h("strong", {}, key.title),
      h("span", { class: `badge ${key.enabled ? "on" : "off"}` }, key.enabled ? S.enabled : S.disabled)),
    h("code", { class: "widget-id" }, key.id),
    h("ul", { class: "widget-facts muted small" }, facts.map((f) => h("li", {}, f))),
    key.refused_origins?.length ? refusedBox(key) : null,
    h("div", { class: "widget-actions" }, copyButton, preview, edit, rotate, remove));
}

function field(name, input) {
  input.name = name;
  input.id = `field-${name}`;
  if (input.type === "checkbox") return h("label", { class: "check" }, input, S.fields[name]);
  const error = h("p", { class: "field-error", id: `error-${name}`, role: "alert", hidden: true });
  input.setAttribute("aria-describedby", error.id);
  return h("div", { class: "field" }, h("label", { for: input.id }, S.fields[name], input), error);
}

/** What is wrong with the allowed origins as typed (the server checks again), or "". */
function checkOrigins(lines) {
  if (lines.length > 20) return S.check.tooMany;
  for (const line of lines) {
    let url;
    try { url = new URL(line); } catch { return S.check.notUrl.replace("{line}", line); }
    if (!/^https?:$/.test(url.protocol)) return S.check.scheme.replace("{line}", line);
    if (url.username || url.password) return S.check.credentials.replace("{line}", line);
    if (url.pathname !== "/" || url.search || url.hash || /[?#]/.test(line)) {
      return S.check.path.replace("{line}", line).replace("{origin}", url.origin);
    }
  }
  return "";
}

function checkForm(els, origins) {
  const quota = (v) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 100000 ? "" : S.check.quota);
  return {
    title: els.title.value.trim() ? "" : S.check.title,
    allowed_origins: checkOrigins(origins),
    quota_per_user_day: quota(els.quota_per_user_day.value),
    quota_per_key_minute: quota(els.quota_per_key_minute.value),
  };
}

/** Messages under their fields; what names no field goes above the buttons. Focuses the first field in error. */
function showErrors(form, byField, general = []) {
  let first = null;
  for (const box of form.querySelectorAll(".field-error")) {
    const name = box.id.replace(/^error-/, "");
    const message = byField[name] || "";
    box.textContent = message;
    box.hidden = !message;
    form.elements[name]?.setAttribute("aria-invalid", message ? "true" : "false");
    if (message && !first) first = form.elements[name];
  }
  const status = form.querySelector(".form-status");
  status.textContent = general.join("；");
  status.hidden = !general.length;
  if (first) {
    first.focus();
    first.scrollIntoView({ block: "center" });
  } else if (general.length) status.scrollIntoView({ block: "center" });
}

/** The server's 422 messages ("allowed_origins: 来源必须以 …") under their fields. */
function serverErrors(form, err) {
  const byField = {}, general = [];
  for (const detail of err.details ?? [err.message]) {
    const match = /^([a-z_]+)(?:\.\d+)?: (.+)$/s.exec(detail);
    if (match && form.querySelector(`#error-${match[1]}`)) byField[match[1]] = match[2];
    else general.push(detail);
  }
  showErrors(form, byField, general.length ? [S.failed + general.join("；")] : []);
}

function openEditor(key = null) {
  const v = key || { title: "渠道参谋", greeting: "", colour: "#1f6feb", allowed_origins: [], show_sources: true,
    quota_per_user_day: 50, quota_per_key_minute: 60, require_identity: false, enabled: true };
  const input = (attrs, value) => { const node = h("input", attrs); node.value = value; return node; };
  const check = (value) => { const node = h("input", { type: "checkbox" }); node.checked = value; return node; };
  const origins = h("textarea", { rows: "3", placeholder: "https://portal.example.com" });
  origins.value = v.allowed_origins.join("\n");
  const greeting = h("textarea", { rows: "2", maxlength: "1000" });
  greeting.value = v.greeting;
  const cancel = h("button", { type: "button", class: "link-button" }, S.cancel);
  const form = h("form", { id: "widget-form", class: "stack" },
    field("title", input({ type: "text", maxlength: "100", required: true }, v.title)),
    field("greeting", greeting),
    field("colour", input({ type: "color" }, v.colour)),
    field("allowed_origins", origins),
    field("quota_per_user_day", input({ type: "number", min: "1", max: "100000", required: true }, v.quota_per_user_day)),
    field("quota_per_key_minute", input({ type: "number", min: "1", max: "100000", required: true }, v.quota_per_key_minute)),
    field("show_sources", check(v.show_sources)),
    field("require_identity", check(v.require_identity)),
    field("enabled", check(v.enabled)),
    h("p", { class: "form-error form-status", role: "alert", hidden: true }),
    h("div", { class: "widget-actions" }, h("button", { type: "submit", class: "primary" }, key ? S.save : S.create), cancel));
  form.noValidate = true; // our messages, in Chinese, under the field
  cancel.addEventListener("click", () => { ui.editor.hidden = true; });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const els = form.elements;
    const origins = els.allowed_origins.value.split(/[\s,，、]+/).filter(Boolean);
    const problems = checkForm(els, origins);
    showErrors(form, problems);
    if (Object.values(problems).some(Boolean)) return;
    const body = {
      title: els.title.value, greeting: els.greeting.value, colour: els.colour.value, allowed_origins: origins,
      quota_per_user_day: Number(els.quota_per_user_day.value), quota_per_key_minute: Number(els.quota_per_key_minute.value),
      show_sources: els.show_sources.checked, require_identity: els.require_identity.checked, enabled: els.enabled.checked,
    };
    let saved;
    try {
      saved = await api(key ? `/api/widget-keys/${key.id}` : "/api/widget-keys", { method: key ? "PATCH" : "POST", body });
    } catch (err) {
      if (err instanceof RequestError) serverErrors(form, err);
      else showErrors(form, {}, [S.network]);
      return;
    }
    ui.editor.hidden = true;
    say(key ? S.saved : "", { error: false });
    if (!key) showSecret(saved, saved.secret);
    refresh();
  });
  ui.editor.replaceChildren(h("h2", {}, key ? S.editTitle : S.newTitle), form);
  ui.editor.hidden = false;
  form.elements.title.focus();
}

async function refresh() {
  const data = await guarded(() => api("/api/widget-keys"));
  if (!data) return;
  ui.list.replaceChildren(...data.items.map(keyItem));
  ui.list.querySelectorAll(".swatch").forEach((node) => { node.style.background = node.dataset.colour; });
  ui.empty.hidden = data.items.length > 0;
}

document.getElementById("new-widget").addEventListener("click", () => openEditor());
refresh();
