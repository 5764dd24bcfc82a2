{% autoescape off %}/* taizhang service worker — rendered by taizhang.web.pwa.service_worker.
 * Caches the shell (styles, scripts, icons, the offline notice) and static files only.
 * Pages carry ledger data: navigations always go to the network and their responses are
 * never stored; without a network the static offline notice is shown instead. */
"use strict";
const CACHE = "{{ cache_name }}";
const SHELL = {{ shell }};
const STATIC = {{ static_prefix }};
const OFFLINE = {{ offline }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  // Drop the shells of earlier versions.
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("taizhang-shell-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === "navigate") {
    // Network only: a page is never cached; offline, the static notice stands in.
    event.respondWith(fetch(req).catch(() => caches.match(OFFLINE)));
    return;
  }
  if (!url.pathname.startsWith(STATIC)) return;  // API, downloads, exports: the network's business
  // Static files: answer from the cache, refresh it in the background.
  event.respondWith(
    caches.open(CACHE).then((cache) =>
      cache.match(req).then((hit) => {
        const fresh = fetch(req).then((resp) => {
          if (resp.ok && resp.type === "basic") cache.put(req, resp.clone());
          return resp;
        });
        return hit || fresh;
      })
    )
  );
});
{% endautoescape %}
