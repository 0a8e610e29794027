// The live player: one big button; fetches a short-lived signed URL from the app, plays it with
// hls.js (or the phone's own HLS), renews the URL before it expires, and reconnects by itself
// after a network error or while the host has not started yet. No eval (the page's CSP).
(function () {
  "use strict";
  var video = document.getElementById("live-video");
  var button = document.getElementById("live-play");
  var state = document.getElementById("live-state");
  if (!video || !button) { return; }
  var hls = null, renewTimer = null, retryTimer = null, retryDelay = 2000;

  function say(which) { if (state && state.dataset[which]) { state.textContent = state.dataset[which]; } }

  function fetchUrl() {
    return fetch(video.dataset.play, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error("play " + r.status); } return r.json(); });
  }

  function retry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(start, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 15000);
  }

  function scheduleRenew(info) {
    clearTimeout(renewTimer);
    var ms = Math.max(10000, (info.expires * 1000 - Date.now()) * 0.6);
    renewTimer = setTimeout(function () {
      fetchUrl().then(function (next) { load(next, true); }).catch(function () { retry(); });
    }, ms);
  }

  function load(info, renewing) {
    scheduleRenew(info);
    if (window.Hls && window.Hls.isSupported()) {
      var position = renewing && info.on_demand ? video.currentTime : -1;
      if (hls) { hls.destroy(); }
      hls = new window.Hls({enableWorker: false, lowLatencyMode: false,
                            liveSyncDurationCount: 3, manifestLoadingMaxRetry: 6});
      hls.on(window.Hls.Events.ERROR, function (_e, data) {
        if (data.fatal) { say("reconnecting"); hls.destroy(); hls = null; retry(); }
      });
      hls.on(window.Hls.Events.MANIFEST_PARSED, function () {
        if (position > 0) { video.currentTime = position; }
        video.play().catch(function () {});
      });
      hls.loadSource(info.url);
      hls.attachMedia(video);
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = info.url;  // Safari and most phones play HLS natively
      video.play().catch(function () {});
    }
  }

  function start() {
    button.hidden = true;
    fetchUrl().then(function (info) { retryDelay = 2000; load(info, false); })
      .catch(function () { say("waiting"); retry(); });
  }

  video.addEventListener("playing", function () { say("playing"); video.dataset.state = "playing"; });
  video.addEventListener("error", function () { say("reconnecting"); retry(); });
  button.addEventListener("click", start);

  var stats = document.getElementById("live-watching");
  if (stats && stats.dataset.stats) {  // the host page: viewer count every 10 s
    setInterval(function () {
      fetch(stats.dataset.stats, {credentials: "same-origin"}).then(function (r) { return r.json(); })
        .then(function (s) {
          stats.textContent = s.watching;
          document.getElementById("live-total").textContent = s.total;
        }).catch(function () {});
    }, 10000);
  }
})();
// The host page: a note when new questions arrived (every 10 s), the page itself lists them.
(function () {
  "use strict";
  var note = document.getElementById("questions-new");
  if (!note || !note.dataset.poll) { return; }
  setInterval(function () {
    fetch(note.dataset.poll, {credentials: "same-origin"}).then(function (r) { return r.json(); })
      .then(function (rows) { note.hidden = rows.length === Number(note.dataset.count); })
      .catch(function () {});
  }, 10000);
})();
