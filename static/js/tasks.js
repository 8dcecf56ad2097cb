// Task form: "全选/全不选" per unit kind.
document.querySelectorAll(".js-check-all").forEach(function (button) {
  button.addEventListener("click", function () {
    var box = document.querySelector('[data-group-box="' + button.dataset.group + '"]');
    var inputs = box.querySelectorAll('input[type="checkbox"]');
    var allChecked = Array.prototype.every.call(inputs, function (i) { return i.checked; });
    inputs.forEach(function (i) { i.checked = !allChecked; });
  });
});
