// measures: the progress-report form is pre-filled with the ledger's value for the chosen
// period (data-ledger on each option); changing the period re-fills it unless the unit has
// typed its own figure.
(function () {
  "use strict";
  document.querySelectorAll('input[name="actual_value"][data-ledger]').forEach(function (input) {
    var form = input.form;
    var select = form && form.querySelector('select[name="period"]');
    if (!select) return;
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      var ledger = option && option.getAttribute("data-ledger");
      if (ledger === null) return;
      if (input.value === "" || input.value === input.getAttribute("data-ledger")) {
        input.value = ledger;
        input.setAttribute("data-ledger", ledger);
      }
    });
  });
})();
