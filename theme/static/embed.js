/* Timeline: the embed's side of its frame (embed/, see docs/embedding.md). Loaded in the
   head, so that ?theme=light or ?theme=dark sets the colours before anything is drawn. In a
   frame, it tells the host page its height whenever that changes, in the message format of
   NPR's pym.js ("pymxPYMx" + id + "xPYMxheightxPYMx" + px; the id is the frame's ?childId=,
   as pym.js's Parent sets it), so a page already using pym.js can embed it as it is, and the
   few lines of the Embed button's code do the same for a page without it. */
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search), theme = params.get("theme");
  if (theme === "light" || theme === "dark") { document.documentElement.setAttribute("data-theme", theme); }
  if (window.parent === window) { return; }  // not in a frame: no one to tell
  var id = params.get("childId") || "timeline", prefix = "pymxPYMx" + id + "xPYMx", last = 0;
  function send() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) { return; }
    last = height;
    window.parent.postMessage(prefix + "heightxPYMx" + height, "*");  // a height is no secret
  }
  window.addEventListener("message", function (event) {  // pym.js's Parent sends its width
    if (event.source === window.parent && typeof event.data === "string" &&
        event.data.indexOf(prefix + "widthxPYMx") === 0) { last = 0; send(); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    send();
    if (window.ResizeObserver) { new ResizeObserver(send).observe(document.documentElement); }
    window.addEventListener("load", send);
  });
})();
