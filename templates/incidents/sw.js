{% load i18n %}// Baikoo service worker: keeps the incident forms, their reference lists and the
// static files on the phone so an observer can file a report with no connection
// (the reports themselves wait in IndexedDB, see static/incidents/offline.js).
// Served by incidents.views.filing.service_worker; version {{ version }}.
const CONFIG = {{ config_json|safe }};
const CACHE = `baikoo-incidents-${CONFIG.version}`;
const PAGES = new Set(CONFIG.pages);
const ASSETS = new Set(CONFIG.assets);
const NETWORK_TIMEOUT_MS = 6000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      // One by one: a page the user may not open must not stop the others being kept.
      Promise.all(
        [...CONFIG.assets, ...CONFIG.pages, CONFIG.reference].map((url) =>
          fetch(url, { credentials: "same-origin" })
            .then((response) => keep(cache, url, response))
            .catch(() => undefined),
        ),
      ),
    ),
  );
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith("baikoo-incidents-") && name !== CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

function keep(cache, key, response) {
  // Never keep a redirect to the sign-in page or an error in place of the page. A form
  // redirects to its own address with a ?draft= id: that page is kept (offline.js gives
  // the copy a fresh id when it is served).
  const samePage =
    !response.redirected ||
    new URL(response.url).pathname === new URL(key, self.location.href).pathname;
  if (response.ok && samePage && response.type === "basic") {
    // A navigation may not be answered with a response marked "redirected": keep a copy.
    const copy = response.redirected
      ? response
          .clone()
          .blob()
          .then(
            (body) =>
              new Response(body, {
                status: response.status,
                statusText: response.statusText,
                headers: response.headers,
              }),
          )
      : Promise.resolve(response.clone());
    return copy.then((stored) => cache.put(key, stored)).then(() => response);
  }
  return Promise.resolve(response);
}

function withTimeout(promise) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), NETWORK_TIMEOUT_MS);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  try {
    const response = await withTimeout(fetch(request));
    if (response.redirected && new URL(response.url).pathname === CONFIG.login) {
      // Signed out: what is kept belongs to the previous session.
      await forgetPages(cache);
      return response;
    }
    return await keep(cache, key, response);
  } catch (error) {
    const cached = await cache.match(key);
    if (cached) return cached;
    if (request.mode === "navigate") return offlinePage();
    throw error;
  }
}

async function cacheFirst(request, key) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(key);
  if (cached) return cached;
  const response = await fetch(request);
  return keep(cache, key, response);
}

async function forgetPages(cache) {
  await Promise.all([...PAGES, CONFIG.reference].map((url) => cache.delete(url)));
}

function offlinePage() {
  const body = `<!doctype html><html lang="${CONFIG.language}"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Baikoo</title>
<link rel="stylesheet" href="${CONFIG.assets[0]}"><main class="wrap"><h1>${CONFIG.offline_title}</h1>
<p>${CONFIG.offline_text}</p><p><a class="button primary" href="${CONFIG.pages[0]}">${CONFIG.offline_link}</a></p></main>`;
  return new Response(body, { headers: { "Content-Type": "text/html; charset=utf-8" } });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (ASSETS.has(url.pathname)) {
    event.respondWith(cacheFirst(request, url.pathname));
  } else if (PAGES.has(url.pathname) && request.mode === "navigate") {
    event.respondWith(networkFirst(request, url.pathname));
  } else if (url.pathname === CONFIG.reference) {
    event.respondWith(networkFirst(request, url.pathname));
  } else if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).then(
        async (response) => {
          if (response.redirected && new URL(response.url).pathname === CONFIG.login) {
            await forgetPages(await caches.open(CACHE));
          }
          return response;
        },
        () => offlinePage(),
      ),
    );
  }
});
