// Live checks on the signup form: the subdomain is validated by the server while typing,
// a double click submits once.
(function () {
  "use strict";
  var form = document.getElementById("signup-form");
  if (!form) return;
  var subdomain = form.querySelector('[name="subdomain"]');
  var company = form.querySelector('[name="company_name"]');
  var error = document.getElementById("error-subdomain");
  var preview = document.getElementById("subdomain-preview");
  var field = document.getElementById("field-subdomain");
  var button = document.getElementById("signup-submit");
  var touched = subdomain.value !== "";
  var timer = null;
  var latest = 0;

  function suggest(name) {
    return name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "").slice(0, 40);
  }

  function show(ok, message) {
    error.textContent = ok ? "" : message;
    preview.textContent = ok ? message : "";
    field.classList.toggle("has-error", !ok);
    field.classList.toggle("is-valid", ok);
    subdomain.setAttribute("aria-invalid", ok ? "false" : "true");
  }

  function check() {
    var value = subdomain.value.trim().toLowerCase();
    if (!value) { show(true, ""); return; }
    var request = ++latest;
    fetch(form.dataset.checkUrl + "?subdomain=" + encodeURIComponent(value), {
      headers: { "Accept": "application/json" }, credentials: "same-origin"
    }).then(function (response) { return response.json(); })
      .then(function (data) { if (request === latest) show(data.available, data.message); })
      .catch(function () { /* the server checks again on submit */ });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  }

  subdomain.addEventListener("input", function () { touched = true; schedule(); });
  company.addEventListener("input", function () {
    if (!touched) {
      var guess = suggest(company.value);
      if (guess.length >= 3) { subdomain.value = guess; schedule(); }
    }
  });
  form.addEventListener("submit", function (event) {
    if (form.dataset.submitting) { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    button.disabled = true;
    button.textContent = button.dataset.busyLabel;
  });
  if (subdomain.value) schedule();
})();
