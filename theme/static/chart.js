/* Timeline: the overview, zoomed and panned in time. Without JavaScript the overview is the
   static SVG drawn at build time (timeline/site/overview.py), whose marks are links; this
   redraws it from the JSON beside it, with the same rules (PAD, ROW, STEPS... are the same
   numbers as there and in timeline/site/axis.py), so that zooming changes the time scale and
   never the size of text or marks. No animation, so prefers-reduced-motion needs nothing. */
(function () {
  "use strict";
  var W = window.timelineWords;  // the site's words (static/words.js)
  var PAD = 16, LANE_HEAD = 18, ROW = 30, AXIS = 44, DOT = 6, MIN_BAR = 12, TAIL = 28;
  var GAP = 10, MAX_LABEL = 240, MIN_LABEL = 40, MIN_GAP = 56;
  var OUTSIDE = 20;  // px a mark's arrows, strokes and "?" may reach past its pieces
  var YEAR = 365.2425, MONTH = YEAR / 12, LENGTH = {day: 1, month: MONTH, year: YEAR};
  var STEPS = [["day", 1], ["day", 2], ["day", 7], ["day", 14], ["month", 1], ["month", 3],
    ["month", 6], ["year", 1], ["year", 2], ["year", 5], ["year", 10], ["year", 20],
    ["year", 50], ["year", 100], ["year", 200], ["year", 500], ["year", 1000],
    ["year", 2000], ["year", 5000], ["year", 10000], ["year", 100000], ["year", 1000000]];
  var MIN_SPAN = 7;  // days: zoomed all the way in, the chart shows about a week
  var AHEAD = 4;  // counted, with fewer than this many times the limit in view: see ahead()
  var MARK_LIMIT_MIN = 60;  // more events in view than an eighth of the px width, or than this,
  // are drawn as counts until zoomed in: more marks than one per 8 px pile on each other in
  // three rows a lane, with no room for a headline, and cost a zoom step more than a frame
  var INTERVAL = 1, APPROX = 2, UNCERTAIN = 4, OPEN_START = 8, OPEN_END = 16, CURRENT = 32;

  // Proleptic Gregorian day numbers (0 = 1970-01-01), as timeline/reading/dates.py.
  function days(y, m, d) {
    y -= m <= 2 ? 1 : 0;
    var era = Math.floor(y / 400), yoe = y - era * 400, mp = (m + 9) % 12;
    var doy = Math.floor((153 * mp + 2) / 5) + d - 1;
    return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
  }
  function civil(n) {
    n += 719468;
    var era = Math.floor(n / 146097), doe = n - era * 146097;
    var yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
    var doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    var mp = Math.floor((5 * doy + 2) / 153), d = doy - Math.floor((153 * mp + 2) / 5) + 1;
    var m = mp < 10 ? mp + 3 : mp - 9;
    return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
  }
  function iso(n) {
    var c = civil(Math.floor(n)), y = Math.abs(c[0]).toString();
    while (y.length < 4) { y = "0" + y; }
    return (c[0] < 0 ? "-" : "") + y + "-" + (c[1] < 10 ? "0" : "") + c[1] + "-" + (c[2] < 10 ? "0" : "") + c[2];
  }
  function parseIso(text) {
    var m = /^(-?)(\d{4,})-(\d{2})-(\d{2})$/.exec(text || "");
    return m ? days((m[1] ? -1 : 1) * parseInt(m[2], 10), parseInt(m[3], 10), parseInt(m[4], 10)) : null;
  }
  function escapeHtml(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  // The axis: timeline/site/axis.py's ticks(), line for line.
  function stepFor(daysPerPx) {
    for (var i = 0; i < STEPS.length; i++) {
      if (LENGTH[STEPS[i][0]] * STEPS[i][1] / daysPerPx >= MIN_GAP) { return STEPS[i]; }
    }
    return STEPS[STEPS.length - 1];
  }
  function ticks(lo, hi, width, words) {
    var step = stepFor((hi - lo) / Math.max(width, 1)), unit = step[0], count = step[1];
    var out = [], c = civil(Math.floor(lo)), year = c[0], month = c[1], day;
    function yearText(y) { return y >= 1 ? String(y) : (1 - y) + " " + words.bce; }
    if (unit === "year") {
      if (days(year, 1, 1) < lo) { year += 1; }
      if (count > 1) {
        year = year >= 1 ? Math.ceil(year / count) * count : 1 - Math.floor((1 - year) / count) * count;
      }
      while ((day = days(year, 1, 1)) <= hi) {
        out.push({day: day, label: yearText(year), context: ""});
        var next = year + count;
        if (year <= 0 && next > 0 && count > 1) { next = count; }
        year = next;
      }
    } else if (unit === "month") {
      while ((month - 1) % count) { month += 1; }
      for (;;) {
        if (month > 12) { month -= 12; year += 1; }
        day = days(year, month, 1);
        if (day > hi) { break; }
        if (day >= lo) {
          out.push({day: day, label: words.short[month - 1], context: month === 1 ? yearText(year) : ""});
        }
        month += count;
      }
    } else {
      for (;;) {
        var start = days(year, month, 1);
        if (start > hi) { break; }
        var length = days(year + Math.floor(month / 12), month % 12 + 1, 1) - start;
        var last = count === 1 ? length + 1 : (count >= 7 ? Math.min(length, 28) + 1 : length);
        for (var dom = 1; dom < last; dom += count) {
          day = start + dom - 1;
          if (day >= lo && day <= hi) {
            out.push({day: day, label: String(dom),
                      context: dom === 1 ? words.months[month - 1] + " " + yearText(year) : ""});
          }
        }
        month += 1;
        if (month > 12) { month = 1; year += 1; }
      }
    }
    if (unit !== "year" && out.length && !out[0].context) {
      // the first tick names its month or year too, unless the next name would touch it
      var first = civil(out[0].day), named = null;
      var name = unit === "month" ? yearText(first[0]) : words.months[first[1] - 1] + " " + yearText(first[0]);
      for (var i = 1; i < out.length && named === null; i++) { if (out[i].context) { named = out[i].day; } }
      if (named === null || (named - out[0].day) * width / (hi - lo) >= name.length * 7.5 + 12) { out[0].context = name; }
    }
    return {unit: unit, count: count, ticks: out};
  }

  function decode(data) {
    return data.events.map(function (row, i) {
      var e = {i: i, slug: row[0], title: row[1], date: row[2], status: data.statuses[row[3]],
               statusKey: data.status_keys[row[3]],
               lane: row[4], flags: row[5], start: row[6] === null ? null : [row[6], row[7]]};
      if (row[5] & INTERVAL) {
        e.end = row[8] === null ? null : [row[8], row[9]];
        e.kind = "interval";
      } else {
        e.end = e.start;
        e.kind = e.start[1] - e.start[0] <= 1 ? "point" : "span";
      }
      e.d0 = e.start ? e.start[0] : (e.flags & OPEN_START ? -Infinity : e.end[0]);
      e.d1 = e.end ? e.end[1] : (e.flags & OPEN_END ? Infinity : e.start[1]);
      e.label = e.title + ", " + e.date + ", " + e.status;
      return e;
    });
  }

  // What to draw for an event at scale x: overview_layout.py's _pieces().
  function pieces(e, x, width) {
    if (e.kind === "point") {
      var c = x((e.start[0] + e.start[1]) / 2);
      return [["dot", c - DOT, c + DOT]];
    }
    if (e.kind === "span") { return [["span"].concat(widened(x(e.start[0]), x(e.start[1])))]; }
    var out = [], core0, core1;
    if (!e.start) {
      out.push(e.flags & OPEN_START ? ["open-start", Math.min(PAD, x(e.end[0])), x(e.end[0])]
                                    : ["tail", x(e.end[0]) - TAIL, x(e.end[0])]);
      core0 = x(e.end[0]);
    } else if (e.start[1] - e.start[0] <= 1) {
      core0 = x(e.start[0]);
    } else {
      out.push(["span", x(e.start[0]), x(e.start[1])]);
      core0 = x(e.start[1]);
    }
    if (!e.end) {
      out.push(e.flags & OPEN_END ? ["open-end", core0, Math.max(width - PAD, core0)]
                                  : ["tail", core0, core0 + TAIL]);
      core1 = core0;
    } else if (e.end[1] - e.end[0] <= 1) {
      core1 = x(e.end[1]);
    } else {
      core1 = x(e.end[0]);
      out.push(["span", x(e.end[0]), x(e.end[1])]);
    }
    if (core1 > core0) { out.push(["core", core0, core1]); }
    var lo = Math.min.apply(null, out.map(function (p) { return p[1]; }));
    var hi = Math.max.apply(null, out.map(function (p) { return p[2]; }));
    if (hi - lo < MIN_BAR) { out = [[core1 > core0 ? "core" : "span"].concat(widened(lo, hi))]; }
    return out;
  }
  function widened(x0, x1) {
    if (x1 - x0 >= MIN_BAR) { return [x0, x1]; }
    var c = (x0 + x1) / 2;
    return [c - MIN_BAR / 2, c + MIN_BAR / 2];
  }

  var canvas = document.createElement("canvas").getContext("2d");
  function measurer(font) {
    canvas.font = font;
    var cache = {};
    function measure(text) {
      var w = cache[text];
      if (w === undefined) { w = cache[text] = canvas.measureText(text).width; }
      return w;
    }
    measure.known = function (text) { return cache[text] !== undefined; };
    return measure;
  }
  // Where a headline may be cut (after whole words, never inside an open bracket), longest
  // first: found once per event, and measured only as a redraw needs (a bisection), since a
  // zoom step can bring a few hundred headlines into view at once.
  function cuts(e) {
    if (e.cuts) { return e.cuts; }
    var title = e.title, out = [], n = title.length;
    for (;;) {
      n = title.lastIndexOf(" ", n - 1);
      if (n <= 0) { break; }
      var text = title.slice(0, n);
      if (text.split("(").length > text.split(")").length) { text = text.slice(0, text.lastIndexOf("(")); }
      text = text.replace(/[\s,;:\u2013\u2014-]+$/, "");
      if (text.length < Math.min(12, title.length)) { break; }  // too little to say anything
      out.push(text + "…");
    }
    e.cuts = out;
    return out;
  }
  function cut(e, room, measure) {
    if (room < MIN_LABEL) { return ""; }
    if (measure(e.title) <= room) { return e.title; }
    var options = cuts(e), lo = 0, hi = options.length;  // the first (longest) that fits
    while (lo < hi) { var mid = (lo + hi) >> 1; if (measure(options[mid]) <= room) { hi = mid; } else { lo = mid + 1; } }
    return lo < options.length ? options[lo] : "";
  }

  // overview_layout.py's _pack(): the first row where a mark and its headline fit, else a new
  // row, else the row whose marks end soonest, cutting the headline before it short. A
  // headline starts at its mark (at the padding, for a mark begun before the view) and ends
  // inside the chart; a mark out of view has none, since none of it would be seen with it.
  function pack(drawn, rows, width, measure) {
    var lines = [], out = [], right = width - PAD;
    drawn.forEach(function (d) {
      var x0 = d.x0, x1 = d.x1, lx = x0 < 0 ? PAD : x0;
      var want = x1 > 0 && x0 < width ? Math.max(0, Math.min(MAX_LABEL, measure(d.e.title), right - lx)) : 0;
      var start = Math.min(x0, lx), row = -1;
      for (var i = 0; i < lines.length; i++) { if (lines[i].end + GAP <= start) { row = i; break; } }
      if (row < 0 && lines.length < rows) { lines.push({end: -1e9, markEnd: -1e9, last: -1}); row = lines.length - 1; }
      if (row < 0) {
        row = 0;
        for (i = 1; i < lines.length; i++) { if (lines[i].markEnd < lines[row].markEnd) { row = i; } }
        var before = lines[row].last;
        if (before >= 0) { out[before].room = Math.min(out[before].room, x0 - GAP - out[before].lx); }
      }
      var line = lines[row];
      out.push({row: row, lx: lx, room: want});
      line.last = out.length - 1;
      line.markEnd = Math.max(line.markEnd, x1);
      line.end = Math.max(line.markEnd, lx + want);
    });
    return out;
  }

  // A mark's children as markup, as its shape (everything a zoom step leaves alone) and as
  // the values a step changes, [child, name, value]; added one by one, without a list of
  // parts to walk again (a step may draw a few hundred marks, the first of them cold).
  function Parts() { this.markup = ""; this.shape = ""; this.values = []; this.n = 0; }
  // One child: its tag, its fixed attributes, the names and values of those a step changes
  // (up to two), and its text if it has one.
  Parts.prototype.add = function (tag, fixed, name, value, name2, value2, text) {
    var changing = "", names = "";
    if (name) { changing = " " + name + '="' + value + '"'; names = name; this.values.push([this.n, name, value]); }
    if (name2) { changing += " " + name2 + '="' + value2 + '"'; names += " " + name2; this.values.push([this.n, name2, value2]); }
    var end = text === undefined ? "/>" : ">" + text + "</" + tag + ">";
    this.markup += "<" + tag + " " + fixed + changing + end;
    this.shape += "<" + tag + " " + fixed + names + end;
    this.n += 1;
  };
  // A piece's elements, x from the mark's own left (ox), y from its row's top.
  function addPiece(parts, p, ox) {
    var x0 = (p[1] - ox).toFixed(1), w = (p[2] - p[1]).toFixed(1), bar = 'y="16" height="12" rx="3"';
    switch (p[0]) {
      case "dot": parts.add("circle", 'class="dot" cy="22" r="' + DOT + '"', "cx", (p[1] - ox + DOT).toFixed(1)); break;
      case "tail": parts.add("line", 'class="tail" y1="22" y2="22"', "x1", x0, "x2", (p[2] - ox).toFixed(1)); break;
      case "span": parts.add("rect", 'class="span" ' + bar, "x", x0, "width", w); break;
      default:
        parts.add("rect", 'class="core" ' + bar, "x", x0, "width", w);
        if (p[0] === "open-end") { parts.add("path", 'class="arrow"', "d", "M" + (p[2] - ox).toFixed(1) + " 14l8 8-8 8z"); }
        if (p[0] === "open-start") { parts.add("path", 'class="arrow"', "d", "M" + x0 + " 14l-8 8 8 8z"); }
    }
  }

  // One layer of the live chart (grid, lanes, marks, ticks...): its children are kept from
  // draw to draw by key, each drawn from its own origin and put in place by a transform. A
  // child whose markup is the same as last time is only moved, so that a pan step (and most
  // of a zoom step) makes no new elements and lays out no text anew: at 10,000 events that
  // is what keeps a step within a frame.
  var SVG_NS = "http://www.w3.org/2000/svg";
  function Layer(svg, name) {
    this.g = svg.appendChild(document.createElementNS(SVG_NS, "g"));
    this.g.setAttribute("class", "layer-" + name);  // never a class the marks' CSS styles
    this.kept = {};  // key -> {el, markup, at}
  }
  // items: [key, markup of one element, x, y, and optionally: the x of its text.mark-label,
  // left out of the markup (a headline kept at the padding moves within its mark as the mark
  // is panned); its shape and the values of its children's attributes that the shape leaves
  // out (a child of the same shape has only those changed, as a bar widens in a zoom)], in
  // the order they are to be read (and tabbed).
  // shift: where the layer's own origin is, in the view's px; items are placed from it, so
  // that a pan, which moves only the origin, moves the layer and not each of its children.
  // One of an item's values: [its child's index (-1: the element itself), the attribute's
  // name ("": the text), the value].
  function set(el, value) {
    var target = value[0] < 0 ? el : el.children[value[0]];
    if (value[1]) { target.setAttribute(value[1], value[2]); } else { target.textContent = value[2]; }
  }
  Layer.prototype.update = function (items, shift) {
    var old = this.kept, now = {}, fresh = [], g = this.g, i, item;
    shift = shift || 0;
    if (this.shift !== shift) {
      g.setAttribute("transform", "translate(" + shift.toFixed(2) + " 0)");
      this.shift = shift;
    }
    for (i = 0; i < items.length; i++) {
      item = items[i];
      var had = old[item[0]];
      if (had && had.markup !== item[1] && item[5] !== undefined && had.shape === item[5]) {
        for (var j = 0; j < item[6].length; j++) {
          var value = item[6][j];
          if (had.values[j][2] !== value[2]) { set(had.el, value); }
        }
        had.markup = item[1];
        had.values = item[6];
      }
      if (had && had.markup === item[1]) { now[item[0]] = had; delete old[item[0]]; } else { fresh.push(item); }
    }
    for (var key in old) { g.removeChild(old[key].el); }
    if (fresh.length) {  // one parse for everything new or changed
      var box = document.createElementNS(SVG_NS, "g");
      box.innerHTML = fresh.map(function (f) { return f[1]; }).join("");
      var made = Array.prototype.slice.call(box.children);
      for (i = 0; i < fresh.length; i++) {
        now[fresh[i][0]] = {el: made[i], markup: fresh[i][1], at: "", shape: fresh[i][5], values: fresh[i][6]};
      }
    }
    var cursor = g.firstChild;
    for (i = 0; i < items.length; i++) {
      item = items[i];
      var kept = now[item[0]], ix = item[2] - shift;
      var at = ix || item[3] ? "translate(" + ix.toFixed(1) + " " + item[3] + ")" : "";
      if (kept.at !== at) {
        if (at) { kept.el.setAttribute("transform", at); } else { kept.el.removeAttribute("transform"); }
        kept.at = at;
      }
      if (item[4] !== undefined && kept.lx !== item[4]) {
        (kept.label || (kept.label = kept.el.querySelector("text.mark-label"))).setAttribute("x", item[4]);
        kept.lx = item[4];
      }
      if (kept.el === cursor) { cursor = cursor.nextSibling; } else { g.insertBefore(kept.el, cursor); }
    }
    this.kept = now;
  };

  function Chart(figure) {
    var self = this;
    this.figure = figure;
    this.svg = figure.querySelector("svg.chart-svg");
    this.data = JSON.parse(figure.querySelector("script.chart-data").textContent);
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

  Chart.prototype.width = function () { return this.svg.clientWidth || 600; };
  Chart.prototype.scale = function () {
    var v = this.view, k = (this.width() - 2 * PAD) / (v.hi - v.lo);
    var f = function (day) { return PAD + (day - v.lo) * k; };
    f.k = k;
    return f;
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
    if (counted && inView <= AHEAD * limit) { this.ahead(); }
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

  // Counted, but a few zoom steps from marks: the headlines near the view are measured in
  // idle time, a slice per idle period. The step that turns the counts into marks (a hundred
  // or more at once) then finds their widths known, as a zoom out does; measured then, they
  // would be a third of its cost.
  Chart.prototype.ahead = function () {
    if (this.measuring) { return; }
    var self = this, idle = window.requestIdleCallback || function (then) {
      return setTimeout(function () { then({timeRemaining: function () { return 5; }}); }, 40);
    };
    this.measuring = true;
    idle(function slice(deadline) {
      var near = self.visible(), i = 0;
      for (; i < near.length && deadline.timeRemaining() > 1; i++) { self.measure(near[i].title); }
      while (i < near.length && self.measure.known(near[i].title)) { i++; }
      if (i < near.length) { idle(slice); } else { self.measuring = false; }
    });
  };

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
    if (!figure.querySelector("script.chart-data")) { return; }
    var start = performance.now();
    figure.chart = new Chart(figure);
    if (performance.measure) { performance.measure("timeline-overview", {start: start}); }
  });
})();
