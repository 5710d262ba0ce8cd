// 答复模板: one tap fills the form's text field with the template's text (still editable before sending) and
// records which template it was in the form's hidden `template` input.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-sz-template]");
    if (!button) return;
    var form = button.closest("form");
    if (!form) return;
    var field = form.querySelector(button.getAttribute("data-sz-target") || "textarea");
    if (!field) return;
    field.value = button.getAttribute("data-sz-text");
    field.dispatchEvent(new Event("input", { bubbles: true }));
    var hidden = form.querySelector("input[name=template]");
    if (hidden) hidden.value = button.getAttribute("data-sz-template");
    form.querySelectorAll("[data-sz-template]").forEach(function (b) {
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
    });
    field.focus();
  });
})();
