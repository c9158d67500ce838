// <button data-copy="#element-id" data-copied="Copied"> copies the element's text (a code
// snippet) to the clipboard and says so on the button for a moment. A static file: the
// Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    document.body.removeChild(area);
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var label = button.textContent;
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    button.insertAdjacentElement("afterend", status);
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.querySelector(button.getAttribute("data-copy"));
      if (!source) return;
      var text = source.textContent.trim();
      var copy = navigator.clipboard && window.isSecureContext
        ? navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); })
        : fallbackCopy(text);
      copy.then(function () {
        button.textContent = button.getAttribute("data-copied");
        status.textContent = button.getAttribute("data-copied");
      }, function () {
        button.textContent = button.getAttribute("data-copy-failed");
        status.textContent = button.getAttribute("data-copy-failed");
      });
      window.setTimeout(function () { button.textContent = label; }, 2500);
    });
  });
})();
