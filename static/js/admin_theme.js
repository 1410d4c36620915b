// Django admin, signed in: the user's theme from their preferences (the
// console's switch sets it), in admin's own vocabulary (auto, light, dark).
// Replaces admin's theme.js, which would read this browser's storage instead.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="console-theme"]');
  var theme = meta ? meta.content : "system";
  document.documentElement.setAttribute("data-theme", theme === "light" || theme === "dark" ? theme : "auto");
})();
