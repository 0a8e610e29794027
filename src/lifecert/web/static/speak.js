// Reads the page's prompt aloud (slowly, in the page's language), as the face check does:
// once when the page opens where the browser allows it, and again on "Say it again".
(function () {
  "use strict";
  var box = document.querySelector("[data-say]");
  if (!box || !("speechSynthesis" in window)) { return; }
  function say() {
    window.speechSynthesis.cancel();
    var u = new SpeechSynthesisUtterance(box.dataset.say);
    u.lang = document.documentElement.lang || "zh-CN";
    u.rate = 0.8;  // slower speech for older listeners
    window.speechSynthesis.speak(u);
  }
  var again = document.getElementById("say-again");
  if (again) { again.hidden = false; again.addEventListener("click", say); }
  say();
})();
