// The tablet at the classroom door: the camera's picture is sent when a student taps
// "Check in"; the server matches it only against this class's roster (1:N within the class).
(function () {
  "use strict";
  var door = document.getElementById("door");
  if (!door) { return; }
  var video = document.getElementById("door-camera");
  var canvas = document.getElementById("door-canvas");
  var result = document.getElementById("door-result");
  var button = document.getElementById("door-go");

  function say(text, kind) {
    result.textContent = text;
    result.className = "huge " + (kind || "");
    door.dataset.last = kind || "";
  }

  function markPresent(retireeId) {
    var row = document.querySelector('#roster li[data-retiree="' + retireeId + '"]');
    if (row) { row.classList.add("present"); }
  }

  function send(blob) {
    var form = new FormData();
    form.append("photo", blob, "door.jpg");
    return fetch(door.dataset.url, {
      method: "POST", body: form, credentials: "same-origin",
      headers: { "X-CSRF-Token": door.dataset.csrf }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    });
  }

  function checkIn() {
    if (!video.videoWidth) { say(door.dataset.noface, "wait"); return; }
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    button.disabled = true;
    canvas.toBlob(function (blob) {
      send(blob).then(function (answer) {
        if (answer.ok && answer.body.matched) {
          say(door.dataset.welcome.replace("{name}", answer.body.name), "matched");
          markPresent(answer.body.retiree_id);
        } else if (answer.ok) {
          say(door.dataset.unknown, "unknown");
        } else {
          say((answer.body && answer.body.detail) || door.dataset.noface, "error");
        }
      }).catch(function () { say(door.dataset.noface, "error"); })
        .then(function () { button.disabled = false; });
    }, "image/jpeg", 0.92);
  }

  button.addEventListener("click", checkIn);
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false })
      .then(function (stream) { video.srcObject = stream; })
      .catch(function () { say(door.dataset.noface, "error"); });
  }
}());
