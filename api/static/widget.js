/*
 * 渠道参谋 widget loader. Paste into any page of an allowed origin:
 *   <script src="https://HOST/widget.js" data-widget="wk_…" async></script>
 * Look-only attributes: data-position="left|right", data-colour="#rrggbb", data-label="在线咨询".
 * End-user identity (optional): data-identity-token="<JWT>" or window.TopAdvisor.identify(token).
 * Nothing here can change what the assistant says: the key's settings live on the server.
 */
(() => {
  "use strict";
  const script = document.currentScript || document.querySelector('script[src*="/widget.js"][data-widget]');
  if (!script) return;
  const key = script.dataset.widget || "";
  if (!/^wk_[0-9a-f]{20}$/.test(key)) {
    console.error("[渠道参谋] data-widget 不是有效的小组件密钥（wk_…）：", key);
    return;
  }
  const base = new URL(script.src, location.href).origin;
  const colour = /^#[0-9a-f]{6}$/i.test(script.dataset.colour || "") ? script.dataset.colour : "";
  const left = script.dataset.position === "left";
  const label = (script.dataset.label || "在线咨询").slice(0, 40);
  let identity = script.dataset.identityToken || null;
  let iframe = null;

  const host = document.createElement("div");
  host.setAttribute("data-top-advisor", key);
  const root = host.attachShadow({ mode: "open" });
  const side = left ? "left" : "right";
  const accent = colour || "#1f6feb";
  root.innerHTML = `<style>
    :host { all: initial; }
    .launcher { position: fixed; ${side}: 20px; bottom: 20px; z-index: 2147483000; display: flex; align-items: center; gap: 8px;
      height: 56px; min-width: 56px; padding: 0 18px; border: 0; border-radius: 28px; background: ${accent}; color: #fff;
      font: 600 15px/1 system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; cursor: pointer;
      box-shadow: 0 6px 20px rgb(0 0 0 / 0.25); }
    .launcher:focus-visible { outline: 3px solid #5aa9d6; outline-offset: 2px; }
    .launcher svg { width: 24px; height: 24px; fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; }
    .panel { position: fixed; ${side}: 20px; bottom: 88px; z-index: 2147483001; width: 390px; height: min(640px, calc(100vh - 110px));
      border-radius: 14px; overflow: hidden; background: #fff; box-shadow: 0 12px 40px rgb(0 0 0 / 0.3); }
    .panel[hidden] { display: none; }
    iframe { display: block; width: 100%; height: 100%; border: 0; }
    @media (max-width: 480px) {
      .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; }
      :host([data-open]) .launcher { display: none; }
    }
  </style>
  <button type="button" class="launcher" part="launcher" aria-expanded="false">
    <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 5h16v11H9l-5 4z"/></svg><span class="label"></span>
  </button>
  <div class="panel" part="panel" hidden></div>`;
  const launcher = root.querySelector(".launcher");
  const panel = root.querySelector(".panel");
  root.querySelector(".label").textContent = label;
  launcher.setAttribute("aria-label", label);

  function sendIdentity() {
    if (iframe && iframe.contentWindow) {
      // Only our own page may receive it: targetOrigin is the server's origin.
      iframe.contentWindow.postMessage({ type: "top-advisor:identity", token: identity }, base);
    }
  }

  function open() {
    if (!iframe) {
      iframe = document.createElement("iframe");
      const params = new URLSearchParams({ origin: location.origin });
      if (colour) params.set("colour", colour);
      iframe.src = `${base}/embed/${key}?${params}`;
      iframe.title = label;
      iframe.referrerPolicy = "origin"; // the server checks the embedding origin from the Referer
      panel.append(iframe);
    }
    panel.hidden = false;
    host.setAttribute("data-open", "");
    launcher.setAttribute("aria-expanded", "true");
    iframe.focus();
  }

  function close() {
    panel.hidden = true;
    host.removeAttribute("data-open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
  window.addEventListener("message", (event) => {
    if (!iframe || event.source !== iframe.contentWindow || event.origin !== base) return;
    const type = event.data && event.data.type;
    if (type === "top-advisor:ready") sendIdentity();
    else if (type === "top-advisor:close") close();
  });

  window.TopAdvisor = {
    open,
    close,
    /** Pass (or clear, with null) the end user's identity token signed by your backend. */
    identify(token) {
      identity = typeof token === "string" && token ? token : null;
      sendIdentity();
    },
  };
  (document.body || document.documentElement).append(host);
})();
