// Media players load only when the reader asks: until then the page connects to no one.
// Each "Load the player here" button replaces its card with the provider's player.
(function () {
  "use strict";
  var allowed = /^https:\/\/(www\.youtube-nocookie\.com\/embed\/|player\.vimeo\.com\/video\/|w\.soundcloud\.com\/player\/|open\.spotify\.com\/embed\/)/;
  document.querySelectorAll("button.media-load").forEach(function (button) {
    var player = button.getAttribute("data-player") || "";
    if (!allowed.test(player)) { return; }
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
})();
