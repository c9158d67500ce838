// An import in progress: poll its status and reload the page when it is done.
(function () {
  var box = document.getElementById("import-progress");
  if (box.dataset.status === "done" || box.dataset.status === "failed") return;
  var timer = setInterval(function () {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (data) {
        var bar = document.getElementById("import-bar");
        bar.max = data.total_rows || 1; bar.value = data.processed_rows;
        if (data.status === "done" || data.status === "failed") { clearInterval(timer); location.reload(); }
      });
  }, 1000);
})();
