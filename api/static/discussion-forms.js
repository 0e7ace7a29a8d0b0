// The PII warning box and the [[id]] mention picker of the discussion forms.

import { ApiError, call, el } from "./cases-common.js";

export function piiBox(box, ack, error) {
  const findings = error instanceof ApiError ? error.payload.findings : null;
  box.hidden = !findings;
  ack.hidden = !findings;
  if (!findings) return false;
  const list = el("ul");
  for (const f of findings) list.append(el("li", `${f.label}：“${f.original}”`));
  box.replaceChildren(el("strong", "发布前提醒：内容里可能有可识别的信息，请修改；确认无妨可勾选“仍然发布”。"), list);
  return true;
}

export function mentionPicker(input, results, textarea) {
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      if (!q) return results.replaceChildren();
      const { items } = await call(`/api/discussions/mentionable?q=${encodeURIComponent(q)}`);
      results.replaceChildren(...items.map((item) => {
        const li = el("li");
        const button = el("button", `${item.partner ? "【伙伴案例】" : ""}${item.title}`, { type: "button", class: "link-button" });
        button.addEventListener("click", () => {
          textarea.value += `${textarea.value && !textarea.value.endsWith(" ") ? " " : ""}[[${item.id}]]`;
          results.replaceChildren();
          input.value = "";
        });
        li.append(button);
        return li;
      }));
    }, 250);
  });
}
