// Loaded in <head>, before the page paints. Signed in, the server has already
// rendered the user's theme on <html> (data-theme, from their preferences), so
// nothing is read here. Before sign-in (the login page), the choice this
// browser last made applies, so a dark page never flashes light. The switch
// itself is wired in app.js. Without JavaScript, the system preference applies.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  if (root.hasAttribute("data-theme-saved")) return;
  try {
    var theme = window.localStorage.getItem("theme");
    if (theme === "light" || theme === "dark") root.setAttribute("data-theme", theme);
  } catch (e) { /* storage blocked: follow the system */ }
})();
