// The phone pages work offline-first (PWA); a static file, so the pages need no inline script.
if ("serviceWorker" in navigator) { navigator.serviceWorker.register("/sw.js").catch(function () {}); }
