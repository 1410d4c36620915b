// NQL query page: Ctrl+Enter runs the query; a field name in the reference
// inserts itself at the cursor.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var editor = document.getElementById("id_q");
    var form = document.getElementById("nql-form");
    if (!editor || !form) return;
    editor.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }
    });
    document.querySelectorAll(".nql-insert").forEach(function (button) {
      button.addEventListener("click", function () {
        var text = button.getAttribute("data-insert");
        var start = editor.selectionStart || 0;
        var end = editor.selectionEnd || 0;
        editor.value = editor.value.slice(0, start) + text + editor.value.slice(end);
        editor.focus();
        editor.selectionStart = editor.selectionEnd = start + text.length;
      });
    });
  });
})();
