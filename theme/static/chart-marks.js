/* Timeline's overview, 2 of 5: marks. What an event is drawn as at a scale (its pieces), its
   headline measured, cut after whole words and placed in a row without overlapping, and a
   mark's elements as markup (see chart-time.js for the five scripts). */
(function (C) {
  "use strict";
  var PAD = C.PAD, DOT = C.DOT, MIN_BAR = C.MIN_BAR, TAIL = C.TAIL, GAP = C.GAP;
  var MAX_LABEL = C.MAX_LABEL, MIN_LABEL = C.MIN_LABEL, OPEN_START = C.OPEN_START, OPEN_END = C.OPEN_END;

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

  C.pieces = pieces;
  C.measurer = measurer;
  C.cuts = cuts;
  C.cut = cut;
  C.pack = pack;
  C.Parts = Parts;
  C.addPiece = addPiece;
})(window.timelineChart);
