// Topic discussions: threads by topic, a new thread with the PII warning and [[id]] mentions; editors see reports.

import { $, call, el, isEditor, me, ready, showError, when } from "./cases-common.js";
import { mentionPicker, piiBox } from "./discussion-forms.js";

let topics = null;

function fillTopics(kindSelect, topicSelect, { any = false } = {}) {
  const kind = kindSelect.value;
  topicSelect.replaceChildren();
  if (any) topicSelect.append(el("option", "全部", { value: "" }));
  for (const t of topics[kind] || []) {
    if (kind === "general" && any) continue;
    topicSelect.append(el("option", `${t.label}（${t.threads}）`, { value: t.topic }));
  }
  topicSelect.disabled = !kind || kind === "general";
}

async function load() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData($("#filters")).entries()) if (value) params.set(name, value);
  const { items } = await call(`/api/discussions?${params}`);
  $("#threads").replaceChildren(...items.map((t) => {
    const li = el("li", null, { "data-thread": t.id });
    li.append(el("a", t.title, { href: t.url }), el("span", ` ${t.topic_kind_label} · ${t.topic_label} · ${t.handle} · ${t.posts} 帖 · ${when(t.last_post_at)}`,
      { class: "muted small" }));
    if (t.locked) li.append(el("span", " 已锁定", { class: "pill" }));
    if (t.hidden) li.append(el("span", " 已隐藏", { class: "pill status-taken_down" }));
    return li;
  }));
  $("#empty").hidden = items.length > 0;
}

async function loadReports() {
  const { items } = await call("/api/discussions/reports");
  $("#reports-card").hidden = false;
  $("#reports").replaceChildren(...items.map((r) => {
    const li = el("li");
    li.append(el("a", `${r.reason}：${r.post.body.slice(0, 60)}`, { href: r.url }));
    const hide = el("button", "隐藏该帖", { type: "button", class: "link-button" });
    hide.addEventListener("click", async () => { await call(`/api/discussions/posts/${r.post_id}/hide`, { method: "POST", body: { hidden: true, reason: r.reason } }); loadReports(); });
    const keep = el("button", "无需处理", { type: "button", class: "link-button" });
    keep.addEventListener("click", async () => { await call(`/api/discussions/reports/${r.id}/resolve`, { method: "POST", body: {} }); loadReports(); });
    li.append(hide, keep);
    return li;
  }));
  if (!items.length) $("#reports").replaceChildren(el("li", "没有待处理的举报", { class: "muted" }));
}

async function start() {
  const user = (await me()).user;
  topics = await call("/api/discussions/topics");
  const filters = $("#filters");
  const form = $("#new-thread");
  for (const k of topics.kinds) {
    filters.topic_kind.append(el("option", k.label, { value: k.id }));
    form.topic_kind.append(el("option", k.label, { value: k.id }));
  }
  fillTopics(filters.topic_kind, filters.topic, { any: true });
  fillTopics(form.topic_kind, form.topic);
  filters.topic_kind.addEventListener("change", () => fillTopics(filters.topic_kind, filters.topic, { any: true }));
  form.topic_kind.addEventListener("change", () => fillTopics(form.topic_kind, form.topic));
  filters.addEventListener("change", load);
  filters.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  mentionPicker($("#mention-q"), $("#mention-results"), form.body);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError($("#new-error"), null);
    try {
      const thread = await call("/api/discussions", { method: "POST", body: {
        topic_kind: form.topic_kind.value, topic: form.topic.value || "", title: form.title.value, body: form.body.value,
        acknowledge_pii: form.acknowledge_pii.checked,
      } });
      location.assign(thread.url);
    } catch (error) {
      if (!piiBox($("#pii"), $("#ack-label"), error)) showError($("#new-error"), error);
    }
  });
  await load();
  if (isEditor(user)) await loadReports();
  ready();
}

start().catch((error) => showError($("#error"), error));
