/* The phone header's menu button. Without JS the checkbox #nav-toggle opens and closes the
 * menu by itself (CSS); with JS the header also gets .nav-open, the button says whether the
 * menu is open, and a tap outside or Escape closes it. */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var toggle = document.getElementById("nav-toggle");
  var header = document.querySelector(".topbar");
  var button = document.querySelector(".nav-button");
  if (!toggle || !header) return;
  function sync() {
    header.classList.toggle("nav-open", toggle.checked);
    if (button) button.setAttribute("aria-expanded", toggle.checked ? "true" : "false");
  }
  toggle.addEventListener("change", sync);
  document.addEventListener("click", function (e) {
    if (toggle.checked && !header.contains(e.target)) {
      toggle.checked = false;
      sync();
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && toggle.checked) {
      toggle.checked = false;
      sync();
    }
  });
  sync();
});
