// The face check: one instruction at a time, spoken and written, generous time per action.
// Frames are small JPEGs with their capture times; the server decides everything.
(function () {
  "use strict";
  var box = document.getElementById("certify");
  if (!box) { return; }
  var video = document.getElementById("preview");
  var instruction = document.getElementById("instruction");
  var hint = document.getElementById("hint");
  var bar = document.getElementById("bar");
  var goButton = document.getElementById("go");
  var countdown = document.getElementById("countdown");  // big seconds left for this action
  // 8 frames a second catches a slow blink (an old person's lasts 0.2-0.4 s) in 2-3 frames.
  // The challenge's capture plan overrides these (the server refuses more than max_frames).
  var FPS = 8, NEUTRAL_MS = 1500, ACTION_MS = 4500, WIDTH = 320, MAX_FRAMES = 160;
  var lastSpoken = box.dataset.tReady;

  function text(key) { return box.dataset["t" + key.charAt(0).toUpperCase() + key.slice(1)] || key; }
  function say(message) {
    lastSpoken = message;
    instruction.textContent = message;
    if (!("speechSynthesis" in window)) { return; }
    window.speechSynthesis.cancel();
    var u = new SpeechSynthesisUtterance(message);
    u.lang = box.dataset.lang || "zh-CN";
    u.rate = 0.8;  // slower speech for older listeners
    window.speechSynthesis.speak(u);
  }
  function post(url, form) {
    return fetch(url, { method: "POST", body: form, credentials: "same-origin",
                        headers: { "X-CSRF-Token": box.dataset.csrf } })
      .then(function (r) {
        return r.json().then(function (b) {
          return { ok: r.ok, status: r.status, retry: parseInt(r.headers.get("Retry-After") || "0", 10), body: b };
        });
      });
  }
  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  var canvas = document.createElement("canvas");
  function grab() {
    var scale = WIDTH / video.videoWidth;
    canvas.width = WIDTH;
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.75); });
  }
  function brightness() {  // a cheap local hint while waiting: too dark?
    var ctx = canvas.getContext("2d");
    var d = ctx.getImageData(canvas.width / 4, canvas.height / 4, canvas.width / 2, canvas.height / 2).data;
    var sum = 0;
    for (var i = 0; i < d.length; i += 16) { sum += (d[i] + d[i + 1] + d[i + 2]) / 3; }
    return sum / (d.length / 16);
  }

  // Before the check starts: advice from the server's quality check, spoken when it changes.
  var lastHint = "", hintBusy = false;
  function liveHint() {
    if (!video.videoWidth || goButton.disabled || hintBusy) { return; }
    hintBusy = true;
    grab().then(function (blob) {
      if (brightness() < 50) { return { ok: false, body: { messages: [box.dataset.tDark] } }; }
      var form = new FormData();
      form.append("frame", blob, "hint.jpg");
      if (box.dataset.retiree) { form.append("retiree_id", box.dataset.retiree); }
      return post("/api/v1/certify/hint", form);
    }).then(function (res) {
      var advice = (res.body.messages || []).slice(0, 1).join("");
      if (advice !== lastHint) {
        lastHint = advice;
        hint.textContent = advice;
        if (advice && !goButton.disabled) { say(advice); }
      }
    }).catch(function () {}).then(function () { hintBusy = false; });
  }

  var frames = [], times = [], started = 0;
  function record(ms, progressFrom, progressTo) {
    var end = performance.now() + ms;
    function step() {
      if (performance.now() >= end || frames.length >= MAX_FRAMES) { return Promise.resolve(); }
      var t = performance.now();
      return grab().then(function (blob) {
        frames.push(blob);
        times.push(Math.round(t - started));
        var done = 1 - (end - performance.now()) / ms;
        countdown.textContent = String(Math.max(1, Math.ceil((end - performance.now()) / 1000)));
        bar.style.width = (progressFrom + (progressTo - progressFrom) * done) + "%";
        return wait(Math.max(0, 1000 / FPS - (performance.now() - t)));
      }).then(step);
    }
    return step();
  }

  function run() {
    goButton.disabled = true;
    var form = new FormData();
    if (box.dataset.retiree) { form.append("retiree_id", box.dataset.retiree); }
    post("/api/v1/certify/challenge", form).then(function (res) {
      if (!res.ok) { throw new Error(res.body.detail || text("failed")); }
      var challenge = res.body, plan = challenge.capture || {};
      FPS = plan.fps || FPS; NEUTRAL_MS = plan.neutral_ms || NEUTRAL_MS;
      ACTION_MS = plan.action_ms || ACTION_MS; MAX_FRAMES = plan.max_frames || MAX_FRAMES;
      frames = []; times = []; started = performance.now();
      say(text("ready"));
      var chain = record(NEUTRAL_MS, 0, 10);
      challenge.actions.forEach(function (action, i) {
        var share = 90 / challenge.actions.length;
        chain = chain.then(function () { say(text(action)); return wait(600); })
                     .then(function () { return record(ACTION_MS, 10 + i * share, 10 + (i + 1) * share); });
      });
      return chain.then(function () { return submit(challenge.nonce); });
    }).catch(function (error) {
      hint.textContent = error.message || text("failed");
      say(hint.textContent);
      goButton.disabled = false;
    });
  }

  function submit(nonce, tries) {
    tries = tries || 0;
    countdown.textContent = "";
    say(text("sending"));
    var form = new FormData();
    form.append("nonce", nonce);
    form.append("times", JSON.stringify(times));
    frames.forEach(function (blob, i) { form.append("frames", blob, "f" + i + ".jpg"); });
    var position = box.dataset.position;
    if (position) {
      var p = position.split(",");
      form.append("latitude", p[0]); form.append("longitude", p[1]);
    }
    return post("/api/v1/certify/submit", form).then(function (res) {
      if (res.status === 503 && res.retry > 0 && tries < 5) {
        // The server is busy and kept this check for us: say so kindly, wait, send it again.
        hint.textContent = res.body.detail || text("failed");
        say(hint.textContent);
        return wait(res.retry * 1000).then(function () { return submit(nonce, tries + 1); });
      }
      if (!res.ok) { throw new Error(res.body.detail || text("failed")); }
      window.location.href = box.dataset.result + "/" + res.body.id;
    });
  }

  navigator.mediaDevices.getUserMedia({ video: { facingMode: "user", width: 640, height: 480 }, audio: false })
    .then(function (stream) {
      video.srcObject = stream;
      say(text("ready"));
      setInterval(liveHint, 2000);
    })
    .catch(function () { hint.textContent = text("nocam"); say(text("nocam")); });

  if (navigator.geolocation && box.dataset.retiree) {
    navigator.geolocation.getCurrentPosition(function (pos) {
      box.dataset.position = pos.coords.latitude + "," + pos.coords.longitude;
    }, function () {}, { timeout: 10000 });
  }
  goButton.addEventListener("click", run);
  document.getElementById("repeat").addEventListener("click", function () { say(lastSpoken); });
})();
