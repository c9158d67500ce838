// Search as you type: titles of matching articles under the search box.
(function () {
  "use strict";
  document.querySelectorAll("form.search-box").forEach(function (form) {
    var input = form.querySelector('input[name="q"]');
    var list = form.querySelector(".suggestions");
    var timer = null;
    var latest = 0;

    function clear() { list.innerHTML = ""; list.hidden = true; }

    function show(items) {
      list.innerHTML = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        var a = document.createElement("a");
        a.href = item.url;
        a.textContent = item.title;  // text, never HTML
        if (form.dataset.linkTarget) { a.target = form.dataset.linkTarget; a.rel = "noopener"; }
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      var query = input.value.trim();
      if (query.length < 2) { clear(); return; }
      timer = setTimeout(function () {
        var request = ++latest;
        fetch(form.dataset.suggestUrl + "?q=" + encodeURIComponent(query), {
          headers: { "Accept": "application/json" }, credentials: "same-origin"
        }).then(function (r) { return r.json(); })
          .then(function (data) { if (request === latest) show(data.suggestions || []); })
          .catch(clear);
      }, 200);
    });
    input.addEventListener("keydown", function (event) { if (event.key === "Escape") clear(); });
  });
})();
