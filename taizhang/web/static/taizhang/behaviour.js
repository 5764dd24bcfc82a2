// Small page behaviours declared in the markup with data attributes, so that templates
// carry no inline script or on*= handler (the Content-Security-Policy forbids them).
//   <form data-confirm="确定删除？">        asks before submitting
//   <input type="checkbox" data-select-all="ids">  ticks every enabled input[name=ids]
//   <a href="/" data-back>                  goes back in history (the href is the fallback)
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { e.preventDefault(); }
  }, true);
  document.addEventListener("change", function (e) {
    var box = e.target;
    var name = box && box.getAttribute && box.getAttribute("data-select-all");
    if (!name) return;
    var selector = 'input[name="' + name.replace(/"/g, "") + '"]:not(:disabled)';
    document.querySelectorAll(selector).forEach(function (c) { c.checked = box.checked; });
  });
  // A form that came back with errors: bring the first one into view and focus its input,
  // so that a long page does not leave the user looking at an unchanged top.
  document.addEventListener("DOMContentLoaded", function () {
    var first = document.querySelector(".has-error, .errorlist");
    if (!first) return;
    var box = first.closest("details");
    if (box) { box.open = true; }
    first.scrollIntoView({ block: "center" });
    var input = first.querySelector("input, select, textarea");
    if (!input && first.parentElement) {
      input = first.parentElement.querySelector("input:not([type=hidden]), select, textarea");
    }
    if (input) { input.focus({ preventScroll: true }); }
  });
  document.addEventListener("click", function (e) {
    var link = e.target && e.target.closest && e.target.closest("a[data-back]");
    if (link && window.history.length > 1) { e.preventDefault(); window.history.back(); }
  });
})();
