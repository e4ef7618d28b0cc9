// Outro's page script: the Meta Pixel with the server's event ids, the consent banner, and
// click-outs that wait (at most 300 ms) for the Pixel's request before leaving the page.
(function () {
  "use strict";
  var el = document.getElementById("outro-cfg");
  var cfg = el ? JSON.parse(el.textContent) : null;

  // The fan signup stays on the page: post in the background, show the answer in place, and fire
  // the Pixel's signup event with the event id the server used for the same signup.
  var form = document.querySelector("form.signup-form");
  if (form && window.fetch && window.FormData) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var status = document.querySelector(".signup-msg");
      var button = form.querySelector("button");
      button.disabled = true;
      fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), headers: { accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (answer) {
          status.textContent = answer.message;
          if (answer.ok) {
            form.remove();
            if (cfg && answer.eventId && window.fbq) fire(cfg.signupEvent, cfg.signupStandard, { content_name: cfg.name }, answer.eventId);
          } else {
            button.disabled = false;
            var field = answer.field === "consent" ? form.querySelector("[name=consent]") : form.querySelector("[name=email]");
            if (field) field.focus();
          }
        })
        .catch(function () { form.submit(); });
    });
  }
  if (!cfg) return;
  var CONSENT = "outro_consent";

  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? m[1] : null;
  }
  function newEventId() {
    var r = new Uint8Array(9);
    crypto.getRandomValues(r);
    var b = btoa(String.fromCharCode.apply(null, r)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    return ("000000000" + Date.now().toString(36)).slice(-9) + b;
  }
  // "The browser fired it" is claimed only once Meta's script has loaded and taken the event: a
  // blocked Pixel (ad blocker, no network) sends no ack, so the delivery log shows ✗ for it.
  var pendingAcks = [];
  function sendAck(eventId) {
    var url = "/" + cfg.slug + "/ack";
    if (navigator.sendBeacon) navigator.sendBeacon(url, eventId);
    else fetch(url, { method: "POST", body: eventId, keepalive: true });
  }
  function ack(eventId) {
    if (pixelState === "ready") sendAck(eventId);
    else if (pixelState === "loading") pendingAcks.push(eventId);
  }
  function pixelLoaded() {
    pixelState = "ready";
    while (pendingAcks.length) sendAck(pendingAcks.shift());
  }

  // Meta Pixel base code (Meta's standard snippet), with a handle on the script it loads.
  var pixelState = "loading";
  !function (f, b, e, v, n, t, s) {
    if (f.fbq) return; n = f.fbq = function () { n.callMethod ? n.callMethod.apply(n, arguments) : n.queue.push(arguments); };
    if (!f._fbq) f._fbq = n; n.push = n; n.loaded = !0; n.version = "2.0"; n.queue = []; t = b.createElement(e); t.async = !0;
    t.src = v; t.onload = pixelLoaded; t.onerror = function () { pixelState = "blocked"; };
    s = b.getElementsByTagName(e)[0]; s.parentNode.insertBefore(t, s);
  }(window, document, "script", "https://connect.facebook.net/en_US/fbevents.js");

  var consented = cfg.consent !== "opt-in" || cookie(CONSENT) === "granted";
  if (cfg.ldu) fbq("dataProcessingOptions", ["LDU"], 0, 0);
  if (!consented) fbq("consent", "revoke");
  for (var i = 0; i < cfg.pixels.length; i++) fbq("init", cfg.pixels[i]);

  // One pixel: track / trackCustom; several (e.g. the label's): trackSingle per pixel.
  function fire(name, standard, params, eventId) {
    if (cfg.pixels.length === 1) fbq(standard ? "track" : "trackCustom", name, params, { eventID: eventId });
    else for (var i = 0; i < cfg.pixels.length; i++) fbq(standard ? "trackSingle" : "trackSingleCustom", cfg.pixels[i], name, params, { eventID: eventId });
  }

  fire("PageView", true, {}, cfg.view);
  if (consented) ack(cfg.view);

  if (cfg.consent === "opt-in" && cookie(CONSENT) === null) showBanner();

  function showBanner() {
    var bar = document.createElement("div");
    bar.className = "consent";
    bar.setAttribute("role", "dialog");
    bar.setAttribute("aria-label", "Cookie consent");
    var text = document.createElement("p");
    text.textContent = "This page uses cookies and Meta's Pixel to measure which ads bring fans here.";
    var yes = document.createElement("button");
    yes.textContent = "Allow";
    var no = document.createElement("button");
    no.textContent = "No thanks";
    no.className = "secondary";
    function choose(value) {
      document.cookie = CONSENT + "=" + value + "; Max-Age=31536000; Path=/; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
      if (value === "granted") { consented = true; fbq("consent", "grant"); }
      bar.remove();
    }
    yes.onclick = function () { choose("granted"); };
    no.onclick = function () { choose("denied"); };
    bar.appendChild(text); bar.appendChild(yes); bar.appendChild(no);
    document.body.appendChild(bar);
    yes.focus();
  }

  // A returning fan: after the link's delay, leave for the service they picked last time exactly
  // as a tap would (Pixel event and click-out with one event id), unless they ask for every service.
  var auto = document.querySelector(".autoroute[data-auto-key]");
  var autoTimer = null;
  if (auto) {
    var autoLink = document.querySelector('a.dest[data-key="' + auto.getAttribute("data-auto-key") + '"]');
    if (autoLink) autoTimer = setTimeout(function () { autoTimer = null; leave(autoLink, "auto=1"); }, Number(auto.getAttribute("data-auto-delay")) || 0);
    var all = auto.querySelector(".show-all");
    if (all) all.addEventListener("click", function (e) {
      e.preventDefault();
      if (autoTimer) clearTimeout(autoTimer);
      autoTimer = null;
      auto.remove();
    });
  }

  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[data-key]");
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    if (autoTimer) { clearTimeout(autoTimer); autoTimer = null; }
    leave(a, null);
  });

  function leave(a, extra) {
    var eventId = newEventId();
    var href = a.getAttribute("href");
    if (extra) href += (href.indexOf("?") >= 0 ? "&" : "?") + extra;
    var target = href + (href.indexOf("?") >= 0 ? "&" : "?") + "eid=" + eventId;
    fire(cfg.event, cfg.standard, {
      content_name: cfg.name,
      content_category: a.getAttribute("data-service") || a.getAttribute("data-key"),
      content_type: "music",
      platform: a.getAttribute("data-key"),
    }, eventId);
    if (consented) ack(eventId);
    var left = false;
    function go() { if (!left) { left = true; location.href = target; } }
    if (pixelState === "blocked" || !consented) return go();
    // Leave once the Pixel's request for this event id has gone out, or after 300 ms at most.
    var start = performance.now();
    (function wait() {
      var list = performance.getEntriesByType("resource");
      for (var i = list.length - 1; i >= 0; i--) if (list[i].name.indexOf("eid=" + eventId) >= 0) return go();
      if (performance.now() - start > 300 || pixelState === "blocked") return go();
      setTimeout(wait, 15);
    })();
  }
})();
