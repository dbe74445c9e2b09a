// Media players load only when the reader asks: until then the page connects to no one.
// Each "Load the player here" button replaces its card with the provider's player. A page
// that adds media cards after it has loaded (static/story.js, a slide's) sends a
// "timeline:content" event from what it added, whose buttons are then made ready too.
(function () {
  "use strict";
  var allowed = /^https:\/\/(www\.youtube-nocookie\.com\/embed\/|player\.vimeo\.com\/video\/|w\.soundcloud\.com\/player\/|open\.spotify\.com\/embed\/)/;
  function prepare(root) {
    root.querySelectorAll("button.media-load:not([data-ready])").forEach(function (button) {
      var player = button.getAttribute("data-player") || "";
      if (!allowed.test(player)) { return; }
      button.setAttribute("data-ready", "");
      var note = button.parentNode.querySelector(".media-load-note");
      if (note) { note.hidden = false; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var frame = document.createElement("iframe");
        frame.src = player;
        frame.title = button.getAttribute("data-title") || window.timelineWords.t("player");
        frame.setAttribute("allow", "encrypted-media; picture-in-picture; fullscreen");
        frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
        frame.setAttribute("loading", "lazy");
        frame.className = "media-player media-player-" + (/soundcloud|spotify/.test(player) ? "audio" : "video");
        var card = button.closest(".media-card");
        card.replaceWith(frame);
        frame.focus();
      });
    });
  }
  prepare(document);
  document.addEventListener("timeline:content", function (event) {
    if (event.target && event.target.querySelectorAll) { prepare(event.target); }
  });
})();
