// Small progressive enhancements. Everything works without JavaScript.
(function () {
  "use strict";
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    var area = document.createElement("textarea");
    area.value = text; area.setAttribute("readonly", ""); area.style.position = "fixed"; area.style.opacity = "0";
    document.body.appendChild(area); area.select();
    try { document.execCommand("copy"); } finally { document.body.removeChild(area); }
    return Promise.resolve();
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    copyText(source.textContent).then(function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    });
  });
})();

// Runs table: while a run is queued or running, refresh it every 2 seconds.
(function () {
  "use strict";
  var box = document.querySelector("[data-poll]");
  if (!box) return;
  var live = document.getElementById("runs-live");
  function active() { return box.querySelector('[data-status="queued"], [data-status="running"]'); }
  function tick() {
    if (!active()) { if (live) live.hidden = true; return; }
    if (live) live.hidden = false;
    fetch(box.getAttribute("data-poll"), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var wasActive = active();
        box.innerHTML = html;
        if (wasActive && !active()) window.location.reload(); // refresh counts and buttons once done
        else setTimeout(tick, 2000);
      })
      .catch(function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 2000);
})();

// Theme switch (light / dark / system), remembered in this browser.
(function () {
  "use strict";
  var box = document.querySelector(".theme-switch");
  if (!box) return;
  var root = document.documentElement;
  function current() { return root.getAttribute("data-theme") || "system"; }
  function show() {
    box.querySelectorAll("[data-theme-choice]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-theme-choice") === current()));
    });
  }
  box.hidden = false;
  show();
  box.addEventListener("click", function (event) {
    var button = event.target.closest("[data-theme-choice]");
    if (!button) return;
    var choice = button.getAttribute("data-theme-choice");
    if (choice === "system") root.removeAttribute("data-theme"); else root.setAttribute("data-theme", choice);
    try {
      if (choice === "system") window.localStorage.removeItem("theme"); else window.localStorage.setItem("theme", choice);
    } catch (e) { /* not remembered, still applied */ }
    show();
  });
})();

// Phone navigation: a Menu button folds the links away. Without JavaScript
// the button stays hidden and every link shows, so nothing is out of reach.
(function () {
  "use strict";
  var button = document.querySelector(".menu-toggle");
  var nav = document.querySelector(".sidebar");
  if (!button || !nav) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && nav.classList.contains("open")) {
      nav.classList.remove("open");
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });
})();
