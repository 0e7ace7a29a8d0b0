// 渠道参谋's service worker, served as /sw.js (scope "/") by api/routes/pwa.py, which fills in VERSION (a hash of
// the shell's files) and SHELL (their paths). It keeps the app shell (the chat page, its CSS, JS and icons) so the
// page opens without a network; the page itself shows the last brief from its own storage (static/offline.js).
//
// Nothing else passes through it: API calls, other pages and other users' data are never cached here. Shell files
// are fetched from the network first (always fresh when online) and served from the cache only when that fails.

const VERSION = "__VERSION__";
const SHELL = ["__SHELL__"];
const PREFIX = "top-shell-";
const CACHE = PREFIX + VERSION;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((names) =>
      Promise.all(names.filter((name) => name.startsWith(PREFIX) && name !== CACHE).map((name) => caches.delete(name)))),
  );
});

async function networkElseShell(request, path) {
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(path, copy)).catch(() => {});
    }
    return response;
  } catch (err) {
    const cached = await caches.match(path, { cacheName: CACHE });
    if (cached) return cached;
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !SHELL.includes(url.pathname)) return; // the network, untouched
  event.respondWith(networkElseShell(request, url.pathname));
});
