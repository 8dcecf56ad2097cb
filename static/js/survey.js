/* 问卷调查's public pages, made a little easier when scripts run (they work without):
   - the start page shows the grade only for 学生;
   - the answer sheet counts the questions answered, points at the first one left, and sends once
     (a second tap on a slow network does not post the answers twice). ES5 for older phones. */
(function () {
  "use strict";
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  var start = document.querySelector("[data-survey-start]");
  if (start) {
    var grade = start.querySelector("[data-grade]");
    var sync = function () {
      var chosen = start.querySelector("input[name=who]:checked");
      if (grade) { grade.hidden = !(chosen && chosen.value === "student"); }
    };
    each(start.querySelectorAll("input[name=who]"), function (input) { input.addEventListener("change", sync); });
    sync();
  }

  var form = document.querySelector("[data-survey-form]");
  if (!form) { return; }
  var cards = form.querySelectorAll(".card");
  var progress = form.querySelector("[data-progress]");
  var button = form.querySelector("[data-submit]");

  function answered(card) {
    var text = card.querySelector("input[type=text]");
    if (text) { return text.value.replace(/\s+/g, "") !== ""; }
    return !!card.querySelector("input:checked");
  }
  function update() {
    var done = 0;
    each(cards, function (card) { if (answered(card)) { done += 1; } });
    progress.hidden = false;
    progress.textContent = "已答 " + done + " / " + cards.length + " 题";
    return done;
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();

  var sent = false;
  form.addEventListener("submit", function (event) {
    if (sent) { event.preventDefault(); return; }
    var missing = null;
    each(cards, function (card) {
      var hint = card.querySelector(".err[data-js]");
      if (hint) { hint.parentNode.removeChild(hint); }
      if (!answered(card)) {
        missing = missing || card;
        var note = document.createElement("div");
        note.className = "err";
        note.setAttribute("data-js", "");
        note.textContent = "请作答此题。";
        card.appendChild(note);
      }
    });
    if (missing) {
      event.preventDefault();
      missing.scrollIntoView();
      return;
    }
    sent = true;
    button.disabled = true;
    button.textContent = "正在提交…";
  });
}());
