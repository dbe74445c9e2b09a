/* Timeline: zoom, pan and tooltips for the SVG overview. Without JavaScript the overview is a
   static picture whose marks are links; this only adds to it. No animation is used, so
   prefers-reduced-motion needs nothing turned off. */
(function () {
  "use strict";
  document.querySelectorAll("figure.chart").forEach(function (figure) {
    var svg = figure.querySelector("svg.chart-svg");
    if (!svg || !svg.querySelector("a.mark")) { return; }
    var base = svg.viewBox.baseVal;
    var full = {x: base.x, width: base.width};
    var view = {x: base.x, width: base.width};

    function show() {
      svg.setAttribute("viewBox", [view.x, base.y, view.width, base.height].join(" "));
      svg.setAttribute("data-zoom", (full.width / view.width).toFixed(2));
    }
    function zoom(factor, centre) {
      var width = Math.min(full.width, Math.max(full.width / 32, view.width / factor));
      var at = centre === undefined ? view.x + view.width / 2 : centre;
      view.x = Math.min(full.x + full.width - width, Math.max(full.x, at - (at - view.x) * width / view.width));
      view.width = width;
      show();
    }
    function pan(by) {
      view.x = Math.min(full.x + full.width - view.width, Math.max(full.x, view.x + by));
      show();
    }

    var tools = document.createElement("div");
    tools.className = "chart-tools";
    [["Zoom in", function () { zoom(2); }], ["Zoom out", function () { zoom(0.5); }],
     ["Show all", function () { view.x = full.x; view.width = full.width; show(); }]].forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b[0];
      button.addEventListener("click", b[1]);
      tools.appendChild(button);
    });
    figure.insertBefore(tools, svg);

    figure.addEventListener("keydown", function (event) {
      var step = view.width / 10;
      if (event.key === "+" || event.key === "=") { zoom(2); }
      else if (event.key === "-") { zoom(0.5); }
      else if (event.key === "ArrowLeft" && event.shiftKey) { pan(-step); }
      else if (event.key === "ArrowRight" && event.shiftKey) { pan(step); }
      else { return; }
      event.preventDefault();
    });
    svg.addEventListener("wheel", function (event) {
      if (!event.ctrlKey) { return; }  // plain scrolling keeps scrolling the page
      event.preventDefault();
      var box = svg.getBoundingClientRect();
      zoom(event.deltaY < 0 ? 1.25 : 0.8, view.x + view.width * (event.clientX - box.left) / box.width);
    }, {passive: false});
    var drag = null;
    svg.addEventListener("pointerdown", function (event) {
      drag = {x: event.clientX, from: view.x};
    });
    svg.addEventListener("pointermove", function (event) {
      if (!drag) { return; }
      var units = (event.clientX - drag.x) * view.width / svg.getBoundingClientRect().width;
      if (Math.abs(units) > 2) { view.x = drag.from; pan(-units); }
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      svg.addEventListener(name, function () { drag = null; });
    });

    var tip = document.createElement("div");
    tip.className = "chart-tip";
    tip.setAttribute("role", "status");
    tip.hidden = true;
    figure.appendChild(tip);
    function tell(mark) {
      tip.textContent = mark.getAttribute("aria-label");
      var box = mark.getBoundingClientRect(), home = figure.getBoundingClientRect();
      tip.style.left = Math.max(0, box.left - home.left) + "px";
      tip.style.top = (box.bottom - home.top + 6) + "px";
      tip.hidden = false;
    }
    svg.querySelectorAll("a.mark").forEach(function (mark) {
      mark.addEventListener("mouseenter", function () { tell(mark); });
      mark.addEventListener("focus", function () { tell(mark); });
      mark.addEventListener("mouseleave", function () { tip.hidden = true; });
      mark.addEventListener("blur", function () { tip.hidden = true; });
    });
  });
})();
