// The progress bar of an upload the worker is checking or applying (templates/indicators/upload_detail.html).
// Polls the upload's status.json every 1.5 s, moves the bar, and reloads the page once the upload is no
// longer busy, so the preview or the outcome shows. Without JavaScript the page offers a "Refresh" link.
(function () {
  "use strict";

  var box = document.querySelector("[data-upload-progress]");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var label = box.querySelector("[data-progress-label]");
  var bar = box.querySelector("[data-progress-bar]");
  var fill = box.querySelector("[data-progress-fill]");
  var rows = box.querySelector("[data-progress-rows]");
  var INTERVAL = 1500;
  var failures = 0;

  function setPercent(percent) {
    fill.style.width = percent + "%";
    bar.setAttribute("aria-valuenow", String(percent));
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
  }

  function show(state) {
    label.textContent = state.status_label;
    var determinate = state.status === "checking" && state.rows_total > 0;
    fill.classList.toggle("progress-bar-striped", !determinate);
    fill.classList.toggle("progress-bar-animated", !determinate);
    fill.classList.toggle("w-100", !determinate);
    if (determinate) {
      setPercent(state.percent);
      rows.textContent =
        state.rows_done.toLocaleString() + " of " + state.rows_total.toLocaleString() +
        " rows read (" + state.percent + "%).";
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

  if (fill && fill.hasAttribute("data-percent")) {
    setPercent(Number(fill.getAttribute("data-percent")) || 0);
  }
  window.setTimeout(poll, INTERVAL);
})();
