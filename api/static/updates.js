// The /updates page: the organisation's watchlist (add, remove) and what is new for each watched customer.

import { refreshBadge, renderNav } from "./community-nav.js";

const $ = (selector) => document.querySelector(selector);
let csrf = "";
let since = null;

function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text != null) node.textContent = text;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

async function call(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = csrf;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const payload = response.status === 204 ? null : await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(Array.isArray(payload?.detail) ? payload.detail.join("；") : payload?.detail || response.statusText);
  return payload;
}

async function loadWatchlist() {
  const { items } = await call("/api/watchlist");
  const list = $("#watchlist");
  list.replaceChildren();
  for (const item of items) {
    const where = [item.industry_label, item.segment, item.province].filter(Boolean).join(" · ");
    const remove = el("button", "×", { type: "button", class: "link-button", "aria-label": `取消关注 ${item.customer}` });
    remove.addEventListener("click", async () => {
      await call(`/api/watchlist/${encodeURIComponent(item.id)}`, { method: "DELETE" });
      await Promise.all([loadWatchlist(), loadUpdates()]);
    });
    list.append(el("li", null, { "data-customer": item.customer }));
    list.lastChild.append(el("strong", item.customer), el("span", where, { class: "muted small" }), remove);
  }
  $("#watch-empty").hidden = items.length > 0;
}

async function loadUpdates() {
  const body = await call(`/api/updates${since ? `?since=${encodeURIComponent(since)}` : ""}`);
  $("#since").textContent = `自 ${body.since.slice(0, 16).replace("T", " ")}（UTC）以来`;
  const groups = new Map();
  for (const item of body.items) {
    if (!groups.has(item.customer)) groups.set(item.customer, []);
    groups.get(item.customer).push(item);
  }
  const root = $("#updates");
  root.replaceChildren();
  for (const [customer, items] of groups) {
    const section = el("section", null, { class: "update-customer", "data-customer": customer });
    section.append(el("h4", customer));
    const list = el("ul", null, { class: "update-group" });
    for (const item of items) {
      const row = el("li", null, { "data-doc": item.doc_id });
      if (item.new) row.append(el("span", "新", { class: "new-tag" }));
      row.append(el("a", item.title, { href: item.url }), el("span", ` ${item.published_at.slice(0, 10)}`, { class: "muted small" }),
        el("span", item.why, { class: "why" }));
      list.append(row);
    }
    section.append(list);
    root.append(section);
  }
  $("#updates-empty").hidden = body.items.length > 0;
}

async function start() {
  const me = await call("/api/me");
  csrf = me.csrf_token || "";
  $("#watch-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.target).entries());
    $("#watch-error").hidden = true;
    try {
      await call("/api/watchlist", { method: "POST", body: { customer: data.customer, region: data.region || null } });
      event.target.reset();
      await Promise.all([loadWatchlist(), loadUpdates()]);
    } catch (error) {
      $("#watch-error").textContent = error.message;
      $("#watch-error").hidden = false;
    }
  });
  $("#mark-seen").addEventListener("click", async () => {
    await call("/api/updates/seen", { method: "POST" });
    since = null;
    await Promise.all([loadUpdates(), refreshBadge()]);
  });
  $("#show-90").addEventListener("click", async () => {
    since = new Date(Date.now() - 90 * 864e5).toISOString();
    await loadUpdates();
  });
  await Promise.all([loadWatchlist(), loadUpdates(), renderNav()]);
  document.body.dataset.ready = "true";
}

start();
