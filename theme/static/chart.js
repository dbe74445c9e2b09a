/* Timeline's overview, 5 of 5: what the reader does with it - buttons, keys, wheel, drag and
   pinch, the view in the URL, the page's filters, the tooltip, the hooks a page drives its
   chart by (static/story.js) - and the start: every figure.chart with its data becomes a
   live chart (see chart-time.js for the five scripts, which must come before this one). */
(function (C) {
  "use strict";
  if (!C || !C.Chart) { return; }  // the other four did not load: the static chart stays, whole
  var W = window.timelineWords;  // the site's words (static/words.js)
  var Chart = C.Chart, PAD = C.PAD, MIN_SPAN = C.MIN_SPAN, CURRENT = C.CURRENT;
  var iso = C.iso, parseIso = C.parseIso, escapeHtml = C.escapeHtml;

  Chart.prototype.tools = function () {
    var self = this, tools = document.createElement("div");
    tools.className = "chart-tools";
    this.buttons = {};
    [["in", W.t("chart.zoom_in"), "+", function () { self.zoom(2); }],
     ["out", W.t("chart.zoom_out"), "−", function () { self.zoom(0.5); }],
     ["all", W.t("chart.show_all"), "", function () { self.show(self.full.lo, self.full.hi); }]].forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b[1];
      if (b[2]) { button.setAttribute("aria-keyshortcuts", b[2] === "+" ? "+" : "-"); }
      button.addEventListener("click", b[3]);
      tools.appendChild(button);
      self.buttons[b[0]] = button;
    });
    this.range = document.createElement("p");
    this.range.className = "chart-range";
    tools.appendChild(this.range);
    this.figure.insertBefore(tools, this.svg);
  };

  Chart.prototype.clamp = function (lo, hi) {
    var full = this.full, span = Math.min(full.hi - full.lo, Math.max(MIN_SPAN, hi - lo));
    var mid = (lo + hi) / 2;
    lo = Math.max(full.lo, Math.min(full.hi - span, mid - span / 2));
    return {lo: lo, hi: lo + span};
  };
  Chart.prototype.show = function (lo, hi) {
    this.view = this.clamp(lo, hi);
    this.draw();
  };
  Chart.prototype.zoom = function (factor, atPx) {
    var v = this.view, x = this.scale();
    var at = atPx === undefined ? (v.lo + v.hi) / 2 : v.lo + (atPx - PAD) / x.k;
    var span = (v.hi - v.lo) / factor;
    var share = (at - v.lo) / (v.hi - v.lo);
    span = Math.min(this.full.hi - this.full.lo, Math.max(MIN_SPAN, span));
    this.show(at - share * span, at - share * span + span);
  };
  Chart.prototype.pan = function (px) {
    var days = px / this.scale().k;
    this.show(this.view.lo + days, this.view.hi + days);
  };

  Chart.prototype.readUrl = function () {
    var params = new URLSearchParams(window.location.search);
    var lo = parseIso(params.get("from")), hi = parseIso(params.get("to"));
    if (lo !== null && hi !== null && hi >= lo) { this.view = this.clamp(lo, hi + 1); }
  };
  Chart.prototype.writeUrl = function () {
    if (this.figure !== document.querySelector("figure.chart")) { return; }  // the page's first chart
    if (this.figure.closest("[data-chart-url='none']")) { return; }  // the page keeps its own URL
    var self = this;
    clearTimeout(this.urlTimer);
    this.urlTimer = setTimeout(function () {
      var params = new URLSearchParams(window.location.search), v = self.view;
      if (v.hi - v.lo >= self.full.hi - self.full.lo - 1e-6) { params.delete("from"); params.delete("to"); }
      else { params.set("from", iso(v.lo)); params.set("to", iso(Math.ceil(v.hi) - 1)); }
      var search = params.toString();
      history.replaceState(history.state, "", window.location.pathname + (search ? "?" + search : "") + window.location.hash);
    }, 150);
  };

  Chart.prototype.controls = function () {
    var self = this, svg = this.svg;
    this.figure.addEventListener("keydown", function (event) {
      if (event.altKey || event.metaKey || event.ctrlKey || !svg.contains(event.target)) { return; }
      var step = self.width() * (event.shiftKey ? 0.5 : 0.1);
      switch (event.key) {
        case "ArrowLeft": self.pan(-step); break;
        case "ArrowRight": self.pan(step); break;
        case "+": case "=": self.zoom(2); break;
        case "-": case "_": self.zoom(0.5); break;
        case "0": case "Home": self.show(self.full.lo, self.full.hi); break;
        default: return;
      }
      event.preventDefault();
    });
    svg.addEventListener("wheel", function (event) {
      var box = svg.getBoundingClientRect();
      if (event.ctrlKey) {  // a pinch on a trackpad, or ctrl + wheel
        self.zoom(Math.exp(-event.deltaY * 0.01), event.clientX - box.left);
      } else if (Math.abs(event.deltaX) > Math.abs(event.deltaY) || event.shiftKey) {
        self.pan(event.shiftKey && !event.deltaX ? event.deltaY : event.deltaX);
      } else {
        return;  // a plain vertical wheel keeps scrolling the page
      }
      event.preventDefault();
    }, {passive: false});

    // Drag to pan (mouse, pen or one finger; vertical swipes still scroll the page, as
    // touch-action: pan-y says), pinch with two fingers to zoom.
    var pointers = {}, drag = null, moved = false;
    function spread() {
      var ids = Object.keys(pointers);
      if (ids.length < 2) { return null; }
      var a = pointers[ids[0]], b = pointers[ids[1]];
      return {d: Math.max(1, Math.abs(a.x - b.x)), mid: (a.x + b.x) / 2};
    }
    svg.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) { return; }
      pointers[event.pointerId] = {x: event.clientX};
      moved = false;
      drag = {x: event.clientX, pinch: spread()};
    });
    svg.addEventListener("pointermove", function (event) {
      if (!drag || !pointers[event.pointerId]) { return; }
      pointers[event.pointerId].x = event.clientX;
      var pinch = spread(), box = svg.getBoundingClientRect();
      if (pinch && drag.pinch) {
        self.zoom(pinch.d / drag.pinch.d, pinch.mid - box.left);
        drag.pinch = pinch;
        moved = true;
        return;
      }
      var dx = event.clientX - drag.x;
      if (!moved && Math.abs(dx) < 5) { return; }
      if (!moved) { svg.setPointerCapture(event.pointerId); svg.classList.add("dragging"); }
      moved = true;
      self.pan(-dx);
      drag.x = event.clientX;
    });
    function end(event) {
      delete pointers[event.pointerId];
      drag = Object.keys(pointers).length ? {x: pointers[Object.keys(pointers)[0]].x, pinch: null} : null;
      svg.classList.remove("dragging");
    }
    ["pointerup", "pointercancel"].forEach(function (name) { svg.addEventListener(name, end); });
    svg.addEventListener("click", function (event) {
      if (moved) { event.preventDefault(); event.stopPropagation(); moved = false; return; }
      var bin = event.target.closest && event.target.closest(".bin");
      if (bin) { self.show(+bin.getAttribute("data-lo"), +bin.getAttribute("data-hi")); }
    }, true);

    document.addEventListener("timeline:filter", function () { self.filter(); self.draw(); });
    this.filter();
  };

  // The page's filters (static/filters.js) hide list items; their events leave the chart.
  Chart.prototype.filter = function () {
    var hidden = {};
    this.events.forEach(function (e) {
      var item = document.getElementById(e.slug);
      if (item && item.matches("li.event") && item.hidden) { hidden[e.slug] = true; }
    });
    this.hide(hidden);
  };
  // The events to leave out: sorted anew only if they are others than before.
  Chart.prototype.hide = function (hidden) {
    var before = this.hidden, keys = Object.keys(hidden);
    if (keys.length === Object.keys(before).length && keys.every(function (slug) { return before[slug]; })) { return; }
    this.hidden = hidden;
    this.sort();
  };

  Chart.prototype.tip = function () {
    var self = this, tip = document.createElement("div");
    tip.className = "chart-tip";
    tip.setAttribute("aria-hidden", "true");  // each mark's accessible name says the same
    tip.hidden = true;
    // Never after a figcaption that ends the figure: a figure's caption is its first or last child.
    var last = this.figure.lastElementChild;
    this.figure.insertBefore(tip, last && last.tagName === "FIGCAPTION" ? last : null);
    function tell(mark) {
      var e = self.events[+mark.getAttribute("data-i")];
      tip.innerHTML = "<strong>" + escapeHtml(e.title) + "</strong>" + escapeHtml(e.date) + " · " + escapeHtml(e.status);
      tip.hidden = false;
      var box = mark.querySelector(".hit").getBoundingClientRect();
      var w = tip.offsetWidth, h = tip.offsetHeight;
      var room = document.documentElement.clientWidth, below = box.bottom + 6;
      var left = Math.max(8, Math.min(box.left, room - w - 8));
      var top = below + h > window.innerHeight - 8 ? Math.max(8, box.top - h - 6) : below;
      tip.style.left = left + "px";
      tip.style.top = top + "px";
    }
    function hide() { tip.hidden = true; }
    this.svg.addEventListener("mouseover", function (event) {
      var mark = event.target.closest && event.target.closest("a.mark");
      if (mark) { tell(mark); } else { hide(); }
    });
    this.svg.addEventListener("mouseleave", hide);
    this.svg.addEventListener("focusin", function (event) {
      var mark = event.target.closest && event.target.closest("a.mark");
      if (mark) { tell(mark); } else { hide(); }
    });
    this.svg.addEventListener("focusout", hide);
    window.addEventListener("scroll", hide, {passive: true});
  };

  // Hooks for a page that drives its chart (static/story.js: the story's navigator).
  // select(slug): that event is drawn as the current one, and brought into view if it is out
  // of it (null: none is). only(slugs): the chart shows these events alone (null: all).
  Chart.prototype.select = function (slug) {
    var found = null;
    this.events.forEach(function (e) {
      if (e.slug === slug) { e.flags |= CURRENT; found = e; } else { e.flags &= ~CURRENT; }
    });
    var v = this.view, span = v.hi - v.lo;
    if (found && (found.d1 <= v.lo || found.d0 >= v.hi)) {
      var lo = isFinite(found.d0) ? found.d0 : found.d1 - 1, hi = isFinite(found.d1) ? found.d1 : lo + 1;
      this.view = this.clamp((lo + hi) / 2 - span / 2, (lo + hi) / 2 + span / 2);
    }
    this.draw();
  };
  Chart.prototype.only = function (slugs) {
    var keep = {}, hidden = {};
    (slugs || []).forEach(function (slug) { keep[slug] = true; });
    this.events.forEach(function (e) { if (slugs && !keep[e.slug]) { hidden[e.slug] = true; } });
    this.hide(hidden);
    this.draw();
  };

  // figure.chart is the chart's handle; "timeline-overview" (User Timing) how long it took to
  // read its data and draw it, which tests/benchmark.py reports.
  document.querySelectorAll("figure.chart").forEach(function (figure) {
    var holder = figure.querySelector("script.chart-data");
    // No data, or its script (a large timeline's overview-data.js) did not load: the chart
    // stays as drawn.
    if (!holder || (holder.src && !window.timelineOverview)) { return; }
    var start = performance.now();
    figure.chart = new Chart(figure);
    if (performance.measure) { performance.measure("timeline-overview", {start: start}); }
  });
})(window.timelineChart);
