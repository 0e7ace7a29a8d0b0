// The chat page's account area in the top bar: the pages the user's role may open, the name, and 退出 (which also
// removes this browser's offline copy of the user's last brief); a 登录 link for anonymous visitors.

import { logout } from "./api.js";
import { forgetOffline } from "./offline.js";
import { h } from "./views.js";

const PAGES = [ // [href, label key in STRINGS, roles]
  ["/widgets", "widgetsPage", ["admin", "partner"]],
  ["/account", "accountPage", ["partner"]],
  ["/admin", "adminPage", ["admin"]],
  ["/admin/billing", "billingPage", ["admin"]],
  ["/editor", "editorPage", ["admin", "editor"]],
];

export function renderAccount(box, user, S) {
  if (!user) {
    box.replaceChildren(h("a", { href: "/login?next=/", id: "login-link" }, S.login));
  } else {
    const out = h("button", { type: "button", class: "link-button", id: "logout", onclick: async () => {
      forgetOffline();
      try {
        await logout();
      } finally {
        location.assign("/login");
      }
    } }, S.logout);
    const label = `${user.name || user.email}（${S.roles[user.role] || user.role}）`;
    const name = h("span", { class: "account-name", title: user.email }, label);
    const pages = PAGES.filter(([, , roles]) => roles.includes(user.role))
      .map(([href, label]) => h("a", { href, class: "account-page-link" }, S[label]));
    box.replaceChildren(...pages, name, out);
  }
  box.hidden = false;
}
