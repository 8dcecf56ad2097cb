// Activity archives: list the photos chosen on a phone before upload, warn about files over the
// size limit, show "uploading" on slow connections, and confirm deleting a draft.
(function () {
  "use strict";
  var form = document.getElementById("activity-form");
  if (form) {
    var maxBytes = parseInt(form.getAttribute("data-max-mb") || "20", 10) * 1024 * 1024;
    var list = form.querySelector("[data-photo-list]");
    var inputs = form.querySelectorAll("[data-photo-input]");
    var render = function () {
      if (form.hasAttribute("data-capture-on")) { return; }  // capture.js shows each photo itself
      list.textContent = "";
      inputs.forEach(function (input) {
        Array.prototype.forEach.call(input.files || [], function (file) {
          var li = document.createElement("li");
          var size = file.size < 1024 * 1024 ? Math.max(1, Math.round(file.size / 1024)) + " KB"
            : (file.size / 1024 / 1024).toFixed(1) + " MB";
          li.textContent = "已选择：" + file.name + "（" + size + "）";
          if (file.size > maxBytes) {
            li.className = "text-danger";
            li.textContent += " —— 超过上限，将不会被接收";
          }
          list.appendChild(li);
        });
      });
    };
    inputs.forEach(function (input) { input.addEventListener("change", render); });
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented || form.hasAttribute("data-capture-on")) { return; }
      var note = form.querySelector("[data-uploading]");
      if (note) { note.classList.remove("d-none"); }
    });
  }
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (event) {
      if (!window.confirm(f.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();
