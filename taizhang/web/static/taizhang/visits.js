/* The visit form (enterprises/_visit_form.html): more rows of problems raised on the
   spot, and the optional position. The position is taken only when the user presses
   记录位置 and the browser allows it; otherwise the hidden fields stay empty and the
   server stores no position. */
(function () {
  "use strict";

  function setupProblems(form) {
    var box = form.querySelector(".visit-problems");
    if (!box) return;
    var prefix = box.dataset.prefix;
    var total = form.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = form.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var template = box.querySelector("template.visit-problem-template");
    var rows = box.querySelector(".visit-problem-rows");
    var add = box.querySelector(".visit-add-problem");
    if (!total || !template || !rows || !add) return;
    add.hidden = false;
    add.addEventListener("click", function () {
      var n = parseInt(total.value, 10) || 0;
      if (max && n >= parseInt(max.value, 10)) return;
      var html = template.innerHTML.replace(/__prefix__/g, String(n));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(n + 1);
      if (window.taizhangPicker) window.taizhangPicker.enhanceAll(row);
      var first = row.querySelector("input[type=text], textarea, select");
      if (first) first.focus();
    });
  }

  function setupPosition(form) {
    var box = form.querySelector(".visit-position");
    if (!box) return;
    var lat = form.querySelector("input[name=latitude]");
    var lng = form.querySelector("input[name=longitude]");
    var locate = box.querySelector(".visit-locate");
    var clear = box.querySelector(".visit-unlocate");
    var out = box.querySelector(".visit-position-text");
    if (!lat || !lng || !locate || !out) return;
    locate.hidden = false;
    if (clear && lat.value) clear.hidden = false;
    locate.addEventListener("click", function () {
      if (!navigator.geolocation) {
        out.textContent = box.dataset.unsupported;
        return;
      }
      out.textContent = box.dataset.locating;
      locate.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          lat.value = pos.coords.latitude.toFixed(6);
          lng.value = pos.coords.longitude.toFixed(6);
          var acc = pos.coords.accuracy ? "（" + box.dataset.accuracy + " " + Math.round(pos.coords.accuracy) + " m）" : "";
          out.textContent = box.dataset.located + " " + lat.value + ", " + lng.value + acc;
          locate.disabled = false;
          if (clear) clear.hidden = false;
        },
        function (err) {
          lat.value = "";
          lng.value = "";
          out.textContent = box.dataset.failed + (err && err.message ? "：" + err.message : "");
          locate.disabled = false;
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
    if (clear) {
      clear.addEventListener("click", function () {
        lat.value = "";
        lng.value = "";
        out.textContent = "";
        clear.hidden = true;
      });
    }
  }

  function init() {
    document.querySelectorAll("form.visit-form").forEach(function (form) {
      setupProblems(form);
      setupPosition(form);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
