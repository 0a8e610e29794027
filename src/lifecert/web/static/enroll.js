// Staff capture of a reference photo: camera preview, one big button, spoken prompt,
// and a file fallback. Everything is served by the app (no CDN).
(function () {
  "use strict";
  var box = document.getElementById("capture");
  if (!box) { return; }
  var video = document.getElementById("preview");
  var result = document.getElementById("result");

  function say(text) {
    if (!("speechSynthesis" in window)) { return; }
    var u = new SpeechSynthesisUtterance(text);
    u.lang = document.documentElement.lang || "zh-CN";
    u.rate = 0.85;  // slower speech for older listeners
    window.speechSynthesis.speak(u);
  }

  function show(text, ok) {
    result.textContent = text;
    result.className = ok ? "big ok" : "big error";
    say(text);
  }

  function upload(blob, name) {
    var form = new FormData();
    form.append("photo", blob, name);
    form.append("device", navigator.userAgent.slice(0, 190));
    return fetch(box.dataset.upload, {
      method: "POST", body: form, credentials: "same-origin",
      headers: { "X-CSRF-Token": box.dataset.csrf }
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) {
          show(body.sent_to_review ? box.dataset.review : box.dataset.ok, !body.sent_to_review);
          setTimeout(function () { window.location.reload(); }, 2500);
        } else {
          show(body.detail || box.dataset.failed, false);
        }
      });
    }).catch(function () { show(box.dataset.failed, false); });
  }

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "user", width: 1280, height: 720 } })
      .then(function (stream) { video.srcObject = stream; say(box.dataset.say); })
      .catch(function () { show(box.dataset.nocam, false); });
  } else {
    show(box.dataset.nocam, false);
  }

  document.getElementById("shoot").addEventListener("click", function () {
    if (!video.videoWidth) { show(box.dataset.nocam, false); return; }
    var canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    canvas.toBlob(function (blob) { upload(blob, "capture.jpg"); }, "image/jpeg", 0.92);
  });

  document.getElementById("file").addEventListener("change", function (event) {
    var file = event.target.files[0];
    if (file) { upload(file, file.name); }
  });
})();
