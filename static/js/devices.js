// Devices filters: a drop-down changed with the mouse applies at once (the Apply
// button stays for keyboards and no-JS), and empty fields stay out of the URL.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosubmit]");
  if (!form) return;
  function submit() {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && !el.value) el.disabled = true;
    });
    form.submit();
  }
  form.addEventListener("submit", function (event) { event.preventDefault(); submit(); });
  // Only a pointer's choice applies at once: the arrow keys change a closed
  // drop-down option by option, so a keyboard user applies with Enter or Apply.
  var byKeyboard = false;
  form.addEventListener("keydown", function (event) {
    byKeyboard = true;
    if (event.key === "Enter" && event.target.tagName === "SELECT") { event.preventDefault(); submit(); }
  });
  form.addEventListener("pointerdown", function () { byKeyboard = false; });
  form.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT" && !byKeyboard) submit();
  });
  // Back from the next page: fields disabled before leaving are usable again.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(form.elements, function (el) { el.disabled = false; });
  });
})();
