// Questions during a live session: a websocket to the app; reconnects by itself. The host
// decides what everyone sees ("shown" messages); a refusal (rate limit, blocked) is shown as
// the server words it.
(function () {
  "use strict";
  var box = document.getElementById("live-questions");
  if (!box || !("WebSocket" in window)) { return; }
  var answer = document.getElementById("live-answer");
  var text = document.getElementById("live-question");
  var shown = document.getElementById("live-shown");
  var socket = null, delay = 2000;

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + box.dataset.ws);
    socket.onopen = function () { delay = 2000; box.dataset.state = "open"; };
    socket.onclose = function () {
      box.dataset.state = "closed";
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "asked") {
        answer.textContent = data.hand ? box.dataset.hand : box.dataset.sent;
        if (!data.hand) { text.value = ""; }
      } else if (data.type === "error") {
        answer.textContent = data.message || box.dataset.closed;
      } else if (data.type === "shown") {
        var item = document.createElement("li");
        item.textContent = data.text;
        shown.appendChild(item);
      }
    };
  }

  function send(payload) {
    if (socket && socket.readyState === 1) { socket.send(JSON.stringify(payload)); }
    else { answer.textContent = box.dataset.closed; }
  }

  document.getElementById("live-ask").addEventListener("click", function () {
    if (text.value.trim()) { send({type: "ask", text: text.value}); }
  });
  document.getElementById("live-hand").addEventListener("click", function () { send({type: "hand"}); });
  connect();
})();
