// Background jobs (我的下载): every [data-job-progress] block of a queued or running job polls
// its JSON status (reports:job_status) and moves its Bootstrap progress bar, stage text and
// buttons, until the job is done or failed. No reload needed; the user may also leave.
(function () {
  "use strict";

  function show(el, visible) {
    if (el) { el.classList.toggle("d-none", !visible); }
  }

  function render(block, state) {
    var bar = block.querySelector("[data-job-bar]");
    var stage = block.querySelector("[data-job-stage]");
    var download = block.querySelector("[data-job-download]");
    var result = block.querySelector("[data-job-result]");
    var retry = block.querySelector("[data-job-retry]");
    var percent = Math.max(0, Math.min(100, state.percent || 0));
    bar.style.width = percent + "%";
    bar.textContent = percent + "%";
    bar.parentNode.setAttribute("aria-valuenow", String(percent));
    bar.classList.toggle("progress-bar-striped", state.active);
    bar.classList.toggle("progress-bar-animated", state.active);
    bar.classList.toggle("bg-success", state.status === "done");
    bar.classList.toggle("bg-danger", state.status === "failed");
    stage.textContent = state.status === "failed" ? state.error : state.stage;
    stage.classList.toggle("text-danger", state.status === "failed");
    stage.classList.toggle("text-muted", state.status !== "failed");
    if (download) {
      if (state.download_url) {
        download.href = state.download_url;
        download.textContent = "下载" + (state.size ? "（" + state.size + "）" : "");
      }
      show(download, Boolean(state.download_url));
    }
    if (result) {
      if (state.result_url) { result.href = state.result_url; }
      show(result, state.status === "done" && Boolean(state.result_url));
    }
    show(retry, state.status === "failed");
    var item = block.closest("[data-testid=job-row]") || document;
    var label = item.querySelector("[data-job-status-label]");
    if (label) {
      label.textContent = state.status_label;
      if (label.classList.contains("badge")) {
        label.classList.toggle("text-bg-success", state.status === "done");
        label.classList.toggle("text-bg-danger", state.status === "failed");
        label.classList.toggle("text-bg-primary", state.active);
      }
    }
    block.dataset.status = state.status;
  }

  function poll(block, delay) {
    var url = block.dataset.statusUrl;
    window.setTimeout(function () {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"})
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (state) {
          render(block, state);
          if (state.active) { poll(block, 1000); }
        })
        .catch(function () {
          // Network hiccup or server restart: keep trying, less often.
          poll(block, Math.min(delay * 2, 10000));
        });
    }, delay);
  }

  document.querySelectorAll("[data-job-progress]").forEach(function (block) {
    if (block.dataset.active === "1") { poll(block, 500); }
  });
})();
