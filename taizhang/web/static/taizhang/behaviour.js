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
  document.addEventListener("click", function (e) {
    var link = e.target && e.target.closest && e.target.closest("a[data-back]");
    if (link && window.history.length > 1) { e.preventDefault(); window.history.back(); }
  });
})();
