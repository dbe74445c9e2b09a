/* Timeline: the overview, zoomed and panned in time. 1 of 5, time: day numbers, the axis's
   ticks, the chart's data as the scripts read it, and the numbers every part shares.
   Without JavaScript the overview is the static SVG drawn at build time
   (timeline/site/overview.py), whose marks are links; the scripts redraw it from the JSON
   beside it, with the same rules (PAD, ROW, STEPS... are the same numbers as there and in
   timeline/site/axis.py), so that zooming changes the time scale and never the size of text
   or marks. No animation, so prefers-reduced-motion needs nothing.
   Five plain scripts, loaded in this order wherever a page has a chart
   (templates/chart_scripts.html): chart-time.js, chart-marks.js, chart-layers.js,
   chart-view.js, chart.js, sharing window.timelineChart. Plain scripts, not modules: an
   offline copy opened from disk (file://, where a browser refuses modules) runs them too. */
window.timelineChart = (function () {
  "use strict";
  var PAD = 16, LANE_HEAD = 18, ROW = 30, AXIS = 44, DOT = 6, MIN_BAR = 12, TAIL = 28;
  var GAP = 10, MAX_LABEL = 240, MIN_LABEL = 40, MIN_GAP = 56;
  var OUTSIDE = 20;  // px a mark's arrows, strokes and "?" may reach past its pieces
  var YEAR = 365.2425, MONTH = YEAR / 12, LENGTH = {day: 1, month: MONTH, year: YEAR};
  var STEPS = [["day", 1], ["day", 2], ["day", 7], ["day", 14], ["month", 1], ["month", 3],
    ["month", 6], ["year", 1], ["year", 2], ["year", 5], ["year", 10], ["year", 20],
    ["year", 50], ["year", 100], ["year", 200], ["year", 500], ["year", 1000],
    ["year", 2000], ["year", 5000], ["year", 10000], ["year", 100000], ["year", 1000000]];
  var MIN_SPAN = 7;  // days: zoomed all the way in, the chart shows about a week
  // Counted, with fewer than AHEAD times the limit in view, headlines are measured ahead
  // (chart-view.js's ahead()); with fewer than AHEAD_CUTS times, where they are cut too.
  var AHEAD = 4, AHEAD_CUTS = 2;
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

  return {
    PAD: PAD, LANE_HEAD: LANE_HEAD, ROW: ROW, AXIS: AXIS, DOT: DOT, MIN_BAR: MIN_BAR, TAIL: TAIL,
    GAP: GAP, MAX_LABEL: MAX_LABEL, MIN_LABEL: MIN_LABEL, OUTSIDE: OUTSIDE, MIN_SPAN: MIN_SPAN,
    AHEAD: AHEAD, AHEAD_CUTS: AHEAD_CUTS, MARK_LIMIT_MIN: MARK_LIMIT_MIN,
    APPROX: APPROX, UNCERTAIN: UNCERTAIN, OPEN_START: OPEN_START, OPEN_END: OPEN_END, CURRENT: CURRENT,
    days: days, civil: civil, iso: iso, parseIso: parseIso, escapeHtml: escapeHtml, ticks: ticks,
    decode: decode
  };
})();
