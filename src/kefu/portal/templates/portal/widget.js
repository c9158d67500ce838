// Kefu help widget for {{ tenant_name|escapejs }}. The line to paste into a page, and the
// sites allowed to show it, are on the desk's channel settings (Help widget).
// The button lives in a shadow root and the panel is an iframe from the help center's own
// host, so neither the host page's styles nor its scripts reach inside (and vice versa).
(function () {
  "use strict";
  if (window.__kefuWidget) return;
  // The workspace may list the sites allowed to show it (the panel refuses to be framed
  // anywhere else); on another site the button is not added at all.
  var allowed = [{% for origin in origins %}"{{ origin|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
  if (allowed.length && allowed.indexOf(window.location.origin) === -1) return;
  window.__kefuWidget = true;
  var base = "{{ base|escapejs }}";
  var host = document.createElement("div");
  host.setAttribute("data-kefu-widget", "");
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML =
    "<style>" +
    ":host{all:initial}" +
    "button{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:24px;" +
    "padding:12px 18px;font:600 15px/1 system-ui,sans-serif;color:{{ text_color|escapejs }};background:{{ color|escapejs }};" +
    "box-shadow:0 4px 14px rgba(0,0,0,.2);cursor:pointer}" +
    "iframe{position:fixed;right:20px;bottom:76px;z-index:2147483000;width:360px;max-width:calc(100vw - 40px);" +
    "height:520px;max-height:calc(100vh - 100px);border:1px solid #d0d7de;border-radius:12px;background:#fff;" +
    "box-shadow:0 8px 28px rgba(0,0,0,.2)}" +
    "[hidden]{display:none}" +
    "</style>" +
    "<button type='button' part='button' aria-expanded='false'>{{ label|escapejs }}</button>" +
    "<iframe title='{{ label|escapejs }}' hidden></iframe>";
  var button = root.querySelector("button");
  var frame = root.querySelector("iframe");
  button.addEventListener("click", function () {
    if (!frame.src) frame.src = base + "/widget/";
    var open = frame.hasAttribute("hidden");
    frame.toggleAttribute("hidden", !open);
    button.setAttribute("aria-expanded", String(open));
  });
  (document.body || document.documentElement).appendChild(host);
})();
