// The job edit page: editing a value sets its override flag, otherwise the change would be discarded on save.
document.querySelectorAll(".override-row").forEach(function (row) {
  var flag = row.querySelector("input[name$='_override']");
  var value = row.querySelector("[name='" + row.dataset.field + "']");
  if (!flag || !value) { return; }
  var mark = function () { flag.checked = true; row.classList.add("is-overridden"); };
  value.addEventListener(value.type === "checkbox" ? "change" : "input", mark);
  flag.addEventListener("change", function () { row.classList.toggle("is-overridden", flag.checked); });
});
