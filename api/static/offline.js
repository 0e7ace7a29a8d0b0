// The last brief, kept in this browser for offline reading: the page's own storage (localStorage), one copy per
// logged-in user, never the service worker's cache. Saved when a reply completes; removed on logout, on the login
// page, whenever the server says nobody is logged in, and for every other user when someone logs in.

const USER_KEY = "top-offline-user";
const BRIEF_PREFIX = "top-last-brief:";
const MODES = new Set(["brief", "answer"]); // replies worth reading again (not questions back or "not found")

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // blocked (private mode, policy): offline reading is simply unavailable
  }
}

/** Forgets every stored brief except `keepUser`'s (all of them when it is null). */
function dropBriefs(store, keepUser = null) {
  for (let i = store.length - 1; i >= 0; i--) {
    const key = store.key(i);
    if (key?.startsWith(BRIEF_PREFIX) && key !== BRIEF_PREFIX + keepUser) store.removeItem(key);
  }
}

/** Called with the logged-in user's id (or null when nobody is logged in) each time the page learns it. */
export function rememberUser(userId) {
  const store = storage();
  if (!store) return;
  if (!userId) return forgetOffline();
  store.setItem(USER_KEY, userId);
  dropBriefs(store, userId);
}

/** Logout and the login page: nothing of the previous user stays behind. */
export function forgetOffline() {
  const store = storage();
  if (!store) return;
  store.removeItem(USER_KEY);
  dropBriefs(store);
}

/** Keeps a completed reply as the current user's last brief. `question`: what was asked. */
export function saveLastBrief(reply, question) {
  const store = storage();
  const userId = store?.getItem(USER_KEY);
  if (!store || !userId || !reply.content || !MODES.has(reply.mode)) return false;
  const copy = {
    question, savedAt: new Date().toISOString(), mode: reply.mode, content: reply.content,
    sources: reply.sources, profile: reply.profile,
  };
  try {
    store.setItem(BRIEF_PREFIX + userId, JSON.stringify(copy));
    return true;
  } catch {
    return false; // over quota: keep the page working
  }
}

/** The current user's last brief, or null. */
export function loadLastBrief() {
  const store = storage();
  const userId = store?.getItem(USER_KEY);
  if (!userId) return null;
  try {
    const copy = JSON.parse(store.getItem(BRIEF_PREFIX + userId) || "null");
    return copy && typeof copy.content === "string" ? copy : null;
  } catch {
    return null;
  }
}
