// 渠道参谋 web chat: wiring of the page. The HTTP contract is docs/api.md; rendering is in views.js
// and markdown.js; the SSE reader is sse.js. Every string shown to the user lives in STRINGS.

import { createActionBar } from "./actions.js";
import { ApiError, chat, deleteConversation, getConversation, getShared, listConversations, logout, me } from "./api.js";
import { layoutBrief, openAllForPrint } from "./brief.js";
import { STRINGS } from "./strings.js";
import {
  addNotice, consume, disableChoices, newReply, renderBody, seal, setSources, showChoices, sourcePanel,
} from "./turn.js";
import { createViews, h, icon } from "./views.js";

export { STRINGS };

const S = STRINGS;
const MAX_CHARS = 2000;
const views = createViews(S);
const actionBar = createActionBar(S, views, (err) => friendly(err));
const $ = (id) => document.getElementById(id);
const ui = {
  sidebar: $("sidebar"), backdrop: $("backdrop"), history: $("history"), historyEmpty: $("history-empty"),
  messages: $("messages"), welcome: $("welcome"), starters: $("starters"), form: $("composer"), input: $("input"),
  send: $("send"), stop: $("stop"), counter: $("counter"), formError: $("form-error"), openSidebar: $("open-sidebar"),
  panel: $("source-panel"), panelNumber: $("source-number"), panelTitle: $("source-title"), panelBody: $("source-body"),
};
const state = { conversationId: null, controller: null, replies: new WeakMap(), account: null, user: null, readOnly: false };
let sources = null; // the source panel (turn.js), wired in start()

// -- small helpers ---------------------------------------------------------------------------------
function friendly(err) {
  if (err instanceof ApiError) {
    if (err.code) return S.errors.stream + (err.message || S.errors.generic);
    if (err.status === 404) return S.errors.notFound;
    if (err.status === 400 || err.status === 422) return `${S.errors.invalid}${err.message ? "：" + err.message : ""}`;
    if (err.status === 429) return S.errors.busy;
    if (err.status >= 500) return S.errors.server;
    return err.message || S.errors.generic;
  }
  return S.errors.network;
}

function showFormError(message) {
  ui.formError.textContent = message;
  ui.formError.hidden = !message;
}

function scrollToBottom() {
  ui.messages.scrollTop = ui.messages.scrollHeight;
}

/** The view stays at the start of a new reply (a long brief is read from its profile and summary down). */
function showFromStart(node) {
  ui.messages.scrollTop += node.getBoundingClientRect().top - ui.messages.getBoundingClientRect().top - 8;
}

function updateComposer() {
  const length = ui.input.value.length;
  ui.counter.textContent = `${length}/${MAX_CHARS}`;
  ui.counter.classList.toggle("warn", length > MAX_CHARS * 0.9);
  ui.send.disabled = !ui.input.value.trim() || length > MAX_CHARS;
  ui.input.style.height = "auto";
  ui.input.style.height = `${Math.min(ui.input.scrollHeight, 200)}px`;
}

function setStreaming(on) {
  ui.send.hidden = on;
  ui.stop.hidden = !on;
  ui.form.classList.toggle("streaming", on);
}

function setLocation(id) {
  history.replaceState(null, "", id ? `#/c/${encodeURIComponent(id)}` : location.pathname);
}

// -- messages --------------------------------------------------------------------------------------
function addUserMessage(text) {
  ui.welcome.hidden = true;
  const node = h("article", { class: "msg msg-user" }, h("div", { class: "bubble" }, text));
  ui.messages.append(node);
  return node;
}

function createReply({ streaming = false } = {}) {
  ui.welcome.hidden = true;
  const reply = newReply(S, { brief: true, footer: true });
  state.replies.set(reply.root, reply);
  ui.messages.querySelectorAll(".msg-assistant[style]").forEach((node) => { node.style.minHeight = ""; });
  // Room below a new reply, so its question can sit at the top of the view while the reply streams in.
  if (streaming) reply.root.style.minHeight = `${Math.max(0, ui.messages.clientHeight - 120)}px`;
  ui.messages.append(reply.root);
  return reply;
}

function applyProfile(reply, profile) {
  reply.profile = profile;
  reply.profileSlot.replaceChildren(views.profileCard(profile));
}

function renderReply(reply) {
  renderBody(reply);
}

function scheduleRender(reply) {
  if (reply.renderPending) return;
  reply.renderPending = true;
  const run = () => {
    if (!reply.renderPending) return;
    reply.renderPending = false;
    renderReply(reply);
  };
  requestAnimationFrame(run);
  setTimeout(run, 120); // rAF does not fire in background tabs
}

function finishReply(reply, { stopped = false, error = null } = {}) {
  reply.renderPending = false;
  renderReply(reply);
  if (reply.mode === "brief" && !stopped && !error) layoutBrief(reply.body, S);
  seal(reply, S, { stopped, error, place: (node) => reply.footer.before(node) });
  if (reply.sources.length && reply.content) reply.footer.before(views.sourceList(reply.sources));
  const context = { conversationId: state.conversationId, signedIn: Boolean(state.user), readOnly: state.readOnly };
  if (!error && !stopped && reply.content) reply.footer.replaceChildren(...actionBar(reply, context));
}

function offerChoices(reply, choices) {
  showChoices(reply, choices, (value) => ask(value), S);
}

// -- asking ----------------------------------------------------------------------------------------
async function ask(raw) {
  const text = raw.trim();
  if (!text || state.controller) return;
  if (text.length > MAX_CHARS) return showFormError(S.tooLong);
  showFormError("");
  disableChoices(ui.messages);
  const question = addUserMessage(text);
  ui.input.value = "";
  updateComposer();
  const reply = createReply({ streaming: true });
  showFromStart(question);
  const controller = new AbortController();
  state.controller = controller;
  setStreaming(true);
  let accepted = false;
  try {
    await state.account; // the CSRF token of a logged-in user must be known before posting
    const events = chat({ message: text, conversationId: state.conversationId, signal: controller.signal });
    const done = await consume(events, reply, {
      meta: (data) => {
        accepted = true;
        state.conversationId = data.conversation_id;
        reply.messageId = data.message_id;
        setLocation(state.conversationId);
      },
      profile: (data) => applyProfile(reply, data),
      render: scheduleRender,
      choices: (list) => offerChoices(reply, list),
      done: (data) => {
        reply.messageId = data.message_id || reply.messageId;
        state.conversationId = data.conversation_id || state.conversationId;
      },
      error: (data) => new ApiError(0, data.message, data.code || "error"),
    });
    if (!done) throw new ApiError(0, S.errors.incomplete, "incomplete");
    finishReply(reply);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return toLogin(); // login required (TOP_REQUIRE_LOGIN)
    if (controller.signal.aborted) finishReply(reply, { stopped: true });
    else if (!accepted) {
      // Never reached the server's chat (4xx, network): undo the exchange and keep the text.
      question.remove();
      reply.root.remove();
      ui.welcome.hidden = ui.messages.querySelector(".msg") !== null;
      showFormError(friendly(err));
    } else finishReply(reply, { error: friendly(err) });
    if (!controller.signal.aborted && !ui.input.value) {
      ui.input.value = text;
      updateComposer();
    }
  } finally {
    state.controller = null;
    setStreaming(false);
    refreshHistory();
  }
}

// -- conversations ---------------------------------------------------------------------------------
async function refreshHistory() {
  let items;
  try {
    ({ items } = await listConversations());
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return toLogin();
    ui.historyEmpty.hidden = false;
    ui.historyEmpty.textContent = S.historyError;
    return;
  }
  ui.history.replaceChildren(...items.map(historyItem));
  ui.historyEmpty.hidden = items.length > 0;
  ui.historyEmpty.textContent = S.historyEmpty;
}

function historyItem(item) {
  const title = item.title || item.customer || S.untitled;
  const open = h("button", { type: "button", class: "history-open", "data-id": item.id,
    "aria-current": item.id === state.conversationId ? "true" : null },
    h("span", { class: "history-title" }, title),
    h("span", { class: "history-meta muted small" },
      [item.customer && item.customer !== title ? item.customer : "", views.formatDate(item.updated_at)].filter(Boolean).join(" · ")));
  open.addEventListener("click", () => openConversation(item.id));
  const remove = h("button", {
    type: "button", class: "history-delete icon-button", "aria-label": `${S.deleteChat}：${title}`, title: S.deleteChat,
  }, icon("trash"));
  remove.addEventListener("click", async () => {
    if (!remove.classList.contains("confirm")) {
      remove.classList.add("confirm");
      remove.textContent = S.confirmDelete;
      setTimeout(() => { remove.classList.remove("confirm"); remove.replaceChildren(icon("trash")); }, 4000);
      return;
    }
    try {
      await deleteConversation(item.id);
      if (item.id === state.conversationId) newChat();
    } catch (err) {
      showFormError(friendly(err));
    }
    refreshHistory();
  });
  return h("li", { class: "history-item" }, open, remove);
}

function clearMessages() {
  state.controller?.abort();
  sources.hide();
  setReadOnly(false);
  ui.messages.querySelectorAll(".msg").forEach((node) => node.remove());
  ui.welcome.hidden = false;
  showFormError("");
}

function newChat() {
  clearMessages();
  state.conversationId = null;
  setLocation(null);
  ui.history.querySelectorAll("[aria-current]").forEach((node) => node.removeAttribute("aria-current"));
  closeDrawer();
  ui.input.focus();
}

async function openConversation(id, { shared = false } = {}) {
  let conversation;
  try {
    conversation = await (shared ? getShared(id) : getConversation(id));
  } catch (err) {
    if (shared && err instanceof ApiError && err.status === 401) return toLogin();
    showFormError(friendly(err));
    if (err instanceof ApiError && err.status === 404) setLocation(null);
    return;
  }
  clearMessages();
  state.conversationId = conversation.id;
  setReadOnly(Boolean(conversation.read_only));
  if (!state.readOnly) setLocation(conversation.id);
  const messages = conversation.messages || [];
  let lastReply = null;
  messages.forEach((message, index) => {
    if (message.role === "user") {
      addUserMessage(message.content);
      return;
    }
    const reply = createReply();
    Object.assign(reply, {
      messageId: message.id, mode: message.mode, feedback: message.feedback ?? null, content: message.content || "",
    });
    if (message.profile) applyProfile(reply, message.profile);
    setSources(reply, message.sources || []);
    (message.notices || []).forEach((notice) => addNotice(reply, notice));
    // `status` (complete | interrupted | error | pending): only complete replies take feedback.
    const status = message.status || "complete";
    finishReply(reply, { stopped: status === "interrupted", error: status === "error" ? S.errors.saved : null });
    if (message.choices?.length && index === messages.length - 1 && !state.readOnly) offerChoices(reply, message.choices);
    lastReply = reply;
  });
  ui.history.querySelectorAll(".history-open").forEach((node) =>
    node.dataset.id === conversation.id ? node.setAttribute("aria-current", "true") : node.removeAttribute("aria-current"));
  closeDrawer();
  if (lastReply) showFromStart(lastReply.root);
  else scrollToBottom();
}

/** A colleague's shared conversation is read, not continued: no composer, a banner saying so. */
function setReadOnly(on) {
  state.readOnly = on;
  ui.form.hidden = on;
  $("read-only-banner")?.remove();
  if (on) ui.messages.prepend(h("p", { id: "read-only-banner", class: "notice read-only" }, S.readOnly));
}

// -- panels: history drawer (mobile) and source panel ----------------------------------------------
function openDrawer() {
  ui.sidebar.classList.add("open");
  ui.backdrop.hidden = false;
  ui.openSidebar.setAttribute("aria-expanded", "true");
  $("close-sidebar").focus();
}

function closeDrawer() {
  if (!ui.sidebar.classList.contains("open")) return;
  ui.sidebar.classList.remove("open");
  ui.backdrop.hidden = true;
  ui.openSidebar.setAttribute("aria-expanded", "false");
}

// -- account ---------------------------------------------------------------------------------------
function toLogin() {
  location.assign(`/login?next=${encodeURIComponent(location.pathname + location.hash)}`);
}

async function showAccount() {
  const box = $("account");
  let user;
  try {
    user = await me();
  } catch {
    return; // the chat still works; the account area stays hidden
  }
  state.user = user || null;
  if (user) {
    const out = h("button", { type: "button", class: "link-button", id: "logout", onclick: async () => {
      try {
        await logout();
      } finally {
        location.assign("/login");
      }
    } }, S.logout);
    const name = h("span", { class: "account-name", title: user.email }, `${user.name || user.email}（${S.roles[user.role] || user.role}）`);
    const pages = [];
    if (user.role === "admin" || user.role === "partner") pages.push(h("a", { href: "/widgets", class: "account-page-link" }, S.widgetsPage));
    if (user.role === "partner") pages.push(h("a", { href: "/account", class: "account-page-link" }, S.accountPage));
    if (user.role === "admin") pages.push(h("a", { href: "/admin", class: "account-page-link" }, S.adminPage));
    if (user.role === "admin") pages.push(h("a", { href: "/admin/billing", class: "account-page-link" }, S.billingPage));
    if (user.role === "admin" || user.role === "editor") pages.push(h("a", { href: "/editor", class: "account-page-link" }, S.editorPage));
    box.replaceChildren(...pages, name, out);
  } else {
    box.replaceChildren(h("a", { href: "/login?next=/", id: "login-link" }, S.login));
  }
  box.hidden = false;
}

// -- start -----------------------------------------------------------------------------------------
function applyStrings() {
  document.title = S.appName;
  document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = S[node.dataset.i18n]; });
  document.querySelectorAll("[data-i18n-label]").forEach((node) => node.setAttribute("aria-label", S[node.dataset.i18nLabel]));
  document.querySelectorAll("[data-i18n-placeholder]").forEach((node) => { node.placeholder = S[node.dataset.i18nPlaceholder]; });
  ui.starters.replaceChildren(...S.starters.map((text) => {
    const button = h("button", { type: "button", class: "starter" }, text);
    button.addEventListener("click", () => ask(text));
    return button;
  }));
}

function start() {
  applyStrings();
  ui.form.addEventListener("submit", (event) => { event.preventDefault(); ask(ui.input.value); });
  ui.input.addEventListener("input", () => { updateComposer(); if (ui.input.value.length <= MAX_CHARS) showFormError(""); });
  ui.input.addEventListener("keydown", (event) => {
    // Enter sends; Shift+Enter is a newline; Enter that confirms an IME candidate is left alone.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      ask(ui.input.value);
    }
  });
  ui.stop.addEventListener("click", () => state.controller?.abort());
  $("new-chat").addEventListener("click", newChat);
  $("new-chat-top").addEventListener("click", newChat);
  ui.openSidebar.addEventListener("click", openDrawer);
  $("close-sidebar").addEventListener("click", closeDrawer);
  ui.backdrop.addEventListener("click", closeDrawer);
  sources = sourcePanel(
    { panel: ui.panel, number: ui.panelNumber, title: ui.panelTitle, body: ui.panelBody, close: $("close-source"), messages: ui.messages },
    views, (node) => state.replies.get(node),
  );
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !sources.hide()) closeDrawer();
  });
  updateComposer();
  state.account = showAccount();
  refreshHistory();
  let restore = null; // Ctrl+P prints every section of every brief (a nested beforeprint keeps the first list)
  window.addEventListener("beforeprint", () => { restore = restore || openAllForPrint(ui.messages); });
  window.addEventListener("afterprint", () => { restore?.(); restore = null; });
  const shared = location.hash.match(/^#\/shared\/(.+)$/);
  const match = location.hash.match(/^#\/c\/(.+)$/);
  if (shared) state.account.then(() => openConversation(decodeURIComponent(shared[1]), { shared: true }));
  else if (match) openConversation(decodeURIComponent(match[1]));
  else ui.input.focus();
}

start();
