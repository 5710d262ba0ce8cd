/* The phone app's service worker, served at /sw.js and registered for the scope /field/ (shanzhi/field/views.py
   fills in the version and the fingerprinted asset list). It keeps the app shell for offline use:
   - static assets: cache first (their names change with their content);
   - the /field/ pages: network first, the last good copy when there is no connection;
   - everything else (the API, other pages, every POST) goes to the network untouched: the page's own queue
     (IndexedDB, field.js) holds what was entered offline. */
"use strict";
const VERSION = "__VERSION__";
const ASSETS = __ASSETS__;
const SHELL = "sz-field-shell-" + VERSION;
const PAGES = "sz-field-pages";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(
    keys.filter((k) => k.startsWith("sz-field-shell-") && k !== SHELL).map((k) => caches.delete(k))
  )).then(() => self.clients.claim()));
});

function isPage(url) {
  return url.pathname.startsWith("/field/") && !url.pathname.endsWith(".webmanifest");
}

async function pageFirstFromNetwork(request) {
  const cache = await caches.open(PAGES);
  try {
    const response = await fetch(request);
    const type = response.headers.get("Content-Type") || "";
    if (response.ok && !response.redirected && type.startsWith("text/html")) {
      await cache.put(request.url.split("?")[0], response.clone());
    }
    return response;
  } catch (err) {
    const copy = await cache.match(request.url.split("?")[0]);
    if (copy) return copy;
    throw err;
  }
}

async function assetFromCache(request) {
  const hit = await caches.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) (await caches.open(SHELL)).put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(assetFromCache(request));
  } else if (isPage(url)) {
    event.respondWith(pageFirstFromNetwork(request));
  }
});
