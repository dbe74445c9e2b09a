/* Timeline's overview, 3 of 5: layers, the live chart's groups of elements kept from draw to
   draw (see chart-time.js for the five scripts). */
(function (C) {
  "use strict";

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
  // One of an item's values: [its child's index (-1: the element itself), the attribute's
  // name ("": the text), the value].
  function set(el, value) {
    var target = value[0] < 0 ? el : el.children[value[0]];
    if (value[1]) { target.setAttribute(value[1], value[2]); } else { target.textContent = value[2]; }
  }
  // items: [key, markup of one element, x, y, and optionally: the x of its text.mark-label,
  // left out of the markup (a headline kept at the padding moves within its mark as the mark
  // is panned); its shape and the values of its children's attributes that the shape leaves
  // out (a child of the same shape has only those changed, as a bar widens in a zoom)], in
  // the order they are to be read (and tabbed).
  // shift: where the layer's own origin is, in the view's px; items are placed from it, so
  // that a pan, which moves only the origin, moves the layer and not each of its children.
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

  C.Layer = Layer;
})(window.timelineChart);
