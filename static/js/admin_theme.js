// Django admin, signed in: the user's theme from their preferences, in admin's
// own vocabulary (auto, light, dark), and admin's theme toggle saves it there
// (as the console's switch does), so both follow the user to any browser.
// Replaces admin's theme.js, which keeps the choice in this browser instead.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="console-theme"]');
  if (!meta) return;
  var root = document.documentElement;
  var theme = meta.content;
  var NEXT = { system: "light", light: "dark", dark: "system" };
  function show() {
    root.setAttribute("data-theme", theme === "light" || theme === "dark" ? theme : "auto");
  }
  show();
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest(".theme-toggle")) return;
    event.preventDefault();
    var previous = theme;
    theme = NEXT[theme] || "system";
    show();
    var data = new FormData();
    data.set("theme", theme);
    data.set("csrfmiddlewaretoken", meta.getAttribute("data-csrf"));
    fetch(meta.getAttribute("data-url"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
    }).catch(function () { theme = previous; show(); });  // not saved: show what applies
  });
})();
