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
