// sw.js — owns working offline after the first visit (a lecture hall's Wi-Fi): this service worker
// keeps every file of the site (page, code, wasm module, data bundle, titles, vendored uPlot) in a
// cache named after the build (`sw-build.js`, written by scripts/build-web.sh with a hash of those
// files and their list), serves them from there first, and drops the caches of other builds, so a
// new build replaces the old one on the next visit. Anything not in the list goes to the network.
// (So a browser that has the offline copy sees edits to www/ only after `make web` writes a new
// sw-build.js: editing without a build, bypass the service worker in the browser's developer tools.)

importScripts('./sw-build.js'); // self.MEMBERLENS_BUILD, self.MEMBERLENS_ASSETS

const CACHE = `memberlens-${self.MEMBERLENS_BUILD}`;
const SCOPE = new URL('./', self.location).href;
const ASSETS = new Set(self.MEMBERLENS_ASSETS.map((a) => new URL(a, SCOPE).href));

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll([...ASSETS])).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('memberlens-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  url.hash = '';
  if (e.request.method !== 'GET' || !ASSETS.has(url.href)) return;
  e.respondWith(caches.open(CACHE).then((c) => c.match(url.href)).then((hit) => hit || fetch(e.request)));
});
