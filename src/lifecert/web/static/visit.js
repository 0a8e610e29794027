// The caregiver's visit proof: GPS at check-in/out only, the caregiver's own face, then the
// elder's face with the actions the server drew. Frames are small JPEGs with capture times.
(function () {
  "use strict";
  var box = document.getElementById("visit");
  if (!box) { return; }
  var video = document.getElementById("preview");
  var instruction = document.getElementById("instruction");
  var bar = document.getElementById("bar");
  var countdown = document.getElementById("countdown");
  var FPS = 8, WIDTH = 320, NEUTRAL_MS = 1500, ACTION_MS = 4500, MAX_FRAMES = 150;
  var api = "/api/v1/homecare/visits/" + box.dataset.visit;

  function text(key) { return box.dataset["t" + key.charAt(0).toUpperCase() + key.slice(1)] || key; }
  function say(message) {
    if (instruction) { instruction.textContent = message; }
    if (!("speechSynthesis" in window)) { return; }
    window.speechSynthesis.cancel();
    var u = new SpeechSynthesisUtterance(message);
    u.lang = box.dataset.lang || "zh-CN";
    u.rate = 0.8;
    window.speechSynthesis.speak(u);
  }
  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }
  function post(path, form) {
    return fetch(api + path, { method: "POST", body: form, credentials: "same-origin",
                               headers: { "X-CSRF-Token": box.dataset.csrf } })
      .then(function (r) {
        return r.json().then(function (b) {
          if (!r.ok) { throw new Error(b.detail || text("failed")); }
          return b;
        });
      });
  }
  function position() {  // asked only at check-in and check-out, never tracked
    return new Promise(function (resolve, reject) {
      if (!navigator.geolocation) { reject(new Error(text("nogps"))); return; }
      navigator.geolocation.getCurrentPosition(function (p) { resolve(p.coords); },
        function () { reject(new Error(text("nogps"))); }, { timeout: 15000, enableHighAccuracy: true });
    });
  }
  var canvas = document.createElement("canvas");
  function grab() {
    canvas.width = WIDTH;
    canvas.height = Math.round(video.videoHeight * WIDTH / video.videoWidth);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.75); });
  }
  var frames = [], times = [], started = 0;
  function record(ms, from, to) {
    var end = performance.now() + ms;
    function step() {
      if (performance.now() >= end || frames.length >= MAX_FRAMES) { return Promise.resolve(); }
      var t = performance.now();
      return grab().then(function (blob) {
        frames.push(blob); times.push(Math.round(t - started));
        countdown.textContent = String(Math.max(1, Math.ceil((end - performance.now()) / 1000)));
        bar.style.width = (from + (to - from) * (1 - (end - performance.now()) / ms)) + "%";
        return wait(Math.max(0, 1000 / FPS - (performance.now() - t)));
      }).then(step);
    }
    return step();
  }
  function clip(form) {
    form.append("times", JSON.stringify(times));
    frames.forEach(function (blob, i) { form.append("frames", blob, "f" + i + ".jpg"); });
    return form;
  }
  function begin() { frames = []; times = []; started = performance.now(); }
  function place(form, coords) {
    form.append("latitude", coords.latitude); form.append("longitude", coords.longitude);
    form.append("accuracy", coords.accuracy || 0);
    return form;
  }
  function done() { window.location.reload(); }
  function failed(error) { say(error.message || text("failed")); disable(false); }
  function disable(on) {
    Array.prototype.forEach.call(box.querySelectorAll("button"), function (b) { b.disabled = on; });
  }

  function workerFace() {
    disable(true); begin(); say(text("ready"));
    record(2500, 0, 100).then(function () {
      say(text("sending"));
      return post("/worker-face", clip(new FormData()));
    }).then(done).catch(failed);
  }
  function elderFace() {
    disable(true);
    var challenge;
    post("/challenge", new FormData()).then(function (c) {
      challenge = c; begin(); say(text("elder"));
      var chain = record(NEUTRAL_MS, 0, 10);
      challenge.actions.forEach(function (action, i) {
        var share = 90 / challenge.actions.length;
        chain = chain.then(function () { say(text(action)); return wait(600); })
          .then(function () { return record(ACTION_MS, 10 + i * share, 10 + (i + 1) * share); });
      });
      return chain;
    }).then(position).then(function (coords) {
      say(text("sending"));
      var form = place(clip(new FormData()), coords);
      form.append("nonce", challenge.nonce);
      return post("/check-in", form);
    }).then(done).catch(failed);
  }
  function nonFace() {
    disable(true);
    position().then(function (coords) {
      var form = place(new FormData(), coords);
      form.append("route", "non_face");
      return post("/check-in", form);
    }).then(done).catch(failed);
  }
  function checkOut() {
    disable(true);
    position().then(function (coords) { return post("/check-out", place(new FormData(), coords)); })
      .then(done).catch(failed);
  }
  var handlers = { worker: workerFace, elder: elderFace, nonface: nonFace, checkout: checkOut };
  Object.keys(handlers).forEach(function (id) {
    var button = document.getElementById(id);
    if (button) { button.addEventListener("click", handlers[id]); }
  });
  if (video && (document.getElementById("worker") || document.getElementById("elder"))) {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "user", width: 640, height: 480 }, audio: false })
      .then(function (stream) { video.srcObject = stream; })
      .catch(function () { say(text("nocam")); });
  }
})();
