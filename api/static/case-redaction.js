// The author's redaction review: original and redacted text side by side, every change with undo/redo, more
// redactions by selecting original text or naming a phrase, the region level, the uniqueness warning, confirm, submit.

import { $, STATUS, call, caseId, el, me, ready, showError } from "./cases-common.js";

const id = caseId();
const base = `/api/cases/${encodeURIComponent(id)}`;
let state = null;

const codePoints = (text) => Array.from(text).length;

function segment(tag, text, key, start) {
  if (!key) return document.createTextNode(text);
  const mark = el("mark", text, { class: tag, "data-key": key });
  if (start != null) mark.dataset.start = start;
  return mark;
}

function renderDiff() {
  const root = $("#diff");
  const head = el("div", null, { class: "diff-head" });
  head.append(el("div", "原文（仅本组织可见）"), el("div", "脱敏后（确认后交给编辑）"));
  const rows = state.rows.filter((row) => row.original.some((s) => s[0].trim())).map((row) => {
    const changed = row.original.some((s) => s[1]);
    const line = el("div", null, { class: `diff-row${changed ? "" : " plain"}` });
    const left = el("div", null, { class: "side-original" });
    const right = el("div", null, { class: "side-redacted" });
    for (const [text, key, start] of row.original) {
      const node = segment("del", text, key, start);
      if (!key) {
        const span = el("span", text);
        span.dataset.start = start;
        left.append(span);
      } else left.append(node);
    }
    for (const [text, key] of row.redacted) right.append(segment("ins", text, key));
    line.append(left, right);
    return line;
  });
  root.replaceChildren(head, ...rows);
}

function renderChanges() {
  const body = $("#changes");
  body.replaceChildren(...state.changes.map((change) => {
    const tr = el("tr", null, { class: change.accepted ? "" : "undone", "data-key": change.key, "data-kind": change.kind });
    const action = el("button", change.accepted ? "撤销" : "恢复", { type: "button", class: "link-button" });
    if (change.source === "region") action.disabled = true;
    action.addEventListener("click", () => toggle(change));
    const cell = el("td");
    cell.append(action);
    if (change.source === "manual") {
      const drop = el("button", "取消删除", { type: "button", class: "link-button" });
      drop.addEventListener("click", () => dropManual(change));
      cell.replaceChildren(drop);
    }
    tr.append(el("td", change.label), el("td", change.original), el("td", change.replacement), cell);
    return tr;
  }));
  $("#change-count").textContent = String(state.changes.filter((c) => c.accepted).length);
  $("#phrases").textContent = state.phrases.length ? `处处删除的词语：${state.phrases.join("、")}` : "";
}

function renderUniqueness() {
  const box = $("#uniqueness");
  const u = state.uniqueness;
  box.hidden = !u;
  $("#ack-label").hidden = !u || u.resolved;
  if (!u) return;
  box.className = `uniqueness ${u.resolved ? "ok" : "warn"}`;
  box.replaceChildren(el("strong", u.unique ? "唯一性提醒：" : "唯一性检查："), document.createTextNode(u.message));
  if (u.unique && u.suggestion) box.append(el("p", u.suggestion));
  if (u.level_message) box.append(el("p", u.level_message));
}

function renderRegion() {
  const root = $("#region-levels");
  const labels = { province: `写到省份（${state.province || "未填"}）`, region: `写到大区（${state.region_of_province || "—"}）`, national: "不写地区（全国）" };
  root.replaceChildren(...Object.entries(labels).map(([value, text]) => {
    const label = el("label");
    const input = el("input", null, { type: "radio", name: "region_level", value });
    input.checked = state.region_level === value;
    input.disabled = !state.province && value !== "national";
    input.addEventListener("change", () => edit({ region_level: value }));
    label.append(input, document.createTextNode(text));
    return label;
  }));
}

function render() {
  const confirmed = state.status === "confirmed";
  $("#status").textContent = `状态：${STATUS[state.status] || state.status}` + (confirmed ? "（已确认，可以提交审核；再做任何修改需要重新确认）" : "");
  $("#submit").hidden = !confirmed;
  $("#confirm").textContent = confirmed ? "重新确认" : "确认脱敏结果";
  const form = $("#confirm-form");
  if (!form.handle.value) form.handle.value = state.handle || "";
  $("#edit-link").href = `/cases/${encodeURIComponent(id)}/edit`;
  const locked = !["draft", "confirmed", "rejected", "taken_down"].includes(state.status);
  for (const button of document.querySelectorAll("main button, main input")) if (locked) button.disabled = true;
  renderUniqueness();
  renderRegion();
  renderDiff();
  renderChanges();
}

async function edit(changes) {
  showError($("#error"), null);
  try {
    state = await call(`${base}/redaction`, { method: "PUT", body: changes });
    render();
  } catch (error) {
    showError($("#error"), error);
  }
}

function undone() {
  return state.changes.filter((c) => c.source === "engine" && !c.accepted).map((c) => c.key);
}

function toggle(change) {
  const keys = new Set(undone());
  if (change.accepted) keys.add(change.key); else keys.delete(change.key);
  return edit({ undone: [...keys] });
}

function dropManual(change) {
  const manual = state.manual.filter((m) => `${m.start}:${m.end}` !== change.key);
  const phrases = state.phrases.filter((p) => p !== change.original);
  return edit({ manual, phrases });
}

/** The selected original text as code-point offsets [start, end), or null. */
function selectedSpan() {
  const selection = getSelection();
  if (!selection || selection.isCollapsed) return null;
  const offsetOf = (node, offset) => {
    const holder = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    const owner = holder?.closest?.("[data-start]");
    if (!owner || !owner.closest(".side-original")) return null;
    const text = node.nodeType === Node.TEXT_NODE ? node.textContent.slice(0, offset) : "";
    return Number(owner.dataset.start) + codePoints(text);
  };
  const a = offsetOf(selection.anchorNode, selection.anchorOffset);
  const b = offsetOf(selection.focusNode, selection.focusOffset);
  if (a == null || b == null || a === b) return null;
  return [Math.min(a, b), Math.max(a, b)];
}

async function start() {
  await me();
  try {
    state = await call(`${base}/redaction`);
  } catch (error) {
    showError($("#error"), error);
    ready();
    return;
  }
  render();
  $("#redact-selection").addEventListener("click", () => {
    const span = selectedSpan();
    if (!span) return showError($("#error"), new Error("请先在左边的原文里选中要删除的文字"));
    return edit({ manual: [...state.manual, { start: span[0], end: span[1] }] });
  });
  $("#add-phrase").addEventListener("click", () => {
    const phrase = $("#phrase").value.trim();
    if (!phrase) return showError($("#error"), new Error("请输入要删除的词语"));
    $("#phrase").value = "";
    return edit({ phrases: [...state.phrases, phrase] });
  });
  $("#confirm-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError($("#error"), null);
    const form = event.target;
    try {
      await call(`${base}/confirm`, { method: "POST", body: {
        handle: form.handle.value.trim(), anonymous: form.anonymous.checked,
        acknowledge_uniqueness: form.acknowledge_uniqueness.checked, text_sha256: state.text_sha256,
      } });
      state = await call(`${base}/redaction`);
      render();
    } catch (error) {
      showError($("#error"), error);
    }
  });
  $("#submit").addEventListener("click", async () => {
    showError($("#error"), null);
    try {
      await call(`${base}/submit`, { method: "POST" });
      location.assign(`/cases/${encodeURIComponent(id)}`);
    } catch (error) {
      showError($("#error"), error);
    }
  });
  ready();
}

start().catch((error) => showError($("#error"), error));
