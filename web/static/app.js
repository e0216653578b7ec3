// Authalla hosted pages: the only script. It prevents double submission of
// a form (a second click would post a single-use code twice) without
// disabling the clicked button, whose name/value must still be sent.
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset.submitted === "1") {
    event.preventDefault();
    return;
  }
  form.dataset.submitted = "1";
  var button = event.submitter;
  if (button) {
    button.setAttribute("aria-busy", "true");
  }
});

// A page restored from the back/forward cache must be usable again.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-submitted]").forEach(function (form) {
    delete form.dataset.submitted;
  });
  document.querySelectorAll("[aria-busy]").forEach(function (el) {
    el.removeAttribute("aria-busy");
  });
});
