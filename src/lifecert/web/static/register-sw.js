// Registers the offline shell of the phone pages (kept out of the page: no inline script).
if ("serviceWorker" in navigator) { navigator.serviceWorker.register("/sw.js").catch(function () {}); }
