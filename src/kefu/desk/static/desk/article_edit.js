// The article editor: live preview of the body, and files uploaded into it at the cursor.
(function () {
  var form = document.getElementById("article-form");
  var body = form.querySelector('[name="body"]');
  var preview = document.getElementById("article-preview");
  var token = form.querySelector('[name="csrfmiddlewaretoken"]').value;
  var timer = null;
  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var data = new FormData();
      data.append("body", body.value);
      fetch(form.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin",
                                       headers: { "X-CSRFToken": token } })
        .then(function (r) { return r.json(); })
        .then(function (result) { preview.innerHTML = result.html; });  // sanitised by the server
    }, 300);
  });
  var uploader = document.getElementById("asset-upload");
  var fileInput = document.getElementById("asset-file");
  var status = document.getElementById("asset-status");
  fileInput.addEventListener("change", function () {
    if (!fileInput.files.length) { return; }
    var data = new FormData();
    data.append("file", fileInput.files[0]);
    status.textContent = "…";
    fetch(uploader.dataset.uploadUrl, { method: "POST", body: data, credentials: "same-origin",
                                        headers: { "X-CSRFToken": token } })
      .then(function (r) { return r.json().then(function (json) { return [r.ok, json]; }); })
      .then(function (result) {
        if (!result[0]) { status.textContent = result[1].error; return; }
        var at = body.selectionStart || body.value.length;
        body.value = body.value.slice(0, at) + "\n" + result[1].markdown + "\n" + body.value.slice(at);
        body.dispatchEvent(new Event("input"));
        status.textContent = result[1].markdown;
        fileInput.value = "";
      });
  });
})();
