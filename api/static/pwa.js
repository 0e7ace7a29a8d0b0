// The chat page as an installable app: it registers the service worker (/sw.js, api/routes/pwa.py), shows a small
// "添加到主屏幕" button where the browser offers installation (beforeinstallprompt), a short instruction on iOS
// Safari (which has no such event), and in the built-in browsers of messaging apps — where neither installing nor
// offline reading works — a message saying so and how to open the page in the system browser.

import { h } from "./views.js";

const DISMISSED = "top-install-hint-dismissed";
// The in-app browsers' own tokens; QQ's is "QQ/" (MQQBrowser alone is QQ's standalone browser, which can install).
const IN_APP = [[/MicroMessenger\//i, "微信"], [/DingTalk/i, "钉钉"], [/\bQQ\//, "QQ"]];

/** The messaging app whose built-in browser this is ("微信", "QQ", "钉钉"), or null. */
export function inAppBrowser(ua = navigator.userAgent) {
  return IN_APP.find(([pattern]) => pattern.test(ua))?.[1] ?? null;
}

function iosSafari(ua) {
  const ios = /iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);
  return ios && /Safari\//.test(ua) && !/CriOS|FxiOS|EdgiOS|OPiOS/.test(ua);
}

function installed() {
  return window.matchMedia?.("(display-mode: standalone)").matches || navigator.standalone === true;
}

function remembered(set = false) {
  try {
    if (set) localStorage.setItem(DISMISSED, "1");
    return localStorage.getItem(DISMISSED) === "1";
  } catch {
    return false;
  }
}

/** Fills `slot` (a hidden bar under the top bar) with `text`, an optional action and a close button. */
function show(slot, S, text, { action = null, kind = "", remember = false } = {}) {
  const close = h("button",
    { type: "button", class: "icon-button pwa-close", "aria-label": S.pwa.close, title: S.pwa.close }, "×");
  close.addEventListener("click", () => {
    slot.hidden = true;
    if (remember) remembered(true);
  });
  slot.className = `pwa-hint ${kind}`.trim();
  slot.replaceChildren(h("span", { class: "pwa-text" }, text), action, close);
  slot.hidden = false;
}

export function startPwa(S, slot) {
  const app = inAppBrowser();
  if (app) return show(slot, S, S.pwa.inApp.replaceAll("{app}", app), { kind: "warn", action: null });
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  if (installed() || remembered()) return;
  if (iosSafari(navigator.userAgent)) show(slot, S, S.pwa.ios, { remember: true });
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault(); // our button instead of the browser's own banner
    const button = h("button", { type: "button", class: "chip", id: "install-app" }, S.pwa.install);
    button.addEventListener("click", async () => {
      slot.hidden = true;
      await event.prompt();
    });
    show(slot, S, S.pwa.installText, { action: button, remember: true });
  });
  window.addEventListener("appinstalled", () => { slot.hidden = true; });
}
