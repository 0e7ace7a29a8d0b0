// 渠道参谋 inside a partner's page (the iframe that widget.js opens). The server renders the key's
// look into #widget-config, with an embed session token bound to the embedding origin; this page
// asks through POST /api/widget/{key}/chat (the events of docs/api.md) and renders like the web chat.

import { readSSE } from "./sse.js";
import { STRINGS } from "./strings.js";
import { layoutBrief } from "./brief.js";
import {
  consume, disableChoices, newReply, placeProfile, referToCustomer, renderBody, seal, showChoices, sourcePanel,
} from "./turn.js";
import { createViews, h } from "./views.js";

const config = JSON.parse(document.getElementById("widget-config").textContent);
const S = {
  ...STRINGS,
  greeting: "你好！输入客户名称，我会分析它最可能的 IT 与安全需求；也可以直接提问。每一句事实都有出处。",
  widgetErrors: {
    401: "身份验证失败，请刷新页面或重新登录后再试。",
    403: "此网站暂时无法使用对话服务。",
    429: "提问太频繁，请稍后再试。",
  },
};
const MAX_CHARS = 2000;
const VISITOR_KEY = "top-advisor-visitor";
const views = createViews(S);
const $ = (id) => document.getElementById(id);
const ui = {
  messages: $("messages"), welcome: $("welcome"), form: $("composer"), input: $("input"), send: $("send"), stop: $("stop"),
  formError: $("form-error"), panel: $("source-panel"), panelNumber: $("source-number"), panelTitle: $("source-title"),
  panelBody: $("source-body"),
};
const state = { conversationId: null, controller: null, identity: null, replies: new WeakMap() };
let sources = null; // the source panel (turn.js), wired in start()
const framed = window.parent !== window;

// -- the embedding page: identity token in, close requests out -------------------------------------
let identityArrived;
const identityReady = new Promise((resolve) => { identityArrived = resolve; });
window.addEventListener("message", (event) => {
  if (event.source !== window.parent || event.origin !== config.parentOrigin) return;
  const data = event.data || {};
  if (data.type === "top-advisor:identity") {
    state.identity = typeof data.token === "string" && data.token ? data.token.slice(0, 4096) : null;
    identityArrived();
  }
});

function tellParent(type) {
  if (framed) window.parent.postMessage({ type }, config.parentOrigin);
}

function visitorId() {
  // An anonymous id per browser for the per-visitor daily quota (not an identity: anyone can reset it).
  try {
    let id = localStorage.getItem(VISITOR_KEY);
    if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
      localStorage.setItem(VISITOR_KEY, id);
    }
    return id;
  } catch {
    return null; // storage blocked: the server falls back to the client address
  }
}

// -- requests ---------------------------------------------------------------------------------------
class WidgetError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function refusal(response) {
  let detail = "";
  try {
    detail = (await response.json()).detail;
  } catch {
    detail = "";
  }
  if (Array.isArray(detail)) detail = detail.join("；");
  if (response.status === 422) return new WidgetError(422, `${S.errors.invalid}${detail ? "：" + detail : ""}`);
  if (response.status >= 500) return new WidgetError(response.status, S.errors.server);
  return new WidgetError(response.status, detail || S.widgetErrors[response.status] || S.errors.generic);
}

async function* chat(message, signal) {
  await Promise.race([identityReady, new Promise((resolve) => setTimeout(resolve, framed ? 1500 : 0))]);
  const body = { message, conversation_id: state.conversationId, visitor_id: visitorId() };
  if (state.identity) body.identity_token = state.identity;
  const response = await fetch(`/api/widget/${encodeURIComponent(config.key)}/chat`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream", "X-Embed-Token": config.embedToken },
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok) throw await refusal(response);
  for await (const { event, data } of readSSE(response.body)) {
    try {
      yield { type: event, data: JSON.parse(data) };
    } catch {
      // not JSON: not part of the contract
    }
  }
}

// -- rendering --------------------------------------------------------------------------------------
function showFormError(message) {
  ui.formError.textContent = message;
  ui.formError.hidden = !message;
}

function updateComposer() {
  ui.send.disabled = !ui.input.value.trim() || ui.input.value.length > MAX_CHARS;
  ui.input.style.height = "auto";
  ui.input.style.height = `${Math.min(ui.input.scrollHeight, 160)}px`;
}

function setStreaming(on) {
  ui.send.hidden = on;
  ui.stop.hidden = !on;
}

function createReply() {
  const reply = newReply(S);
  state.replies.set(reply.root, reply);
  ui.messages.append(reply.root);
  return reply;
}

function render(reply) {
  renderBody(reply);
}

function finish(reply, { stopped = false, error = null } = {}) {
  render(reply);
  if (reply.mode === "brief" && !stopped && !error) layoutBrief(reply.body, S);
  seal(reply, S, { stopped, error, place: (node) => reply.root.append(node) });
  referToCustomer(reply, views, ui.messages);
  if (config.showSources && reply.sources.length && reply.content) reply.root.append(views.sourceList(reply.sources));
}

async function ask(raw) {
  const text = raw.trim();
  if (!text || state.controller) return;
  if (text.length > MAX_CHARS) return showFormError(S.tooLong);
  showFormError("");
  ui.welcome.hidden = true;
  disableChoices(ui.messages);
  const question = h("article", { class: "msg msg-user" }, h("div", { class: "bubble" }, text));
  ui.messages.append(question);
  ui.input.value = "";
  updateComposer();
  const reply = createReply();
  // The view stays at the start of the new reply: a brief is read from the top.
  ui.messages.scrollTop += question.getBoundingClientRect().top - ui.messages.getBoundingClientRect().top - 8;
  const controller = new AbortController();
  state.controller = controller;
  setStreaming(true);
  let accepted = false;
  try {
    const done = await consume(chat(text, controller.signal), reply, {
      meta: (data) => {
        accepted = true;
        state.conversationId = data.conversation_id;
      },
      profile: (data) => placeProfile(reply, data, views, ui.messages),
      render,
      choices: (list) => showChoices(reply, list, (value) => ask(value), S),
      error: (data) => new WidgetError(0, S.errors.stream + (data.message || S.errors.generic)),
    });
    if (!done) throw new WidgetError(0, S.errors.incomplete);
    finish(reply);
  } catch (err) {
    const message = err instanceof WidgetError ? err.message : S.errors.network;
    if (controller.signal.aborted) finish(reply, { stopped: true });
    else if (!accepted) {
      // Refused before the chat started (403, 429, 401, network): undo the exchange, keep the text.
      question.remove();
      reply.root.remove();
      ui.welcome.hidden = ui.messages.querySelector(".msg") !== null;
      showFormError(message);
    } else finish(reply, { error: message });
    if (!controller.signal.aborted && !ui.input.value) {
      ui.input.value = text;
      updateComposer();
    }
  } finally {
    state.controller = null;
    setStreaming(false);
  }
}

function newChat() {
  state.controller?.abort();
  sources.hide();
  ui.messages.querySelectorAll(".msg").forEach((node) => node.remove());
  ui.welcome.hidden = false;
  state.conversationId = null;
  showFormError("");
  ui.input.focus();
}

function start() {
  document.documentElement.style.setProperty("--brand", config.colour);
  document.documentElement.style.setProperty("--brand-dark", config.colour);
  $("greeting").textContent = config.greeting || S.greeting;
  $("close-widget").hidden = !framed;
  ui.form.addEventListener("submit", (event) => { event.preventDefault(); ask(ui.input.value); });
  ui.input.addEventListener("input", updateComposer);
  ui.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      ask(ui.input.value);
    }
  });
  ui.stop.addEventListener("click", () => state.controller?.abort());
  $("new-chat").addEventListener("click", newChat);
  $("close-widget").addEventListener("click", () => tellParent("top-advisor:close"));
  sources = sourcePanel(
    { panel: ui.panel, number: ui.panelNumber, title: ui.panelTitle, body: ui.panelBody, close: $("close-source"), messages: ui.messages },
    views, (node) => state.replies.get(node),
  );
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !sources.hide()) tellParent("top-advisor:close");
  });
  updateComposer();
  tellParent("top-advisor:ready");
  ui.input.focus();
}

start();
