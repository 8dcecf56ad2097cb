// Check form (新建督查): an item that fails (不达标, a finding, fewer passing than needed) shows its
// photo input and turns red; 不适用 greys out the item's other inputs. Without this script every
// photo input is simply shown.
(function () {
  function number(input) {
    var value = input ? parseFloat(input.value) : NaN;
    return isNaN(value) ? null : value;
  }

  function failed(item) {
    var kind = item.dataset.kind;
    if (kind === "passfail" || kind === "veto") {
      var chosen = item.querySelector('.pass-buttons input:checked');
      return !!chosen && chosen.value === "0";
    }
    if (kind === "deduction") {
      var found = number(item.querySelector(".findings-input"));
      return found !== null && found > 0;
    }
    if (kind === "sampling") {
      var asked = number(item.querySelector('input[name^="asked_"]'));
      var passed = number(item.querySelector(".sample-passed"));
      var needed = item.dataset.threshold ? parseFloat(item.dataset.threshold) : asked;
      return passed !== null && needed !== null && passed < needed;
    }
    return false;
  }

  function update(item) {
    var na = item.querySelector(".item-na");
    var off = !!(na && na.checked);
    item.querySelectorAll("input, select, textarea").forEach(function (input) {
      if (input !== na) { input.disabled = off; }
    });
    var isFailed = !off && failed(item);
    item.classList.toggle("failed", isFailed);
    var photo = item.querySelector(".item-photo");
    if (photo) {
      var chosen = photo.querySelector('input[type="file"]');
      photo.hidden = !isFailed && !(chosen && chosen.files && chosen.files.length);
    }
  }

  document.querySelectorAll(".check-item").forEach(function (item) {
    update(item);
    item.addEventListener("change", function () { update(item); });
    item.addEventListener("input", function () { update(item); });
  });
})();
