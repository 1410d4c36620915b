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
    tab.addEventListener("keydown", function (e) {  // WAI-ARIA tabs: arrows, Home, End
      var moves = { ArrowRight: i + 1, ArrowLeft: i + tabs.length - 1, Home: 0, End: tabs.length - 1 };
      if (!Object.prototype.hasOwnProperty.call(moves, e.key)) return;
      e.preventDefault();
      var next = tabs[moves[e.key] % tabs.length];
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

// Test results panel: POST the form's credential and region, show the checklist.
// A form mistake (no region...) is shown at its field, like the form's own errors:
// nothing was sent to AWS.
(function () {
  "use strict";
  var form = document.getElementById("connector-form");
  var panel = document.querySelector("[data-test-url]");
  var button = document.getElementById("run-test");
  var out = document.getElementById("test-result");
  if (!form || !panel || !button || !out) return;
  var CLIENT_TIMEOUT_MS = 25000;
  var STATES = { allowed: "Allowed", denied: "Denied", failed: "Failed", not_called: "Not called" };
  var OUTCOMES = { success: ["ok", "Success"], incomplete: ["warn", "Not fully checked"], failed: ["err", "Failed"] };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function row(dl, label, value, cls) {
    dl.appendChild(el("dt", {}, label));
    dl.appendChild(el("dd", cls ? { "class": cls } : {}, value));
  }
  function clearFieldErrors() {
    Array.prototype.forEach.call(form.querySelectorAll("[data-test-error]"), function (node) {
      var box = node.parentNode;
      node.remove();
      if (box && !box.querySelector(".error")) {
        box.classList.remove("has-error");
        var input = box.querySelector("[aria-invalid]");
        if (input) input.removeAttribute("aria-invalid");
      }
    });
  }
  function showFieldErrors(errors, link) {
    var firstField = null;
    Object.keys(errors).forEach(function (name) {
      var field = form.querySelector("[name=" + name + "]");
      var box = field && field.closest(".field");
      if (!box) return;
      box.classList.add("has-error");
      field.setAttribute("aria-invalid", "true");
      var msg = el("div", { "class": "error", "role": "alert", "data-test-error": "" }, errors[name].join(" "));
      if (name === "credential" && link) {
        msg.appendChild(document.createTextNode(" "));
        msg.appendChild(el("a", { href: link }, "Open the credential"));
      }
      box.appendChild(msg);
      if (!firstField) firstField = field;
    });
    if (firstField) {
      var tabPanel = firstField.closest("[role=tabpanel]");
      var tab = tabPanel && form.querySelector("[aria-controls=" + tabPanel.id + "]");
      if (tab && tabPanel.hidden) tab.click();
    }
    out.textContent = "";
    out.appendChild(el("p", { "class": "test-local", "id": "test-local" },
      "Fix the field marked on the form first: nothing was sent to AWS."));
    return firstField;
  }
  function renderChecks(checks) {
    if (!checks || !checks.length) return;
    out.appendChild(el("h3", { "class": "section" }, "The five actions"));
    var list = el("ul", { "class": "checklist", "id": "test-checks" });
    checks.forEach(function (c) {
      var li = el("li", { "class": c.status, "data-action": c.action });
      li.appendChild(el("span", { "class": "check-state" }, STATES[c.status] || c.status));
      li.appendChild(el("span", { "class": "mono" }, c.action));
      if (c.code) li.appendChild(el("span", { "class": "mono" }, " (" + c.code + ")"));
      if (c.detail) li.appendChild(el("div", { "class": "check-detail" }, c.detail));
      if (c.status === "failed" && c.hint) li.appendChild(el("div", { "class": "check-detail" }, c.hint));
      list.appendChild(li);
    });
    out.appendChild(list);
  }
  function render(data, httpStatus) {
    out.textContent = "";
    var outcome = data.outcome || (data.ok === true ? "success" : "failed");
    var look = httpStatus === 429 ? ["warn", "Wait"] : (OUTCOMES[outcome] || OUTCOMES.failed);
    var banner = el("div", { "class": "test-banner " + look[0], "role": "status" });
    banner.appendChild(el("strong", {}, look[1]));
    banner.appendChild(el("span", {}, " " + (data.message || "")));
    out.appendChild(banner);
    if (data.warning) out.appendChild(el("div", { "class": "test-warning", "id": "test-warning", "role": "alert" }, data.warning));
    var dl = el("dl", { "class": "props compact", "id": "test-meta" });
    if (data.status_code !== undefined && data.status_code !== null) row(dl, "Status code", data.status_code, "mono");
    if (data.elapsed_ms !== undefined) row(dl, "Response time", data.elapsed_ms + " ms", "mono");
    var listed = (data.checks || []).some(function (c) { return c.action === "DescribeWorkspaces" && c.status === "allowed"; });
    if (listed) row(dl, "WorkSpaces in first page", data.count + (data.more ? " (more pages)" : ""));
    if (data.error) {
      if (data.error.action) row(dl, "Call", data.error.action, "mono");
      row(dl, "Error code", data.error.code, "mono");
      if (data.error.request_id) row(dl, "Request ID", data.error.request_id, "mono");
    }
    if (dl.childNodes.length) out.appendChild(dl);
    if (data.hint) {
      var hint = el("div", { "class": "test-hint" });
      hint.appendChild(el("strong", {}, "What to check: "));
      hint.appendChild(document.createTextNode(data.hint));
      out.appendChild(hint);
    }
    renderChecks(data.checks);
    if (data.sample && data.sample.length) {
      out.appendChild(el("h3", { "class": "section" }, "Sample record"));
      var table = el("table", { "class": "table compact", "id": "test-sample" });
      var body = el("tbody");
      data.sample.forEach(function (f) {
        var tr = el("tr");
        var th = el("th", { scope: "row", title: f.nql }, f.label);
        th.appendChild(el("div", { "class": "muted small mono" }, f.nql));
        tr.appendChild(th);
        tr.appendChild(el("td", {}, f.value === null ? "unknown" : f.value));
        body.appendChild(tr);
      });
      table.appendChild(body);
      out.appendChild(table);
    }
    if (data.raw) {
      var details = el("details", { "class": "raw" });
      details.appendChild(el("summary", {}, "Raw API record"));
      details.appendChild(el("pre", { "class": "code" }, JSON.stringify(data.raw, null, 2)));
      out.appendChild(details);
    }
  }
  button.addEventListener("click", function () {
    clearFieldErrors();
    var body = new FormData();
    var missing = {};
    ["credential", "region", "environment_name", "name"].forEach(function (name) {
      var field = form.querySelector("[name=" + name + "]");
      if (field) body.append(name, field.value);
      if (field && !field.value && (name === "credential" || name === "region")) {
        missing[name] = [name === "region" ? "Select a region first." : "Select a credential first."];
      }
    });
    if (Object.keys(missing).length) { var f = showFieldErrors(missing); if (f) f.focus(); return; }
    if (panel.getAttribute("data-connector")) body.append("connector", panel.getAttribute("data-connector"));
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    var controller = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (controller) controller.abort(); }, CLIENT_TIMEOUT_MS);
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    out.textContent = "";
    var spinner = el("div", { "class": "spinner-line", "role": "status" });
    spinner.appendChild(el("span", { "class": "spinner", "aria-hidden": "true" }));
    spinner.appendChild(document.createTextNode(" Calling AWS…"));
    out.appendChild(spinner);
    fetch(panel.getAttribute("data-test-url"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", "Accept": "application/json" },
      signal: controller ? controller.signal : undefined
    }).then(function (r) {
      return r.json().then(function (data) {
        if (r.status === 400 && data.field_errors) showFieldErrors(data.field_errors, data.link);
        else render(data, r.status);
      }, function () {
        render({ ok: false, message: "The server answered " + r.status + " without a result." }, r.status);
      });
    }).catch(function (err) {
      render({ ok: false, message: err && err.name === "AbortError" ? "The test timed out: no answer in 25 s." : "The server could not be reached." }, 0);
    }).finally(function () {
      clearTimeout(timer);
      button.disabled = false;
      button.removeAttribute("aria-busy");
      button.focus();
    });
  });
})();
