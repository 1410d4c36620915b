// Devices filters: a changed drop-down applies at once (the Apply button stays
// for keyboards and no-JS), and empty fields stay out of the URL.
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
  form.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT") submit();
  });
  // Back from the next page: fields disabled before leaving are usable again.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(form.elements, function (el) { el.disabled = false; });
  });
})();
