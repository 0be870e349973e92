// The "API token created" page: select the key on focus; Copy puts it on the clipboard.
(function () {
  var input = document.getElementById("token-key");
  input.addEventListener("focus", function () { input.select(); });
  document.getElementById("copy-token").addEventListener("click", function () {
    var button = this;
    input.select();
    var done = function () { button.textContent = "Copied"; };
    if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(input.value).then(done); }
    else { document.execCommand("copy"); done(); }
  });
})();
