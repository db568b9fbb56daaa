// The progress bar of a report run the worker is building (templates/reports/run_detail.html). Polls the
// run's status.json every 1.5 s, moves the bar and shows what is being built, and reloads the page once the
// run is done or failed, so its files (or the reason) show. Without JavaScript the page has a "Refresh" link.
(function () {
  "use strict";

  var box = document.querySelector("[data-run-progress]");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var label = box.querySelector("[data-progress-label]");
  var bar = box.querySelector("[data-progress-bar]");
  var fill = box.querySelector("[data-progress-fill]");
  var INTERVAL = 1500;
  var failures = 0;

  function show(state) {
    label.textContent = state.label || state.status_label;
    var determinate = state.total > 0;
    fill.classList.toggle("progress-bar-striped", !determinate);
    fill.classList.toggle("progress-bar-animated", !determinate);
    fill.classList.toggle("w-100", !determinate);
    if (determinate) {
      fill.style.width = state.percent + "%";
      bar.setAttribute("aria-valuenow", String(state.percent));
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        if (!state.busy) {
          window.location.reload();
          return;
        }
        show(state);
        window.setTimeout(poll, INTERVAL);
      })
      .catch(function () {
        failures += 1;
        if (failures < 20) {
          window.setTimeout(poll, INTERVAL * 2);
        }
      });
  }

  if (fill.hasAttribute("data-percent") && Number(fill.getAttribute("data-percent")) > 0) {
    fill.style.width = fill.getAttribute("data-percent") + "%";
  }
  window.setTimeout(poll, INTERVAL);
})();
