// The actions under a finished reply: 👍/👎 feedback (with an optional comment), copy as Markdown, export .md.

import { sendFeedback } from "./api.js";
import { h, icon } from "./views.js";

/** Returns actionBar(reply) → [buttons row, comment form]; `friendly(err)` turns an error into a message. */
export function createActionBar(S, views, friendly) {
  function actionBar(reply) {
    const status = h("span", { class: "action-status muted small", role: "status" });
    const rated = typeof reply.feedback === "string" ? reply.feedback : reply.feedback?.rating;
    const rateButton = (rating, label) => h("button", {
      type: "button", class: "chip", "data-action": rating, "aria-pressed": String(rated === rating), title: label, "aria-label": label,
    }, icon(rating));
    const up = rateButton("up", S.up);
    const down = rateButton("down", S.down);
    const comment = h("textarea", {
      maxlength: "1000", rows: "2", "aria-label": S.feedbackCommentPrompt, placeholder: S.feedbackCommentPrompt,
    });
    const form = h("form", { class: "feedback-comment", hidden: true },
      comment, h("button", { type: "submit", class: "chip" }, S.feedbackSubmit));

    const rate = async (rating, text = "") => {
      try {
        await sendFeedback(reply.messageId, rating, text);
        reply.feedback = { rating, comment: text };
        up.setAttribute("aria-pressed", String(rating === "up"));
        down.setAttribute("aria-pressed", String(rating === "down"));
        status.textContent = text ? S.feedbackCommentThanks : S.feedbackThanks;
        return true;
      } catch (err) {
        status.textContent = friendly(err);
        return false;
      }
    };
    up.addEventListener("click", () => { form.hidden = true; rate("up"); });
    down.addEventListener("click", async () => {
      if (await rate("down")) { form.hidden = false; comment.focus(); }
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (comment.value.trim() && (await rate("down", comment.value.trim()))) form.hidden = true;
    });

    const copy = h("button", { type: "button", class: "chip", "data-action": "copy" }, icon("copy"), S.copy);
    copy.addEventListener("click", async () => {
      status.textContent = (await copyText(views.exportMarkdown(reply))) ? S.copied : S.copyFailed;
    });
    const save = h("button", { type: "button", class: "chip", "data-action": "export" }, icon("download"), S.exportMd);
    save.addEventListener("click", () => {
      download(views.exportMarkdown(reply), fileName(reply));
      status.textContent = S.exported;
    });
    if (!reply.messageId) { up.disabled = true; down.disabled = true; }
    return [h("div", { class: "actions" }, up, down, copy, save, status), form];
  }

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Not a secure context (plain http on a LAN address): fall back to a hidden textarea.
      const area = h("textarea", { class: "visually-hidden", readonly: true });
      area.value = text;
      document.body.append(area);
      area.select();
      let ok = false;
      try { ok = document.execCommand("copy"); } catch { ok = false; }
      area.remove();
      return ok;
    }
  }

  function fileName(reply) {
    const name = reply.profile?.name || S.exportFile;
    const stamp = new Date().toISOString().slice(0, 10);
    return `${name}-${stamp}.md`.replace(/[\\/:*?"<>|\s]+/g, "_");
  }

  function download(text, name) {
    const url = URL.createObjectURL(new Blob([text], { type: "text/markdown;charset=utf-8" }));
    const link = h("a", { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  return actionBar;
}
