// The actions under a finished reply: 👍/👎 feedback (with an optional comment), copy as Markdown, export as
// Word, PDF or Markdown (rendered by the server, GET /api/messages/{id}/export), print, and share with colleagues.

import { exportUrl, sendFeedback, shareConversation } from "./api.js";
import { openAllForPrint } from "./brief.js";
import { h, icon } from "./views.js";

/**
 * Returns actionBar(reply, {conversationId, signedIn, readOnly}) → [buttons row, comment form];
 * `friendly(err)` turns an error into a message.
 */
export function createActionBar(S, views, friendly) {
  function actionBar(reply, { conversationId = null, signedIn = false, readOnly = false } = {}) {
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
    const takeAway = reply.messageId && (reply.mode === "brief" || reply.mode === "answer");
    const exports = takeAway
      ? ["docx", "pdf", "md"].map((format) => {
        const link = h("a", { class: "chip", "data-action": `export-${format}`, href: exportUrl(reply.messageId, format),
          download: "", title: `${S.exportLabel} ${S.exportAs[format]}` }, icon("download"), S.exportAs[format]);
        link.addEventListener("click", () => { status.textContent = S.exported; });
        return link;
      })
      : [];
    const print = h("button", { type: "button", class: "chip", "data-action": "print" }, S.print);
    print.addEventListener("click", () => printReply(reply.root));
    const share = h("button", { type: "button", class: "chip", "data-action": "share" }, S.share);
    share.addEventListener("click", async () => {
      if (!signedIn) { status.textContent = S.shareNeedsLogin; return; }
      try {
        const { url } = await shareConversation(conversationId);
        const link = new URL(url, location.origin).href;
        status.textContent = ((await copyText(link)) ? S.shared : S.sharedNoCopy) + link;
      } catch (err) {
        status.textContent = friendly(err);
      }
    });
    if (!reply.messageId || readOnly) { up.disabled = true; down.disabled = true; }
    const shareable = takeAway && conversationId && !readOnly ? [share] : [];
    const printable = takeAway ? [print] : [];
    return [h("div", { class: "actions" }, up, down, copy, ...exports, ...printable, ...shareable, status), form];
  }

  /** Prints one reply: the others, the sidebar and the composer are hidden by the print styles. */
  function printReply(root) {
    root.classList.add("print-target");
    document.body.classList.add("print-one");
    const restore = openAllForPrint(root);
    const done = () => {
      root.classList.remove("print-target");
      document.body.classList.remove("print-one");
      restore();
      window.removeEventListener("afterprint", done);
    };
    window.addEventListener("afterprint", done);
    window.print();
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

  return actionBar;
}
