/* Timeline: filters for lists of events. Without JavaScript every event is shown; with it,
   a filter bar narrows the list by tag, actor, place, status and group, and the page's URL
   (?tag=...&status=...) says what is shown so that it can be shared. Everything that counts
   events follows: the year and month headings, the years' density list, "N of M shown", and
   the overview (static/chart.js listens for the "timeline:filter" event). */
(function () {
  "use strict";
  var W = window.timelineWords;  // the site's words (static/words.js)
  var KINDS = [["tag", W.t("tag")], ["actor", W.t("actor")], ["place", W.t("place")],
               ["status", W.t("status")], ["group", W.t("group")]];
  var items = Array.prototype.slice.call(document.querySelectorAll("li.event[data-status]"));
  var bar = document.getElementById("filters");
  if (!bar || items.length < 2) { return; }

  function values(item, kind) {
    var raw = item.getAttribute("data-" + kind) || "";
    return raw ? raw.split("|") : [];
  }

  var params = new URLSearchParams(window.location.search);
  var selects = {};
  KINDS.forEach(function (pair) {
    var kind = pair[0], seen = {};
    items.forEach(function (item) { values(item, kind).forEach(function (v) { seen[v] = true; }); });
    var names = Object.keys(seen).sort(function (a, b) { return a.localeCompare(b); });
    if (names.length < 2 && !params.get(kind)) { return; }
    var label = document.createElement("label");
    label.className = "filter";
    label.appendChild(document.createTextNode(pair[1] + " "));
    var select = document.createElement("select");
    select.name = kind;
    var any = document.createElement("option");
    any.value = "";
    any.textContent = W.t("all");
    select.appendChild(any);
    names.forEach(function (name) {
      var option = document.createElement("option");
      option.value = name;
      option.textContent = name;
      select.appendChild(option);
    });
    select.value = params.get(kind) || "";
    select.addEventListener("change", apply);
    label.appendChild(select);
    bar.appendChild(label);
    selects[kind] = select;
  });
  var count = document.createElement("p");
  count.className = "filter-count";
  count.setAttribute("aria-live", "polite");
  bar.appendChild(count);
  bar.hidden = false;

  // Each heading's count as built, to say "2 of 5 events" when filtered.
  function countOf(section) { return section.querySelectorAll("li.event").length; }
  var years = Array.prototype.slice.call(document.querySelectorAll("section.year"));
  var periods = Array.prototype.slice.call(document.querySelectorAll("section.period"));
  periods.forEach(function (section) {
    var title = section.querySelector(".period-title");
    if (title && !title.querySelector(".count")) {
      var span = document.createElement("span");
      span.className = "count";
      span.hidden = true;
      title.appendChild(document.createTextNode(" "));
      title.appendChild(span);
    }
  });
  var density = Array.prototype.slice.call(document.querySelectorAll(".density a[href^='#']"));

  function plural(n) { return W.n("events", n); }
  function recount(section, filtered, always) {
    var count = section.querySelector(".year-title .count, .period-title .count");
    if (!count) { return 0; }
    var all = countOf(section), shown = section.querySelectorAll("li.event:not([hidden])").length;
    count.textContent = filtered ? W.n("of_events", all, {shown: shown}) : plural(all);
    count.hidden = !filtered && !always;
    return shown;
  }

  function apply() {
    var wanted = {}, query = new URLSearchParams(window.location.search);
    Object.keys(selects).forEach(function (kind) {
      if (selects[kind].value) { wanted[kind] = selects[kind].value; query.set(kind, wanted[kind]); }
      else { query.delete(kind); }
    });
    var shown = 0;
    items.forEach(function (item) {
      var ok = Object.keys(wanted).every(function (kind) {
        return values(item, kind).indexOf(wanted[kind]) !== -1;
      });
      item.hidden = !ok;
      if (ok) { shown += 1; }
    });
    var filtered = shown !== items.length, byAnchor = {}, most = 1;
    document.querySelectorAll("section.period, section.year").forEach(function (section) {
      section.hidden = !section.querySelector("li.event:not([hidden])");
    });
    years.forEach(function (section) {
      var heading = section.querySelector(".year-title");
      var n = recount(section, filtered, true);
      if (heading && heading.id) { byAnchor[heading.id] = n; most = Math.max(most, n); }
    });
    periods.forEach(function (section) { recount(section, filtered, false); });
    density.forEach(function (link) {
      var n = byAnchor[link.getAttribute("href").slice(1)];
      if (n === undefined) { return; }
      if (!link.hasAttribute("data-count")) {
        link.setAttribute("data-count", link.querySelector(".density-count").textContent);
        link.setAttribute("data-share", link.querySelector(".density-bar").style.getPropertyValue("--share"));
      }
      link.querySelector(".density-count").textContent = filtered ? W.t("of", {shown: n, total: link.getAttribute("data-count")}) : link.getAttribute("data-count");
      link.querySelector(".density-bar").style.setProperty("--share", filtered ? (n / most).toFixed(3) : link.getAttribute("data-share"));
    });
    count.textContent = filtered ? W.n("shown", items.length, {shown: shown}) : "";
    var search = query.toString();
    history.replaceState(history.state, "", window.location.pathname + (search ? "?" + search : "") +
                         window.location.hash);
    // The menu's Story tells the events the filter shows (the story reads the same names).
    var story = new URLSearchParams();
    Object.keys(wanted).forEach(function (kind) { story.set(kind, wanted[kind]); });
    document.querySelectorAll(".site-nav a").forEach(function (link) {
      var base = link.getAttribute("data-base") || link.getAttribute("href") || "";
      if (!/(^|\/)story\/(index\.html)?$/.test(base)) { return; }
      link.setAttribute("data-base", base);
      link.setAttribute("href", base + (story.toString() ? "?" + story.toString() : ""));
    });
    document.dispatchEvent(new CustomEvent("timeline:filter", {detail: {shown: shown, total: items.length}}));
  }
  apply();
})();
