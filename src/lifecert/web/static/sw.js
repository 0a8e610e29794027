// Offline shell for the phone pages: static assets are cached; every check goes to the server.
const CACHE = "lifecert-v2";  // bump when a cached asset changes
const ASSETS = ["/static/app.css", "/static/m.css", "/static/certify.js", "/static/register-sw.js",
  "/static/icon.svg"];
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)));
});
self.addEventListener("activate", (event) => {  // drop the caches of older versions
  event.waitUntil(caches.keys().then((keys) => Promise.all(
    keys.filter((key) => key !== CACHE).map((key) => caches.delete(key)))));
});
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || !url.pathname.startsWith("/static/")) { return; }
  event.respondWith(caches.match(event.request).then((hit) => hit || fetch(event.request)));
});
