// Links to the rankings, case library, discussions and updates pages with the unread-updates badge, on every page that has a
// [data-community-nav] element; and the "关注该客户" buttons of briefs (delegated, so streamed cards work too).

async function me() {
  // /api/session answers anonymous visitors with {user: null} rather than a 401 the console would show
  const response = await fetch("/api/session", { headers: { Accept: "application/json" } });
  const found = response.ok ? await response.json() : null;
  return found?.user ? found : null;
}

let session = null;
const loaded = me().then((found) => (session = found)).catch(() => null);

function link(href, text) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  if (location.pathname === href) a.setAttribute("aria-current", "page");
  return a;
}

export async function renderNav() {
  await loaded;
  for (const nav of document.querySelectorAll("[data-community-nav]")) {
    nav.replaceChildren(link("/", "对话"));
    if (!session) continue;
    nav.append(link("/rankings", "需求排行"), link("/cases", "案例库"), link("/discussions", "讨论"));
    const role = session.user.role;
    if (role !== "partner" && role !== "admin") continue;
    const updates = link("/updates", "客户动态");
    const badge = document.createElement("span");
    badge.className = "badge";
    badge.hidden = true;
    badge.setAttribute("data-updates-badge", "");
    updates.append(badge);
    nav.append(updates);
  }
  await refreshBadge();
}

export async function refreshBadge() {
  const badges = document.querySelectorAll("[data-updates-badge]");
  if (!badges.length) return;
  const response = await fetch("/api/updates/count", { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const { unseen } = await response.json();
  for (const badge of badges) {
    badge.textContent = unseen > 99 ? "99+" : String(unseen);
    badge.hidden = !unseen;
    badge.setAttribute("aria-label", `${unseen} 条未读动态`);
  }
}

export async function watchCustomer(customer) {
  await loaded;
  if (!session) return { ok: false, message: "请先登录后再关注客户" };
  const response = await fetch("/api/watchlist", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": session.csrf_token || "" },
    body: JSON.stringify({ customer }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = Array.isArray(body.detail) ? body.detail.join("；") : body.detail;
    return { ok: false, message: detail || "关注失败，请稍后重试" };
  }
  return { ok: true, message: response.status === 201 ? "已关注，新动态会出现在“客户动态”" : "已在关注列表中" };
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest?.(".watch-customer");
  if (!button || button.disabled) return;
  button.disabled = true;
  const result = await watchCustomer(button.dataset.customer);
  button.textContent = result.ok ? "✓ 已关注" : result.message;
  button.disabled = result.ok;
  if (!result.ok) setTimeout(() => { button.textContent = "关注该客户"; button.disabled = false; }, 4000);
});

renderNav();
