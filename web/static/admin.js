// Authalla Admin UI: the only script. It copies values to the clipboard
// (data-copy="element id") and drives the branding editor's live preview
// from the colour inputs. It sends nothing anywhere.
"use strict";

var HEX = /^#[0-9a-fA-F]{6}$/;

function copyFrom(id, button) {
  var el = document.getElementById(id);
  if (!el) {
    return;
  }
  var done = function () {
    var label = button.textContent;
    button.textContent = "Copied";
    button.setAttribute("aria-live", "polite");
    window.setTimeout(function () { button.textContent = label; }, 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(el.value).then(done, function () { el.select(); });
    return;
  }
  el.focus();
  el.select();
  try {
    if (document.execCommand("copy")) {
      done();
    }
  } catch (e) {
    // The value stays selected for a manual copy.
  }
}

// WCAG 2.x relative luminance and the text colour the hosted pages put
// on a primary button (white or near-black, whichever contrasts more).
function luminance(hex) {
  var c = [1, 3, 5].map(function (i) {
    var x = parseInt(hex.substr(i, 2), 16) / 255;
    return x <= 0.04045 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

function onColor(hex) {
  var l = luminance(hex);
  var white = 1.05 / (l + 0.05);
  var black = (l + 0.05) / (luminance("#111111") + 0.05);
  return white >= black ? "#ffffff" : "#111111";
}

function applyColor(input) {
  var v = input.value.trim();
  var ok = HEX.test(v);
  input.classList.toggle("bad", !ok && v !== "");
  if (!ok) {
    return;
  }
  var scheme = input.dataset.scheme;
  var preview = document.querySelector('[data-preview="' + scheme + '"]');
  if (preview) {
    preview.style.setProperty("--pv-" + input.dataset.var, v);
    if (input.dataset.var === "primary") {
      preview.style.setProperty("--pv-on-primary", onColor(v));
    }
  }
  var picker = document.getElementById("pick-" + input.id);
  if (picker && picker.value.toLowerCase() !== v.toLowerCase()) {
    picker.value = v.toLowerCase();
  }
}

document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (button) {
    copyFrom(button.dataset.copy, button);
  }
});

document.addEventListener("input", function (event) {
  var el = event.target;
  if (el.matches("input.hex")) {
    applyColor(el);
  } else if (el.matches("input[type=color][data-pair]")) {
    var text = document.getElementById(el.dataset.pair);
    if (text) {
      text.value = el.value;
      applyColor(text);
    }
  }
});

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input.hex").forEach(applyColor);
});

// Prevent double submission of a form (a second click would post twice).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset.submitted === "1") {
    event.preventDefault();
    return;
  }
  form.dataset.submitted = "1";
});

window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-submitted]").forEach(function (form) {
    delete form.dataset.submitted;
  });
});
