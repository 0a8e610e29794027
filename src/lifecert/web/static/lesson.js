// A recorded lesson: HLS through the vendored hls.js (Chromium has no native HLS), native
// playback where the browser has it (Safari). Students' pages post their position.
(function () {
  "use strict";
  var video = document.getElementById("lesson-player");
  if (!video) { return; }
  var src = video.dataset.src;
  if (video.dataset.subtitles) {
    var track = document.createElement("track");
    track.kind = "subtitles"; track.src = video.dataset.subtitles; track.default = true;
    video.appendChild(track);
  }
  video.addEventListener("playing", function () { video.dataset.state = "playing"; });
  if (window.Hls && window.Hls.isSupported()) {
    var hls = new window.Hls({ startLevel: -1 });
    hls.loadSource(src);
    hls.attachMedia(video);
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = src;
  }
  var progressUrl = video.dataset.progress;
  if (!progressUrl) { return; }
  var last = 0;
  video.addEventListener("timeupdate", function () {
    if (Math.abs(video.currentTime - last) < 15) { return; }
    last = video.currentTime;
    var body = new URLSearchParams({ position: String(Math.floor(last)) });
    fetch(progressUrl, { method: "POST", body: body, credentials: "same-origin",
                         headers: { "X-CSRF-Token": video.dataset.csrf } });
  });
}());
