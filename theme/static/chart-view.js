/* Timeline's overview, 4 of 5: the chart and its drawing. A Chart reads its figure's data,
   keeps the view (the days shown) and draws it: the axis, the lanes, and the marks or, with
   too many events in view, their counts (see chart-time.js for the five scripts). */
(function (C) {
  "use strict";
  var W = window.timelineWords;  // the site's words (static/words.js)
  var PAD = C.PAD, LANE_HEAD = C.LANE_HEAD, ROW = C.ROW, AXIS = C.AXIS, TAIL = C.TAIL, MAX_LABEL = C.MAX_LABEL;
  var OUTSIDE = C.OUTSIDE, MIN_SPAN = C.MIN_SPAN, AHEAD = C.AHEAD, AHEAD_CUTS = C.AHEAD_CUTS;
  var MARK_LIMIT_MIN = C.MARK_LIMIT_MIN;
  var UNCERTAIN = C.UNCERTAIN, APPROX = C.APPROX, CURRENT = C.CURRENT;
  var civil = C.civil, escapeHtml = C.escapeHtml, ticks = C.ticks, decode = C.decode;
  var pieces = C.pieces, measurer = C.measurer, cuts = C.cuts, cut = C.cut, pack = C.pack, Parts = C.Parts;
  var addPiece = C.addPiece, Layer = C.Layer;

  function Chart(figure) {
    var self = this;
    this.figure = figure;
    this.svg = figure.querySelector("svg.chart-svg");
    var holder = figure.querySelector("script.chart-data");  // the data, or a script setting it
    this.data = holder.src ? window.timelineOverview : JSON.parse(holder.textContent);
    this.root = figure.getAttribute("data-root") || "";
    this.events = decode(this.data);
    this.named = this.data.lanes.length > 1 || this.data.lanes[0][0] !== "";
    var lo = this.data.lo, hi = this.data.hi;
    if (hi - lo < MIN_SPAN) { var mid = (lo + hi) / 2; lo = mid - MIN_SPAN / 2; hi = mid + MIN_SPAN / 2; }
    this.full = {lo: lo, hi: hi};
    this.view = {lo: lo, hi: hi};
    this.hidden = {};  // slugs the page's filters leave out
    this.lanes = this.data.lanes.map(function (lane) {
      return {name: lane[0] || W.t("chart.other_lane"), colour: lane[1], rows: Math.max(1, lane[2]), shown: true, y: 0, top: 0};
    });
    this.sort();
    figure.classList.remove("chart-static");
    figure.classList.add("chart-live");
    this.svg.setAttribute("tabindex", "0");
    this.svg.setAttribute("aria-roledescription", W.t("chart.role"));
    this.svg.setAttribute("aria-label", this.svg.getAttribute("aria-label") +
      ". " + W.t("chart.keys"));
    this.measure = measurer("12px " + getComputedStyle(this.svg).fontFamily);
    this.tools();
    var legend = figure.querySelector(".chart-legend"), note = figure.querySelector(".chart-note");
    if (legend) { legend.hidden = false; }  // a counted static chart has no marks to explain
    if (note) {
      note.textContent = W.t("chart.note");
    }
    this.tip();
    this.controls();
    this.readUrl();
    this.draw();
    if (window.ResizeObserver) {
      var width = this.svg.clientWidth;
      new ResizeObserver(function () {
        if (self.svg.clientWidth !== width) { width = self.svg.clientWidth; self.draw(); }
      }).observe(this.svg);
    }
  }

  Chart.prototype.width = function () { return this.svg.clientWidth || 600; };
  Chart.prototype.scale = function () {
    var v = this.view, k = (this.width() - 2 * PAD) / (v.hi - v.lo);
    var f = function (day) { return PAD + (day - v.lo) * k; };
    f.k = k;
    return f;
  };

  // The events the filters keep, sorted so that a step finds those in view (and counts
  // them) by bisection rather than by reading all of them: at 10,000 events, reading every
  // one on each step costs more than the frame has. Made again when the filters change.
  Chart.prototype.sort = function () {
    var hidden = this.hidden, kept = this.events.filter(function (e) { return !hidden[e.slug]; });
    var long = (this.full.hi - this.full.lo) / 50;  // longer events are few: each is looked at
    function sorted(values) { return Float64Array.from(values).sort(); }
    var short = kept.filter(function (e) { return e.d1 - e.d0 <= long; });
    short.sort(function (a, b) { return a.d0 - b.d0; });
    this.sorted = {
      count: kept.length, long: long,
      starts: sorted(kept.map(function (e) { return e.d0; })),
      ends: sorted(kept.map(function (e) { return e.d1; })),
      short: short, shortStarts: Float64Array.from(short.map(function (e) { return e.d0; })),
      longer: kept.filter(function (e) { return !(e.d1 - e.d0 <= long); }),
      // per lane, the day each event is counted on (its first day) for the counted chart
      days: this.lanes.map(function (lane, n) {
        return sorted(kept.filter(function (e) { return e.lane === n; }).map(function (e) { return e.start ? e.start[0] : e.end[0]; }));
      })
    };
    this.stack();
  };
  // The lanes, one under the other: only those with an event the filters keep (a story of
  // one place draws no empty lane for a group with nothing there), or all if none has.
  Chart.prototype.stack = function () {
    var self = this, days = this.sorted.days, any = days.some(function (d) { return d.length > 0; });
    this.height = 4;
    this.lanes.forEach(function (lane, n) {
      lane.shown = !any || days[n].length > 0;
      if (!lane.shown) { return; }
      lane.y = self.height;
      lane.top = lane.y + (self.named ? LANE_HEAD : 0);
      self.height = lane.top + lane.rows * ROW + 6;
    });
    this.height += AXIS;
    this.svg.setAttribute("height", this.height);
  };
  function below(values, v, orEqual) {  // how many of the sorted values are < v (or <= v)
    var lo = 0, hi = values.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (values[mid] < v || (orEqual && values[mid] === v)) { lo = mid + 1; } else { hi = mid; }
    }
    return lo;
  }
  // How many kept events overlap the days (first, last): those that start before last, less
  // those that end by first (which all start before last too).
  Chart.prototype.overlapping = function (first, last) {
    return below(this.sorted.starts, last) - below(this.sorted.ends, first, true);
  };

  // The kept events near the view (a headline's width and a tail to each side), in order.
  Chart.prototype.visible = function () {
    var v = this.view, x = this.scale(), slack = (TAIL + MAX_LABEL) / x.k, s = this.sorted, out = [];
    var lo = v.lo - slack, hi = v.hi + slack;
    for (var i = below(s.shortStarts, lo - s.long); i < s.short.length && s.short[i].d0 <= hi; i++) {
      if (s.short[i].d1 >= lo) { out.push(s.short[i]); }
    }
    s.longer.forEach(function (e) { if (e.d1 >= lo && e.d0 <= hi) { out.push(e); } });
    return out.sort(function (a, b) { return a.i - b.i; });
  };

  Chart.prototype.draw = function () {
    var width = this.width(), x = this.scale(), v = this.view, self = this;
    var focused = document.activeElement && this.svg.contains(document.activeElement) ?
      document.activeElement.getAttribute("data-slug") : null;
    var axisY = this.height - AXIS + 6;
    var axis = ticks(v.lo, v.hi, width - 2 * PAD, this.data);
    if (!this.layers) {  // the static chart gives way to the layers drawn from now on
      this.svg.textContent = "";
      this.layers = {};
      ["grid", "lanes", "bins", "marks", "axis"].forEach(function (name) { self.layers[name] = new Layer(self.svg, name); });
    }
    if (this.svg.getAttribute("data-unit") !== axis.unit) { this.svg.setAttribute("data-unit", axis.unit); }
    // The layers' origin: a day near the view, kept while the scale is (a pan moves it only)
    // and while it is near enough for the px between to be exact.
    var anchor = this.anchor;
    if (!anchor || Math.abs(anchor.k - x.k) > 1e-9 * x.k || Math.abs(x(anchor.day)) > 1e4) {
      anchor = this.anchor = {day: v.lo, k: x.k};
    }
    var shift = x(anchor.day);
    var grid = '<line class="grid" x1="0" x2="0" y1="2" y2="' + axisY + '"/>';
    this.layers.grid.update(axis.ticks.map(function (t) { return [t.day, grid, x(t.day), 0]; }), shift);
    var frame = [];
    this.lanes.forEach(function (lane) {
      if (!lane.shown) { return; }
      if (self.named) { frame.push('<text class="lane-name" x="4" y="' + (lane.y + 13) + '">' + escapeHtml(lane.name) + "</text>"); }
      if (lane.y > 4) { frame.push('<line class="lane-line" x1="0" x2="' + width + '" y1="' + (lane.y - 3) + '" y2="' + (lane.y - 3) + '"/>'); }
    });
    frame.push('<line class="axis" x1="0" x2="' + width + '" y1="' + axisY + '" y2="' + axisY + '"/>');
    this.layers.lanes.update(frame.map(function (markup) { return [markup, markup, 0, 0]; }));
    var inView = this.overlapping(Math.floor(v.lo), Math.ceil(v.hi));
    var limit = Math.max(MARK_LIMIT_MIN, width / 8);  // see MARK_LIMIT_MIN
    var counted = inView > limit;
    this.counted = counted;
    if (counted && inView <= AHEAD * limit) { this.ahead(inView <= AHEAD_CUTS * limit); }
    this.layers.bins.update(counted ? this.counts(axis, x) : [], shift);
    this.layers.marks.update(counted ? [] : this.marks(this.visible(), x, width), shift);
    var lastEnd = -Infinity, labels = [];  // where the last month or year name under the axis ends
    axis.ticks.forEach(function (t) {
      var tx = x(t.day), out = '<g class="tick"><line x1="0" x2="0" y1="' + axisY + '" y2="' + (axisY + 5) +
        '"/><text class="tick-label" x="0" y="' + (axisY + 18) + '" text-anchor="middle">' + escapeHtml(t.label) + "</text>";
      var wide = t.context ? self.measure(t.context) * 1.1 : 0;
      var cx = Math.max(2, tx - 4), end = cx + wide > width - 2;
      if (t.context && (end ? width - 2 - wide : cx) >= lastEnd + 8) {  // never over the last
        lastEnd = (end ? width - 2 - wide : cx) + wide;
        out += '<text class="tick-context" x="' + ((end ? width - 2 : cx) - tx).toFixed(1) + '" y="' + (axisY + 35) + '"' +
          (end ? ' text-anchor="end"' : "") + ">" + escapeHtml(t.context) + "</text>";
      }
      labels.push([t.day, out + "</g>", tx, 0]);
    });
    this.layers.axis.update(labels, shift);
    if (focused && !this.svg.contains(document.activeElement)) {
      var again = this.svg.querySelector('[data-slug="' + focused + '"]');
      if (again) { again.focus({preventScroll: true}); } else { this.svg.focus({preventScroll: true}); }
    }
    var all = this.view.hi - this.view.lo >= this.full.hi - this.full.lo - 1e-6;
    this.buttons.all.disabled = all;
    this.buttons.out.disabled = all;
    this.buttons["in"].disabled = this.view.hi - this.view.lo <= MIN_SPAN + 1e-6;
    var total = this.events.length, kept = this.sorted.count;
    var words = this.data.months;
    var a = civil(Math.floor(v.lo)), b = civil(Math.ceil(v.hi) - 1);
    var fmt = function (c) { return axis.unit === "day" ? self.civilText(c) : words[c[1] - 1] + " " + (c[0] >= 1 ? c[0] : (1 - c[0]) + " " + self.data.bce); };
    this.rangeLine({from: fmt(a), to: fmt(b), shown: W.n("of_events", total, {shown: inView})},
                   (kept < total ? W.t("chart.filtered") : "") + (counted ? W.t("chart.counted") : ""));
    if (this.svg.getAttribute("data-shown") !== String(inView)) { this.svg.setAttribute("data-shown", inView); }
    this.writeUrl();
  };

  // The line over the chart: "{from} – {to} · {shown}" in the site's words, each value a span
  // that never breaks inside (on a phone the line wraps between the range and "18 of 18
  // events", never within either), then what follows (filtered, counted).
  Chart.prototype.rangeLine = function (values, after) {
    var line = this.range, text = W.t("chart.range", values) + after;
    if (line.textContent === text) { return; }
    line.textContent = "";
    W.t("chart.range").split(/\{([a-z_]+)\}/).forEach(function (part, i) {
      if (i % 2 === 0) {
        if (part) { line.appendChild(document.createTextNode(part)); }
      } else {
        var span = line.appendChild(document.createElement("span"));
        span.className = "chart-range-" + part;
        span.textContent = Object.prototype.hasOwnProperty.call(values, part) ? values[part] : "{" + part + "}";
      }
    });
    if (after) { line.appendChild(document.createTextNode(after)); }
  };

  // Counted, but a few zoom steps from marks: the headlines near the view are measured
  // between steps, and, a step or two from marks (withCuts), each place where they may be
  // cut. The step that turns the counts into marks (a hundred or more at once) then finds
  // their widths known, as a zoom out does; measured then, they were a third of its cost.
  // A slice runs in an idle period, or after IDLE_WAIT ms without one (a busy machine, steps
  // one after the other) for SLICE ms: never as part of a step.
  Chart.prototype.ahead = function (withCuts) {
    this.aheadCuts = withCuts;
    if (this.measuring) { return; }
    var self = this;
    this.measuring = true;
    later(function slice(deadline) {
      var near = self.counted ? self.visible() : [], measure = self.measure, i, j;
      var stop = performance.now() + (deadline.didTimeout ? SLICE : deadline.timeRemaining() - 1);
      function measured(text) {  // false: this slice's time is up
        if (measure.known(text)) { return true; }
        if (performance.now() >= stop) { return false; }
        measure(text);
        return true;
      }
      for (i = 0; i < near.length; i++) {  // every headline first, then where they are cut
        if (!measured(near[i].title)) { later(slice); return; }
      }
      for (i = 0; self.aheadCuts && i < near.length; i++) {
        var options = cuts(near[i]);
        for (j = 0; j < options.length; j++) { if (!measured(options[j])) { later(slice); return; } }
      }
      self.measuring = false;
    });
  };
  var IDLE_WAIT = 50, SLICE = 3;  // ms
  function later(then) {
    if (window.requestIdleCallback) { window.requestIdleCallback(then, {timeout: IDLE_WAIT}); return; }
    setTimeout(function () { then({didTimeout: true, timeRemaining: function () { return 0; }}); }, IDLE_WAIT);
  }

  // The marks in view, as the marks layer's items: each drawn from its own left and row.
  Chart.prototype.marks = function (shown, x, width) {
    var self = this, items = [];
    this.lanes.forEach(function (lane, n) {
      if (!lane.shown) { return; }
      var drawn = [];
      shown.forEach(function (e) {
        if (e.lane !== n) { return; }
        var p = pieces(e, x, width);
        var x0 = Infinity, x1 = -Infinity;
        for (var j = 0; j < p.length; j++) { x0 = Math.min(x0, p[j][1]); x1 = Math.max(x1, p[j][2]); }
        drawn.push({e: e, p: p, x0: x0, x1: x1});
      });
      var layout = pack(drawn, lane.rows, width, self.measure);
      drawn.forEach(function (d, i) {
        var e = d.e, y = lane.top + layout[i].row * ROW, ox = d.x0;
        var headline = cut(e, layout[i].room, self.measure);
        var h0 = d.x0, h1 = d.x1;  // the target: the mark and its headline
        if (headline) { h0 = Math.min(h0, layout[i].lx); h1 = Math.max(h1, layout[i].lx + self.measure(headline)); }
        var hx = h1 - h0 >= 24 ? h0 : (h0 + h1) / 2 - 12, hw = Math.max(24, h1 - h0);
        // A mark laid out only for its neighbours' sake (one just outside the view can push
        // the next one a row down) is not drawn: none of it, its target or its arrows and
        // "?" (OUTSIDE px), would be seen or reached, and it would cost a step its elements.
        if (Math.max(hx + hw, d.x1) + OUTSIDE <= 0 || Math.min(hx, d.x0) - OUTSIDE >= width) { return; }
        var head = self.head(e, lane), parts = new Parts();
        parts.add("rect", 'class="hit" y="0" height="' + ROW + '"', "x", (hx - ox).toFixed(1), "width", hw.toFixed(1));
        for (var j = 0; j < d.p.length; j++) { addPiece(parts, d.p[j], ox); }
        if (e.flags & UNCERTAIN) { parts.add("text", 'class="q" y="27"', "x", (d.x1 - ox + 2).toFixed(1), "", "", "?"); }
        if (headline) {
          var more = headline.slice(-1) === "…";  // the visible words stay a part of the mark's name
          parts.add("text", 'class="mark-label" y="11"', "", "", "", "", escapeHtml(more ? headline.slice(0, -1) : headline) +
            (more ? '<tspan aria-hidden="true">…</tspan>' : ""));
        }
        items.push([e.slug, head + parts.markup + "</a>", ox, y, headline ? (layout[i].lx - ox).toFixed(1) : undefined,
                    head + parts.shape, parts.values]);
      });
    });
    return items;
  };

  // A mark's link as markup, made once per event (again only when its flags change, as the
  // story's current mark does): a step draws it anew at every zoom and pan.
  Chart.prototype.head = function (e, lane) {
    if (e.headFlags !== e.flags) {
      var cls = "mark" + (e.flags & APPROX ? " mark-approx" : "") + (e.flags & UNCERTAIN ? " mark-uncertain" : "") +
        (e.flags & CURRENT ? " mark-current" : ""), slug = escapeHtml(e.slug);
      e.head = '<a href="' + escapeHtml(this.root) + "events/" + slug + '/" class="' + cls + '" data-slug="' + slug +
        '" data-i="' + e.i + '" aria-label="' + escapeHtml(e.label) + '" style="--c: ' + escapeHtml(lane.colour) + '"' +
        (e.flags & CURRENT ? ' aria-current="page"' : "") + ">";
      e.headFlags = e.flags;
    }
    return e.head;
  };

  // Too many events to draw one by one: how many fall between each pair of ticks, per lane;
  // a bar zooms in to its span. The bins layer's items, each drawn from its own left, kept
  // by place (lane and tick), so that a zoom step changes a bar's values, not its elements.
  Chart.prototype.counts = function (axis, x) {
    var edges = [this.view.lo].concat(axis.ticks.map(function (t) { return t.day; }), [this.view.hi]);
    var self = this, lanes = this.lanes, most = 1, items = [];
    var counts = this.sorted.days.map(function (days) {
      var at = edges.map(function (edge) { return below(days, edge); });
      return at.slice(1).map(function (n, i) { most = Math.max(most, n - at[i]); return n - at[i]; });
    });
    lanes.forEach(function (lane, n) {
      var room = lane.rows * ROW - 4, tallest = room - 16;  // room for the count over the bar
      counts[n].forEach(function (count, i) {
        if (!count) { return; }
        var x0 = Math.max(0, x(edges[i])), x1 = x(edges[i + 1]), h = Math.max(2, tallest * count / most);
        var name = W.n("chart.bin", count, {lane: lane.name, from: self.dayText(edges[i]),
                                            to: self.dayText(edges[i + 1] - 1)});
        var y = (lane.top + room - h + 2).toFixed(1), w = Math.max(2, x1 - x0 - 2).toFixed(1), tall = h.toFixed(1);
        var numbered = x1 - x0 >= 8 * String(count).length + 8, colour = ' style="--c: ' + escapeHtml(lane.colour) + '"';
        var values = [[-1, "data-lo", String(edges[i])], [-1, "data-hi", String(edges[i + 1])], [-1, "aria-label", name],
                      [0, "", name], [1, "y", y], [1, "width", w], [1, "height", tall]];
        if (numbered) {
          values.push([2, "x", ((x1 - x0) / 2).toFixed(1)], [2, "y", (lane.top + room - h - 2).toFixed(1)], [2, "", String(count)]);
        }
        // a picture with its count for screen readers; a click zooms in (keys do that too)
        items.push([n + ":" + i, '<g class="bin" role="img" data-lo="' + edges[i] + '" data-hi="' + edges[i + 1] +
          '" aria-label="' + escapeHtml(name) + '"' + colour + "><title>" + escapeHtml(name) +
          '</title><rect x="1" y="' + y + '" width="' + w + '" height="' + tall + '"/>' +
          (numbered ? '<text class="bin-count" x="' + values[7][2] + '" y="' + values[8][2] + '" text-anchor="middle">' +
           count + "</text>" : "") + "</g>", x0, 0, undefined, "bin" + colour + (numbered ? " numbered" : ""), values]);
      });
    });
    return items;
  };

  Chart.prototype.dayText = function (n) { return this.civilText(civil(Math.floor(n))); };
  Chart.prototype.civilText = function (c) {  // a day as the site writes it ("2. Juli 2006")
    var year = c[0] >= 1 ? String(c[0]) : (1 - c[0]) + " " + this.data.bce;
    return this.data.day_date.replace("{day}", c[2]).replace("{month}", this.data.months[c[1] - 1])
      .replace("{year}", year);
  };

  C.Chart = Chart;
})(window.timelineChart);
