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

// Boxes that scroll (wide tables, policies on a phone) take the focus when
// nothing inside them can, so they can be scrolled with the keyboard too.
(function () {
  "use strict";
  var BOXES = "pre, .card, .table-scroll";
  var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";
  function scrolls(box) {
    var style = getComputedStyle(box);
    return (/auto|scroll/.test(style.overflowX) && box.scrollWidth > box.clientWidth) ||
      (/auto|scroll/.test(style.overflowY) && box.scrollHeight > box.clientHeight);
  }
  function update() {
    Array.prototype.forEach.call(document.querySelectorAll(BOXES), function (box) {
      var ours = box.hasAttribute("data-scroll-focus");
      if (box.hasAttribute("tabindex") && !ours) return;
      var needed = scrolls(box) && !box.querySelector(FOCUSABLE);
      if (needed && !ours) { box.tabIndex = 0; box.setAttribute("data-scroll-focus", ""); }
      if (!needed && ours) { box.removeAttribute("tabindex"); box.removeAttribute("data-scroll-focus"); }
    });
  }
  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; update(); });
  });
  update();
})();

// Theme switch (light / dark / system): a form that saves the choice in the
// user's preferences. With JavaScript it applies at once and saves in the
// background (JSON); without, the form posts and the page comes back themed.
// This browser also remembers it, for the login page only (theme.js).
(function () {
  "use strict";
  var form = document.querySelector("form.theme-switch");
  if (!form) return;
  var root = document.documentElement;
  function apply(choice) {
    if (choice === "system") root.removeAttribute("data-theme"); else root.setAttribute("data-theme", choice);
    root.setAttribute("data-theme-saved", choice);
    form.querySelectorAll("[data-theme-choice]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.value === choice));
    });
    try {
      if (choice === "system") window.localStorage.removeItem("theme"); else window.localStorage.setItem("theme", choice);
    } catch (e) { /* the login page then follows the system */ }
  }
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !window.fetch || !window.FormData) return;  // a plain post
    event.preventDefault();
    var previous = root.getAttribute("data-theme-saved") || "system";
    var data = new FormData(form);
    data.set("theme", button.value);
    apply(button.value);
    fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
    }).catch(function () {
      apply(previous);  // not saved: the switch shows what still applies
    });
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

// Relative times ("3 min ago", from the |when filter) stay true while a page is
// open: the same wording as nexthink_admin/templatetags/console_time.py,
// recomputed every minute; the exact time in the title does not change.
(function () {
  "use strict";
  function amount(n, unit) { return n + " " + unit + (unit === "min" || unit === "h" || n === 1 ? "" : "s"); }
  function relative(then, now) {
    var seconds = (now - then) / 1000, ahead = seconds < 0, text;
    seconds = Math.abs(seconds);
    if (seconds < 45) return ahead ? "in under a minute" : "just now";
    if (seconds < 3600) text = amount(Math.max(1, Math.round(seconds / 60)), "min");
    else if (seconds < 86400) text = amount(Math.round(seconds / 3600), "h");
    else if (seconds < 30 * 86400) text = amount(Math.round(seconds / 86400), "day");
    else return null; // older: the server wrote the date itself
    return ahead ? "in " + text : text + " ago";
  }
  function refresh() {
    var now = Date.now();
    document.querySelectorAll("time[datetime][title]").forEach(function (el) {
      var text = relative(Date.parse(el.getAttribute("datetime")), now);
      var node = el.firstChild;
      if (text && node && node.nodeType === 3 && node.nodeValue !== text) node.nodeValue = text;
    });
  }
  setInterval(refresh, 60000);
})();
