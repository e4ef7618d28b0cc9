// The countdown on a pre-release page: the server already wrote the time left; this keeps it
// moving, and reloads the page once at the moment so the fan sees the smart link.
(function () {
  "use strict";
  var el = document.querySelector("[data-release-at]");
  if (!el) return;
  var at = Date.parse(el.getAttribute("data-release-at"));
  if (isNaN(at)) return;
  function unit(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function text(ms) {
    var s = Math.ceil(ms / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    if (d > 0) return "In " + unit(d, "day") + ", " + unit(h, "hour") + ", " + unit(m, "minute");
    if (h > 0) return "In " + unit(h, "hour") + ", " + unit(m, "minute") + ", " + unit(sec, "second");
    return "In " + (m > 0 ? unit(m, "minute") + ", " : "") + unit(sec, "second");
  }
  var reloaded = false;
  function tick() {
    var left = at - Date.now();
    if (left <= 0) {
      el.textContent = "Out now";
      // A little after the moment, so the server's clock has passed it too.
      if (!reloaded) { reloaded = true; setTimeout(function () { location.reload(); }, 1500 + Math.random() * 3000); }
      return;
    }
    el.textContent = text(left);
    setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
  }
  tick();
})();
