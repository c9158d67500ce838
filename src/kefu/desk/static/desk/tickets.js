/* Ticket desk: keyboard shortcuts, the canned response picker, and presence ("Alex is
 * replying"). Text from the server is only ever set with textContent. */
(function () {
  "use strict";

  var page = document.querySelector("[data-shortcuts]");
  if (!page) return;
  var mode = page.getAttribute("data-shortcuts");
  var help = document.getElementById("shortcut-help");

  function isTyping(target) {
    if (!target) return false;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  function toggleHelp(show) {
    if (!help) return;
    help.hidden = show === undefined ? !help.hidden : !show;
    if (!help.hidden) {
      var close = help.querySelector("[data-shortcut-close]");
      if (close) close.focus();
    }
  }

  document.querySelectorAll("[data-shortcut-help]").forEach(function (button) {
    button.addEventListener("click", function () { toggleHelp(true); });
  });
  if (help) {
    help.addEventListener("click", function (event) {
      if (event.target === help || event.target.hasAttribute("data-shortcut-close")) toggleHelp(false);
    });
  }

  /* --- the list: j/k move, Enter/o open, x select ------------------------------------ */
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.ticket-row"));
  var current = -1;

  function select(index) {
    if (!rows.length) return;
    index = Math.max(0, Math.min(rows.length - 1, index));
    if (current >= 0 && rows[current]) rows[current].classList.remove("selected");
    current = index;
    rows[current].classList.add("selected");
    rows[current].setAttribute("aria-selected", "true");
    rows[current].scrollIntoView({ block: "nearest" });
  }

  var selectAll = document.querySelector("[data-select-all]");
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      document.querySelectorAll("#ticket-table input[name=ticket]").forEach(function (box) {
        box.checked = selectAll.checked;
      });
    });
  }

  /* --- the ticket page: r/n reply or note, s status ---------------------------------- */
  function startReply(kind) {
    var radio = document.getElementById(kind === "internal" ? "reply-kind-internal" : "reply-kind-public");
    var body = document.getElementById("reply-body");
    if (radio) radio.checked = true;
    markReplyKind();
    if (body) body.focus();
  }

  function markReplyKind() {
    var form = document.getElementById("reply-form");
    var internal = document.getElementById("reply-kind-internal");
    if (form && internal) form.classList.toggle("internal", internal.checked);
  }
  document.querySelectorAll("input[name=kind]").forEach(function (radio) {
    radio.addEventListener("change", markReplyKind);
  });
  markReplyKind();

  var handlers = {
    list: {
      j: function () { select(current + 1); },
      k: function () { select(current - 1); },
      o: openSelected,
      Enter: openSelected,
      x: function () {
        if (current < 0) return;
        var box = rows[current].querySelector("input[name=ticket]");
        if (box) box.checked = !box.checked;
      }
    },
    detail: {
      r: function () { startReply("public"); },
      n: function () { startReply("internal"); },
      s: function () {
        var status = document.getElementById("id_status") || document.getElementById("reply-status");
        if (status) status.focus();
      }
    }
  };

  function openSelected() {
    if (current >= 0 && rows[current]) window.location.href = rows[current].getAttribute("data-url");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      if (help && !help.hidden) { toggleHelp(false); return; }
      if (isTyping(event.target)) event.target.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    if (event.key === "?") { event.preventDefault(); toggleHelp(); return; }
    if (help && !help.hidden) return;
    if (event.key === "Enter" && event.target.closest && event.target.closest("a, button")) return;
    var handler = (handlers[mode] || {})[event.key];
    if (handler) { event.preventDefault(); handler(); }
  });

  /* --- canned responses -------------------------------------------------------------- */
  var cannedData = document.getElementById("canned-data");
  var cannedInsert = document.getElementById("canned-insert");
  if (cannedData && cannedInsert) {
    var canned = JSON.parse(cannedData.textContent);
    cannedInsert.addEventListener("click", function () {
      var picked = document.getElementById("canned-select").value;
      var item = canned.find(function (entry) { return String(entry.id) === picked; });
      var body = document.getElementById("reply-body");
      if (!item || !body) return;
      var start = body.selectionStart || body.value.length;
      var end = body.selectionEnd || body.value.length;
      body.value = body.value.slice(0, start) + item.text + body.value.slice(end);
      document.getElementById("reply-canned-id").value = item.id;
      body.focus();
      body.selectionStart = body.selectionEnd = start + item.text.length;
    });
  }

  /* --- presence ---------------------------------------------------------------------- */
  var presenceUrl = page.getAttribute("data-presence-url");
  if (!presenceUrl) return;
  var notice = document.getElementById("presence-notice");
  var tokenInput = page.querySelector("input[name=csrfmiddlewaretoken]");
  var token = tokenInput ? tokenInput.value : "";
  var replyBody = document.getElementById("reply-body");
  var lastTyped = 0;
  if (replyBody) replyBody.addEventListener("input", function () { lastTyped = Date.now(); });

  function myState() {
    return replyBody && (Date.now() - lastTyped < 20000 || document.activeElement === replyBody) &&
      replyBody.value.trim() ? "replying" : "viewing";
  }

  function show(others) {
    if (!notice) return;
    var lines = others.map(function (other) {
      var template = page.getAttribute(other.state === "replying" ? "data-text-replying" : "data-text-viewing");
      return template.replace("%(name)s", other.name);
    });
    notice.textContent = lines.join(" · ");
    notice.hidden = lines.length === 0;
    notice.classList.toggle("replying", others.some(function (o) { return o.state === "replying"; }));
  }

  function report(state) {
    var body = new FormData();
    body.append("state", state);
    return fetch(presenceUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    }).then(function (response) { return response.ok ? response.json() : { others: [] }; })
      .then(function (data) { show(data.others || []); })
      .catch(function () { /* offline for a moment: try again on the next tick */ });
  }

  var lastSent = "";
  function tick() {
    if (document.hidden) return;
    lastSent = myState();
    report(lastSent);
  }
  if (replyBody) {
    replyBody.addEventListener("input", function () { if (lastSent !== "replying") tick(); });
  }
  tick();
  window.setInterval(tick, 10000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) tick(); });
  window.addEventListener("pagehide", function () {
    var body = new FormData();
    body.append("state", "left");
    body.append("csrfmiddlewaretoken", token);
    if (navigator.sendBeacon) navigator.sendBeacon(presenceUrl, body);
  });
})();
