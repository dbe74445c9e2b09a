/* Timeline: filters for lists of events. Without JavaScript every event is shown; with it,
   a filter bar narrows the list by tag, actor, place, status and group, and the page's URL
   (?tag=...&status=...) says what is shown so that it can be shared. */
(function () {
  "use strict";
  var KINDS = [["tag", "Tag"], ["actor", "Actor"], ["place", "Place"], ["status", "Status"],
               ["group", "Group"]];
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
    any.textContent = "All";
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

  function apply() {
    var wanted = {}, query = new URLSearchParams();
    Object.keys(selects).forEach(function (kind) {
      if (selects[kind].value) { wanted[kind] = selects[kind].value; query.set(kind, wanted[kind]); }
    });
    var shown = 0;
    items.forEach(function (item) {
      var ok = Object.keys(wanted).every(function (kind) {
        return values(item, kind).indexOf(wanted[kind]) !== -1;
      });
      item.hidden = !ok;
      if (ok) { shown += 1; }
    });
    document.querySelectorAll("section.period, section.year").forEach(function (section) {
      section.hidden = !section.querySelector("li.event:not([hidden])");
    });
    count.textContent = shown === items.length ? "" : shown + " of " + items.length + " events shown";
    var search = query.toString();
    history.replaceState(null, "", window.location.pathname + (search ? "?" + search : "") +
                         window.location.hash);
  }
  apply();
})();
