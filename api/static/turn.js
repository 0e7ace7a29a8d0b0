// One chat turn on the page, shared by the web chat (app.js) and the widget (embed.js): the reply's DOM,
// the events of docs/api.md applied to it, and the source panel its [n] markers open.

import { renderMarkdown } from "./markdown.js";
import { h } from "./views.js";

/** A reply record and its DOM (not yet attached). `footer`: a slot for actions under the reply. */
export function newReply(S, { brief = false, footer = false } = {}) {
  const reply = {
    messageId: null, content: "", sources: [], sourceMap: new Map(), profile: null, mode: null, intent: null, feedback: null,
    choices: [],
  };
  reply.profileSlot = h("div", { class: "profile-slot" });
  reply.noticeSlot = h("div", { class: "notices" });
  reply.body = h("div", { class: brief ? "md brief" : "md" });
  reply.choiceSlot = h("div", { class: "choice-slot" });
  reply.typing = h("p", { class: "typing muted" }, h("span", { class: "dots", "aria-hidden": "true" }), S.thinking);
  const parts = [reply.profileSlot, reply.noticeSlot, reply.typing, reply.body, reply.choiceSlot];
  if (footer) parts.push((reply.footer = h("div", { class: "msg-footer" })));
  reply.root = h("article", { class: "msg msg-assistant", "aria-busy": "true" }, ...parts);
  return reply;
}

/**
 * The reply's profile card; once a customer's card is on the page (`root`), a follow-up about the same customer with
 * the same facts shows a one-line reference to it instead of the whole card again.
 */
export function placeProfile(reply, profile, views, root) {
  reply.profile = profile;
  const key = views.profileKey(profile);
  const earlier = [...root.querySelectorAll(".profile-card")]
    .find((card) => card.dataset.key === key && !reply.root.contains(card));
  if (earlier) return reply.profileSlot.replaceChildren(views.profileRef(profile, earlier));
  const card = views.profileCard(profile);
  card.dataset.key = key;
  card.dataset.name = profile.name || "";
  reply.profileSlot.replaceChildren(card);
}

// What a reply without a profile of its own is about, by its intent (assistant/intents.py): these intents are about
// the conversation's current customer, so such a reply points back to that customer's card.
const ABOUT_THE_CUSTOMER = new Set(["customer", "clarify", "focus", "recommend", "cases", "budget", "draft"]);

/** A finished reply that carries no profile but is about the current customer: the line back to the latest card. */
export function referToCustomer(reply, views, root) {
  if (reply.profile || !ABOUT_THE_CUSTOMER.has(reply.intent) || !reply.content) return;
  const cards = [...root.querySelectorAll(".profile-card:not(.unknown)")].filter((card) => !reply.root.contains(card));
  const card = cards[cards.length - 1];
  if (card) reply.profileSlot.replaceChildren(views.profileRef({ name: card.dataset.name }, card));
}

export function setSources(reply, sources) {
  reply.sources = sources;
  reply.sourceMap = new Map(sources.map((s) => [Number(s.n), s]));
}

/**
 * Buttons for the answers a reply offers (`choices` event: [{label, value}]); a click sends `value` as the next
 * message through `choose(value)`. Buttons stay until the conversation moves on (`disableChoices`).
 */
export function showChoices(reply, choices, choose, S) {
  reply.choices = choices || [];
  if (!reply.choices.length) return reply.choiceSlot.replaceChildren();
  const buttons = reply.choices.map((choice) => {
    const button = h("button", { type: "button", class: "choice", "data-value": choice.value }, choice.label);
    button.addEventListener("click", () => choose(choice.value));
    return button;
  });
  reply.choiceSlot.replaceChildren(h("div", { class: "choices", role: "group", "aria-label": S.choicesLabel }, ...buttons));
}

export function disableChoices(root) {
  root.querySelectorAll(".choice").forEach((button) => { button.disabled = true; });
}

export function addNotice(reply, notice) {
  reply.noticeSlot.append(h("p", { class: "notice", "data-code": notice.code || "" }, notice.message || ""));
}

export function renderBody(reply) {
  reply.body.innerHTML = renderMarkdown(reply.content, { sources: reply.sourceMap });
  if (reply.content) reply.typing.hidden = true;
}

/**
 * Apply a stream of `{type, data}` chat events to `reply`. Resolves to whether `done` arrived.
 * hooks: meta(data), profile(data), render(reply) after each delta, choices(list), done(data), and error(data) returning
 * the Error to throw for an `error` event.
 */
export async function consume(events, reply, hooks) {
  let done = false;
  for await (const { type, data } of events) {
    if (type === "meta") hooks.meta(data);
    else if (type === "profile") hooks.profile(data);
    else if (type === "sources") setSources(reply, data.sources || []);
    else if (type === "delta") {
      reply.content = data.replace ? data.text : reply.content + data.text;
      hooks.render(reply);
    } else if (type === "notice") addNotice(reply, data);
    else if (type === "choices") hooks.choices?.(data.choices || []);
    else if (type === "done") {
      done = true;
      reply.mode = data.mode;
      reply.intent = data.intent;
      hooks.done?.(data);
    } else if (type === "error") throw hooks.error(data);
  }
  return done;
}

/** The end of a turn: no more typing dots; a stopped or failed turn says so where `place` puts it. */
export function seal(reply, S, { stopped = false, error = null, place }) {
  reply.typing.hidden = true;
  reply.root.removeAttribute("aria-busy");
  if (reply.mode) reply.root.dataset.mode = reply.mode;
  if (stopped) place(h("p", { class: "notice" }, S.stopped));
  if (error) place(h("p", { class: "error", role: "alert" }, error));
}

/**
 * The source panel: a click on an [n] marker (or a source-list entry) shows that source; Escape or the close
 * button hides it and gives focus back. `replyOf(node)` finds the reply a marker belongs to.
 */
export function sourcePanel({ panel, number, title, body, close, messages }, views, replyOf) {
  let trigger = null;
  const hide = () => {
    if (panel.hidden) return false;
    panel.hidden = true;
    trigger?.classList.remove("active");
    if (trigger?.isConnected) trigger.focus();
    trigger = null;
    return true;
  };
  const show = (reply, n, node) => {
    const source = reply?.sourceMap.get(n);
    if (!source) return;
    number.textContent = `[${n}]`;
    title.textContent = source.title || "";
    body.replaceChildren(...views.sourceDetails(source));
    panel.hidden = false;
    panel.scrollTop = 0;
    document.querySelectorAll(".cite.active").forEach((el) => el.classList.remove("active"));
    node.classList.add("active");
    trigger = node;
    close.focus();
  };
  close.addEventListener("click", hide);
  messages.addEventListener("click", (event) => {
    const node = event.target.closest("a.cite, button.source-ref");
    if (!node) return;
    event.preventDefault();
    show(replyOf(node.closest(".msg-assistant")), Number(node.dataset.n), node);
  });
  return { hide };
}
