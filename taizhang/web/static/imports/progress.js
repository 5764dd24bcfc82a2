// Polls the import job's status and moves the progress bar; reloads when the job settles.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var fill = box.querySelector(".progress-fill");
  var text = box.querySelector(".progress-text");
  var working = { pending: 1, running: 1, commit_pending: 1, committing: 1 };
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        fill.value = s.percent;
        text.textContent = s.percent + "%（" + s.status_label + (s.total ? "，" + s.progress + " / " + s.total : "") + "）";
        if (working[s.status]) { setTimeout(poll, 700); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 300);
})();
