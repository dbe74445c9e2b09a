/* Timeline: search, built on Pagefind's JS API (pagefind/pagefind.js, written by the build).
   Without JavaScript the header shows no search box (its container stays hidden). With it, the
   box appears, and Pagefind and its index load only once the reader focuses or types in it.

   Everything the index holds came from what authors wrote - titles, dates, statuses, tag,
   actor and place names (read back decoded from the pages), URLs - so it reaches the DOM only
   through textContent and setAttribute, never as markup. The one HTML string, the excerpt with
   its <mark>s, is parsed in an inert document and rebuilt from its text and marks alone. */
(function () {
  "use strict";
  var host = document.getElementById("site-search");
  var script = document.currentScript;
  if (!host || !script || !window.DOMParser || !window.URL) { return; }

  // This file is static/search.js: the site root, wherever the site is published, is one up.
  var root = new URL("../", script.src);
  var W = window.timelineWords;  // the site's words (static/words.js)
  var KINDS = [["tag", W.t("tag")], ["actor", W.t("actor")], ["place", W.t("place")],
               ["status", W.t("status")], ["year", W.t("year")]];
  // Tag, actor and place names reach the index with three characters Pagefind mishandles
  // swapped for private-use ones (see event.html); a name is shown with them swapped back.
  var SWAPPED = {"\ue000": "\"", "\ue001": "\\", "\ue002": "&"};
  var PAGE = 10;       // results loaded at a time (each is a fetch)
  var DELAY = 200;     // ms of quiet typing before a search runs

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  var form = el("form", {"class": "search", role: "search", "aria-label": W.t("search_label")});
  var label = el("label", {"for": "search-input", "class": "visually-hidden"}, W.t("search_label"));
  var input = el("input", {type: "search", id: "search-input", name: "q", autocomplete: "off",
                           placeholder: W.t("search_placeholder")});
  var toggle = el("button", {type: "button", "class": "search-toggle", "aria-expanded": "false",
                             "aria-controls": "search-filters"}, W.t("filters"));
  var panel = el("fieldset", {id: "search-filters", "class": "search-filters"});
  panel.hidden = true;
  var legend = el("legend", {"class": "visually-hidden"}, W.t("narrow"));
  var reset = el("button", {type: "button", "class": "search-reset"}, W.t("clear"));
  var status = el("p", {id: "search-status", "class": "search-status", role: "status"});
  var list = el("ol", {"class": "search-results", "aria-label": W.t("results")});
  var more = el("button", {type: "button", "class": "search-more"}, W.t("more_results"));
  list.hidden = true;
  more.hidden = true;
  reset.hidden = true;
  panel.append(legend, el("p", {"class": "search-note"}, W.t("loading_filters")));
  var row = el("div", {"class": "search-row"});
  row.append(label, input, toggle);
  var summary = el("div", {"class": "search-summary"});
  summary.append(status, reset);
  form.append(row, panel, summary, list, more);
  host.append(form);
  host.hidden = false;

  var selects = {};
  var loading = null;  // the promise of a ready Pagefind, once asked for
  var current = 0;     // the newest search; older ones that finish late are dropped
  var hits = [];
  var shown = 0;

  function load() {
    if (window.location.protocol === "file:") {  // an offline copy, opened from disk
      status.textContent = W.t("needs_server");
      return Promise.reject(new Error("opened from disk"));
    }
    if (!loading) {
      loading = import(new URL("pagefind/pagefind.js", root).href).then(function (pagefind) {
        return Promise.resolve(pagefind.options({baseUrl: root.pathname})).then(function () {
          return pagefind.filters();
        }).then(function (filters) {
          buildFilters(filters || {});
          return pagefind;
        });
      });
      loading.catch(function () {
        loading = null;  // let a later focus try again
        status.textContent = W.t("unavailable");
      });
    }
    return loading;
  }

  function buildFilters(filters) {
    panel.replaceChildren(legend);
    KINDS.forEach(function (pair) {
      var kind = pair[0];
      var values = Object.keys(filters[kind] || {}).filter(Boolean).sort(function (a, b) {
        return name(a).localeCompare(name(b), undefined, {numeric: true});
      });
      if (!values.length) { return; }
      var id = "search-filter-" + kind;
      var select = el("select", {id: id, name: kind});
      select.append(el("option", {value: ""}, W.t("any")));
      values.forEach(function (value) { select.append(el("option", {value: value}, name(value))); });
      select.addEventListener("change", function () { run(true); });
      var field = el("div", {"class": "search-filter"});
      field.append(el("label", {"for": id}, pair[1]), select);
      panel.append(field);
      selects[kind] = select;
    });
    if (!Object.keys(selects).length) {
      panel.append(el("p", {"class": "search-note"}, W.t("no_filters")));
    }
  }

  function name(value) {
    return value.replace(/[\ue000-\ue002]/g, function (c) { return SWAPPED[c]; });
  }

  function chosen() {
    var filters = {};
    Object.keys(selects).forEach(function (kind) {
      if (selects[kind].value) { filters[kind] = selects[kind].value; }
    });
    return filters;
  }

  function clearResults() {
    hits = [];
    shown = 0;
    list.replaceChildren();
    list.hidden = true;
    more.hidden = true;
  }

  function run(now) {
    var generation = ++current;
    var query = input.value.trim();
    var filters = chosen();
    var active = Object.keys(filters).length;
    toggle.textContent = active ? W.t("filters_active", {n: active}) : W.t("filters");
    reset.hidden = !active;
    if (!query && !active) {
      clearResults();
      status.textContent = "";
      return Promise.resolve();
    }
    return load().then(function (pagefind) {
      if (generation !== current) { return null; }
      var options = {filters: filters};
      return now ? pagefind.search(query || null, options)
                 : pagefind.debouncedSearch(query || null, options, DELAY);
    }).then(function (search) {
      if (search === null || generation !== current) { return; }
      // The old results stay until the new ones are ready, and the count comes with them.
      return items(search.results, 0).then(function (first) {
        if (generation !== current) { return; }
        hits = search.results;
        shown = first.length;
        list.replaceChildren.apply(list, first);
        update();
        var n = hits.length;
        status.textContent = n === 0 ? W.t("no_results") : W.n("results_count", n);
      });
    }).catch(function () { /* said by load() */ });
  }

  function items(results, from) {
    var next = results.slice(from, from + PAGE);
    return Promise.all(next.map(function (hit) { return hit.data(); })).then(function (pages) {
      return pages.map(resultItem);
    });
  }

  function update() {
    list.hidden = hits.length === 0;
    more.hidden = shown >= hits.length;
  }

  function showMore() {
    var generation = current;
    more.disabled = true;
    items(hits, shown).catch(function () { return []; }).then(function (next) {
      more.disabled = false;
      if (generation !== current) { return; }
      shown += next.length;
      list.append.apply(list, next);
      update();
      var link = next.length && next[0].querySelector("a");
      if (link) { link.focus(); }  // on to the first new result, as a reader would read on
    });
  }

  // Only links within this site, relative or same-origin http(s): an index is not trusted.
  function safeUrl(raw) {
    if (typeof raw !== "string") { return null; }
    var url;
    try { url = new URL(raw, window.location.href); } catch (e) { return null; }
    if ((url.protocol !== "http:" && url.protocol !== "https:") ||
        url.origin !== window.location.origin) { return null; }
    return url.href;
  }

  // The excerpt's text and <mark>s, as new nodes; DOMParser's document runs and loads nothing.
  // Pagefind escapes the page's text, so no other element is expected: any is dropped, keeping
  // its text (but not a script's or style's).
  function excerpt(html) {
    var fragment = document.createDocumentFragment();
    var parsed = new DOMParser().parseFromString(String(html || ""), "text/html");
    (function copy(node) {
      Array.prototype.forEach.call(node.childNodes, function (child) {
        if (child.nodeType === 3) {
          fragment.append(document.createTextNode(child.data));
        } else if (child.nodeType === 1 && child.localName === "mark") {
          // Pagefind marks a whole token, "Diyala," with its comma: the mark keeps the word.
          var word = /^([\s\S]*?)([\s.,;:!?)\]}"'’”»]*)$/.exec(child.textContent);
          fragment.append(el("mark", {}, word[1]), word[2]);
        } else if (child.nodeType === 1 && !/^(script|style)$/.test(child.localName)) {
          copy(child);
        }
      });
    })(parsed.body);
    return fragment;
  }

  function resultItem(page) {
    var meta = page.meta || {};
    var title = String(meta.title || W.t("untitled"));
    var item = el("li", {"class": "search-result"});
    var heading = el("p", {"class": "search-result-title", dir: "auto"});
    var href = safeUrl(page.url);
    heading.append(href ? el("a", {href: href}, title) : title);
    var facts = el("p", {"class": "search-result-meta"});
    if (meta.date) { facts.append(el("span", {"class": "date"}, String(meta.date))); }
    if (meta.status) {
      var key = /^[a-z]+$/.test(meta.status_key || "") ? " status-" + meta.status_key : "";
      facts.append(" ", el("span", {"class": "status" + key}, String(meta.status)));
    }
    var text = el("p", {"class": "search-result-excerpt", dir: "auto"});
    text.append(excerpt(page.excerpt));
    item.append(heading, facts, text);
    return item;
  }

  function clearAll() {
    input.value = "";
    Object.keys(selects).forEach(function (kind) { selects[kind].value = ""; });
    setPanel(false);
    run(true);
    input.focus();
  }

  function setPanel(open) {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
  }

  input.addEventListener("focus", function () { load().catch(function () {}); });
  input.addEventListener("input", function () { run(false); });
  toggle.addEventListener("click", function () {
    setPanel(panel.hidden);
    load().catch(function () {});
  });
  reset.addEventListener("click", function () {
    Object.keys(selects).forEach(function (kind) { selects[kind].value = ""; });
    run(true);
    input.focus();  // the button hides itself once no filter is chosen
  });
  more.addEventListener("click", showMore);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run(true);
  });
  form.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      clearAll();
    }
  });
})();
