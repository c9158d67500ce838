// The ticket form: show the selected category's own fields, and suggest answers while the
// customer types the subject and description. Without this script the form still works: every
// category's fields are shown and the server checks them.
(function () {
  "use strict";
  var form = document.getElementById("ticket-form");
  if (!form) { return; }

  // --- custom fields of the chosen category ---------------------------------------------------
  var category = form.querySelector('select[name="category"]');
  var groups = form.querySelectorAll("fieldset.ticket-fields[data-category]");

  function showCategoryFields() {
    var chosen = category ? category.value : "";
    groups.forEach(function (group) {
      var own = group.dataset.category;
      var visible = own === "" || own === chosen;
      group.hidden = !visible;
      // Hidden inputs are disabled so they are neither submitted nor block submission.
      group.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = !visible;
      });
    });
  }
  if (category) { category.addEventListener("change", showCategoryFields); }
  showCategoryFields();

  // --- suggestions while typing ---------------------------------------------------------------
  var subject = form.querySelector('input[name="subject"]');
  var description = form.querySelector('textarea[name="description"]');
  var box = document.getElementById("ticket-suggestions");
  var articleList = document.getElementById("suggested-articles");
  var ticketList = document.getElementById("suggested-tickets");
  var labels = document.getElementById("suggestions-labels");
  var timer = null;
  var latest = 0;
  var lastQuery = "";

  function item(url, title, badge, detail) {
    var li = document.createElement("li");
    if (badge) {
      var tag = document.createElement("span");
      tag.className = "badge";
      tag.textContent = badge;  // text, never HTML
      li.appendChild(tag);
      li.appendChild(document.createTextNode(" "));
    }
    var link = document.createElement("a");
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = title;
    link.title = labels.dataset.newTab;
    li.appendChild(link);
    if (detail) {
      var p = document.createElement("p");
      p.className = "snippet";
      p.textContent = detail;
      li.appendChild(p);
    }
    return li;
  }

  function show(data) {
    articleList.innerHTML = "";
    ticketList.innerHTML = "";
    (data.articles || []).forEach(function (article) {
      // The snippet comes marked up (<mark>); show its text only (parsed inertly).
      var text = new DOMParser().parseFromString(article.snippet || "", "text/html").body.textContent;
      articleList.appendChild(item(article.url, article.title, "", text));
    });
    (data.tickets || []).forEach(function (ticket) {
      ticketList.appendChild(
        item(ticket.url, "#" + ticket.number + " " + ticket.subject, labels.dataset.ticketLabel, "")
      );
    });
    box.hidden = !(articleList.children.length || ticketList.children.length);
  }

  function query() {
    var text = (subject ? subject.value : "") + " " + (description ? description.value.slice(0, 200) : "");
    return text.trim();
  }

  function suggest() {
    clearTimeout(timer);
    var text = query();
    if (text.length < 2) { show({}); lastQuery = ""; return; }
    timer = setTimeout(function () {
      if (text === lastQuery) { return; }
      lastQuery = text;
      var request = ++latest;
      fetch(form.dataset.suggestUrl + "?q=" + encodeURIComponent(text), {
        headers: { "Accept": "application/json" }, credentials: "same-origin"
      }).then(function (response) { return response.ok ? response.json() : {}; })
        .then(function (data) { if (request === latest) { show(data); } })
        .catch(function () { /* suggestions are a bonus: the form works without them */ });
    }, 400);
  }
  [subject, description].forEach(function (input) {
    if (input) { input.addEventListener("input", suggest); }
  });

  // One submission per click: a double click must not send the form twice.
  form.addEventListener("submit", function () {
    var button = document.getElementById("ticket-submit");
    if (button) { setTimeout(function () { button.disabled = true; }, 0); }
  });
})();
