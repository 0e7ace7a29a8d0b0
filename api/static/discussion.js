// One thread: posts with their mentions, replies (PII warning first), reports; editors hide posts, lock, hide the thread.

import { $, call, el, isEditor, me, ready, showError, when } from "./cases-common.js";
import { piiBox } from "./discussion-forms.js";

const id = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
let user = null;

function post(p) {
  const node = el("div", null, { class: `post${p.hidden ? " hidden-post" : ""}`, id: `post-${p.id}`, "data-post": p.id });
  const head = el("div", null, { class: "post-head" });
  head.append(el("strong", p.handle), el("span", when(p.created_at)));
  if (p.hidden) head.append(el("span", "已被编辑隐藏", { class: "pill status-taken_down" }));
  node.append(head, el("div", p.hidden && !p.body ? "（该内容已被编辑隐藏）" : p.body, { class: "post-body" }));
  if (p.mentions.length) {
    const refs = el("div", null, { class: "mentions" });
    for (const m of p.mentions) refs.append(el("a", `${m.partner ? "伙伴案例：" : ""}${m.title}`, { href: m.url, class: "pill" }));
    node.append(refs);
  }
  const bar = el("div", null, { class: "actions small" });
  if (!p.mine && !p.hidden) {
    const report = el("button", "举报", { type: "button", class: "link-button" });
    report.addEventListener("click", async () => {
      const reason = prompt("举报原因（例如：含客户名称、广告、人身攻击）");
      if (!reason) return;
      try {
        await call(`/api/discussions/posts/${p.id}/report`, { method: "POST", body: { reason } });
        report.textContent = "已举报";
        report.disabled = true;
      } catch (error) {
        showError($("#error"), error);
      }
    });
    bar.append(report);
  }
  if (isEditor(user)) {
    const hide = el("button", p.hidden ? "取消隐藏" : "隐藏", { type: "button", class: "link-button" });
    hide.addEventListener("click", async () => {
      await call(`/api/discussions/posts/${p.id}/hide`, { method: "POST", body: { hidden: !p.hidden } });
      load();
    });
    bar.append(hide);
  }
  node.append(bar);
  return node;
}

async function load() {
  let thread;
  try {
    thread = await call(`/api/discussions/${encodeURIComponent(id)}`);
  } catch (error) {
    showError($("#error"), error);
    return;
  }
  $("#thread").hidden = false;
  $("#title").textContent = thread.title;
  document.title = `${thread.title} · 渠道参谋`;
  $("#meta").replaceChildren(el("span", `${thread.topic_kind_label}：${thread.topic_label}`, { class: "pill" }), el("span", `发起：${thread.handle}`),
    el("span", `${thread.posts} 帖`));
  $("#posts").replaceChildren(...thread.posts.map(post));
  const editor = isEditor(user);
  $("#moderation").hidden = !editor;
  $("#lock").textContent = thread.locked ? "解除锁定" : "锁定";
  $("#hide-thread").textContent = thread.hidden ? "取消隐藏讨论" : "隐藏讨论";
  $("#locked").hidden = !thread.locked;
  $("#reply-card").hidden = thread.locked && !editor;
  $("#moderation").dataset.locked = thread.locked;
  $("#moderation").dataset.hidden = thread.hidden;
}

async function start() {
  user = (await me()).user;
  $("#lock").addEventListener("click", async () => {
    await call(`/api/discussions/${encodeURIComponent(id)}/lock`, { method: "POST", body: { locked: $("#moderation").dataset.locked !== "true" } });
    load();
  });
  $("#hide-thread").addEventListener("click", async () => {
    await call(`/api/discussions/${encodeURIComponent(id)}/hide`, { method: "POST", body: { hidden: $("#moderation").dataset.hidden !== "true" } });
    load();
  });
  const form = $("#reply");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError($("#reply-error"), null);
    try {
      await call(`/api/discussions/${encodeURIComponent(id)}/posts`, { method: "POST", body: { body: form.body.value, acknowledge_pii: form.acknowledge_pii.checked } });
      form.reset();
      piiBox($("#pii"), $("#ack-label"), null);
      await load();
    } catch (error) {
      if (!piiBox($("#pii"), $("#ack-label"), error)) showError($("#reply-error"), error);
    }
  });
  await load();
  ready();
}

start().catch((error) => showError($("#error"), error));
