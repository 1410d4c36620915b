// Connector form: General / Parameters tabs, and the NQL ID suggested from the
// name while it has not been edited by hand (mirrors connectors/nql.py).
(function () {
  "use strict";
  var form = document.getElementById("connector-form");
  if (!form) return;

  var tabs = Array.prototype.slice.call(form.querySelectorAll("[role=tab]"));
  function show(tab) {
    tabs.forEach(function (t) {
      var selected = t === tab;
      t.setAttribute("aria-selected", selected ? "true" : "false");
      t.tabIndex = selected ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !selected;
    });
  }
  tabs.forEach(function (tab, i) {
    tab.addEventListener("click", function () { show(tab); });
    tab.addEventListener("keydown", function (e) {
      if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
      var next = tabs[(i + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
      show(next); next.focus();
    });
  });
  form.classList.add("js-tabs");
  show(form.querySelector("[data-initial-tab=parameters]") ? tabs[1] : tabs[0]);

  function suggest(name) {
    var s = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^\x00-\x7f]/g, "")
      .toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
    if (s && !/^[a-z]/.test(s)) s = "c_" + s;
    return s.slice(0, 64).replace(/_+$/, "");
  }
  var name = form.querySelector("[name=name]");
  var nql = form.querySelector("[name=nql_id]");
  if (!name || !nql || nql.disabled) return;
  var touched = nql.value !== "" && nql.value !== suggest(name.value);
  nql.addEventListener("input", function () { touched = nql.value !== ""; });
  name.addEventListener("input", function () { if (!touched) nql.value = suggest(name.value); });
})();
