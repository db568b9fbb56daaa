// The progress bar of work the task worker is doing: an upload being checked or applied
// (templates/indicators/upload_detail.html) or a report being built (templates/reports/run_detail.html).
// The page marks the box with data-progress and data-status-url; that URL answers JSON
// {busy, label, percent, determinate, detail}. Every 1.5 s the bar, its label and the detail line follow it,
// and once the work is no longer busy the page reloads to show the outcome. Without JavaScript the page
// offers a "Refresh" link.
(function () {
  "use strict";

  var box = document.querySelector("[data-progress]");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var label = box.querySelector("[data-progress-label]");
  var bar = box.querySelector("[data-progress-bar]");
  var fill = box.querySelector("[data-progress-fill]");
  var detail = box.querySelector("[data-progress-detail]");
  var INTERVAL = 1500;
  var failures = 0;

  function setPercent(percent) {
    fill.style.width = percent + "%";
    bar.setAttribute("aria-valuenow", String(percent));
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
  }

  function show(state) {
    label.textContent = state.label;
    fill.classList.toggle("progress-bar-striped", !state.determinate);
    fill.classList.toggle("progress-bar-animated", !state.determinate);
    fill.classList.toggle("w-100", !state.determinate);
    if (state.determinate) {
      setPercent(state.percent);
    }
    if (detail && state.detail) {
      detail.textContent = state.detail;
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
        // A dropped connection or a restarting server: keep trying for a while, then leave it to "Refresh".
        failures += 1;
        if (failures < 20) {
          window.setTimeout(poll, INTERVAL * 2);
        }
      });
  }

  if (fill && Number(fill.getAttribute("data-percent")) > 0) {
    setPercent(Number(fill.getAttribute("data-percent")));
  }
  window.setTimeout(poll, INTERVAL);
})();
