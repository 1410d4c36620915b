// Tables: the page-size choice applies at once, and the column chooser of a
// table (devices) shows the columns chosen last time (kept in localStorage).
// Everything works without JavaScript: the Show button submits the page size,
// and the table shows its default columns.
(function () {
  "use strict";
  document.querySelectorAll("form[data-autosubmit-select]").forEach(function (form) {
    var button = form.querySelector("button[type=submit]");
    if (button) button.parentNode.removeChild(button);
    form.addEventListener("change", function (event) {
      if (event.target.tagName === "SELECT") form.submit();
    });
  });
})();

(function () {
  "use strict";
  function read(key) {
    try {
      var value = JSON.parse(window.localStorage.getItem(key) || "null");
      return Array.isArray(value) ? value : null;
    } catch (e) { return null; }
  }
  function write(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* storage off: the choice lasts for this page only */ }
  }
  document.querySelectorAll("[data-column-chooser]").forEach(function (chooser) {
    var table = document.getElementById(chooser.getAttribute("data-column-chooser"));
    if (!table) return;
    var key = "columns:" + chooser.getAttribute("data-storage-key");
    var boxes = Array.prototype.slice.call(chooser.querySelectorAll("input[type=checkbox][data-col]"));
    var defaults = boxes.filter(function (b) { return b.defaultChecked; }).map(function (b) { return b.getAttribute("data-col"); });
    function apply(visible) {
      boxes.forEach(function (box) {
        var col = box.getAttribute("data-col");
        var shown = visible.indexOf(col) !== -1 || box.disabled;
        box.checked = shown;
        table.querySelectorAll('[data-col="' + col + '"]').forEach(function (cell) {
          cell.classList.toggle("col-hidden", !shown);
        });
      });
    }
    function chosen() {
      return boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.getAttribute("data-col"); });
    }
    var saved = read(key);
    if (saved) apply(saved);
    chooser.hidden = false;
    chooser.addEventListener("change", function (event) {
      if (!event.target.matches("input[data-col]")) return;
      apply(chosen());
      write(key, chosen());
    });
    var reset = chooser.querySelector("[data-columns-reset]");
    if (reset) reset.addEventListener("click", function () { apply(defaults); write(key, null); });
  });
})();
