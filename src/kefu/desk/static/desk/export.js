// Exports in progress: poll each one's status, move its progress bar, and reload the page when
// it is finished (the download link and the result come with the page). Without JavaScript the
// page shows the same after a reload.
(function () {
  var rows = document.querySelectorAll(".export-row");
  Array.prototype.forEach.call(rows, function (row) {
    var status = row.dataset.status;
    if (status === "done" || status === "failed" || status === "expired") return;
    var timer = setInterval(function () {
      fetch(row.dataset.statusUrl, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          var bar = row.querySelector(".export-bar");
          if (bar) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
          row.querySelector(".export-status").textContent = data.status_label;
          var counts = row.querySelector(".export-counts");
          if (counts) counts.textContent = data.done + " / " + data.total;
          if (data.finished) { clearInterval(timer); location.reload(); }
        })
        .catch(function () { clearInterval(timer); });
    }, 1000);
  });
})();
