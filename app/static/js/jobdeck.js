// Every page: htmx requests carry the CSRF token from <meta name="csrf-token">.
document.body.addEventListener("htmx:configRequest", function (event) {
  event.detail.headers["X-CSRFToken"] = document.querySelector('meta[name="csrf-token"]').content;
});

// The job page: with a schedule chosen, the submit button says "Schedule run", not "Run job now".
(function () {
  var when = document.getElementById("_run-schedule_interval");
  var button = document.getElementById("run-button");
  if (!when || !button || !button.dataset.laterLabel) return;
  var nowLabel = button.textContent;
  function update() {
    button.textContent = when.value === "immediately" ? nowLabel : button.dataset.laterLabel;
  }
  when.addEventListener("change", update);
  update();
})();
