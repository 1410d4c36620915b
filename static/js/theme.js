// Loaded in <head>, before the page paints: applies the remembered theme
// (light, dark or system) so a dark page never flashes light. The switch
// itself is wired in app.js. Without JavaScript, the system preference applies.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  try {
    var theme = window.localStorage.getItem("theme");
    if (theme === "light" || theme === "dark") root.setAttribute("data-theme", theme);
  } catch (e) { /* storage blocked: follow the system */ }
})();
