/* Timeline: the story, one event at a time (story/, and embed/ in a frame). Without
   JavaScript the page is a cover whose "Start" opens the first event's page (each event page
   leads on to the next) and a list of every event. This turns it into a slideshow, as
   TimelineJS shows a timeline: the cover, then each event's date, status, text, image and
   sources, fetched from the event's own page (so a slide is never out of step with it);
   Earlier/Later by the links, the arrow keys or a swipe; the overview below as the navigator,
   its current mark drawn marked, a mark chosen opening its slide. The slide is in the URL
   (story/#slug), and the URL's filters make a story of some events: ?tag=, ?actor=, ?place=
   (a name or its slug), ?status=, ?group=, and ?from=&to= (ISO days, as the chart's range).
   Runs after chart.js (deferred), whose figure.chart it drives. */
(function () {
  "use strict";
  var W = window.timelineWords;  // the site's words (static/words.js)
  var rtl = W.direction === "rtl";  // a right-to-left page: "later" is to the left
  var story = document.getElementById("story");
  var figure = story && story.querySelector("figure.chart");
  var chart = figure && figure.chart;
  if (!chart) { return; }  // no events, or no chart script: the page stays as built
  var holder = document.getElementById("story-data");  // the names, or a script setting them
  var names = holder.src ? window.timelineStory : JSON.parse(holder.textContent);
  if (!names) { return; }  // a large timeline's story-data.js did not load
  var root = story.getAttribute("data-root") || "";
  var embed = story.classList.contains("story-embed");
  var stage = document.getElementById("story-stage");
  var cover = document.getElementById("story-slide");
  var status = document.getElementById("story-status");
  var scope = document.getElementById("story-scope");
  var siteTitle = cover.querySelector(".slide-title").textContent;
  var params = new URLSearchParams(window.location.search);
  var KINDS = [["tag", "story.tagged"], ["actor", "story.with"], ["place", "story.in"]];

  function key(text) {  // "Diyala operations", "diyala-operations" and "DIYALA Operations" alike
    return String(text).toLocaleLowerCase().replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-+|-+$/g, "");
  }
  function day(text) {  // "2007-08-22" (or "-0500-01-01") as chart.js's day numbers
    var m = /^(-?)(\d{4,})-(\d{2})-(\d{2})$/.exec(text || "");
    if (!m) { return null; }
    var y = (m[1] ? -1 : 1) * parseInt(m[2], 10), month = parseInt(m[3], 10), d = parseInt(m[4], 10);
    y -= month <= 2 ? 1 : 0;
    var era = Math.floor(y / 400), yoe = y - era * 400, doy = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + d - 1;
    return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
  }
  function escapeHtml(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  // The slides: the events the URL's options keep, in the timeline's order.
  var said = [], tests = [];
  KINDS.forEach(function (kind, n) {
    var wanted = params.get(kind[0]);
    if (!wanted) { return; }
    var hits = {}, shown = wanted;
    names[kind[0]].forEach(function (entry, i) {
      if (entry[0] === wanted || key(entry[1]) === key(wanted)) { hits[i] = true; shown = entry[1]; }
    });
    said.push(W.t(kind[1], {name: shown}));
    tests.push(function (e) { return names.events[e.i][n].some(function (i) { return hits[i]; }); });
  });
  if (params.get("status")) {
    var statusWanted = key(params.get("status"));
    var statusShown = params.get("status");
    chart.events.forEach(function (e) { if (e.statusKey === statusWanted) { statusShown = e.status; } });
    said.push(statusShown.toLocaleLowerCase());
    tests.push(function (e) { return key(e.status) === statusWanted || e.statusKey === statusWanted; });
  }
  if (params.get("group")) {
    var groupWanted = key(params.get("group"));
    said.push(W.t("story.in_group", {name: params.get("group")}));
    tests.push(function (e) { var g = names.events[e.i][3]; return g >= 0 && key(names.group[g]) === groupWanted; });
  }
  var range = null, lo = day(params.get("from")), hi = day(params.get("to"));
  if (lo !== null && hi !== null && hi >= lo) {  // both days in, as the chart reads them
    range = {lo: lo, hi: hi + 1};
    said.push(W.t("story.from_to", {from: chart.dayText(range.lo), to: chart.dayText(range.hi - 1)}));
    tests.push(function (e) { return e.d0 < range.hi && e.d1 > range.lo; });
  }
  var slides = chart.events.filter(function (e) { return tests.every(function (t) { return t(e); }); });
  var at = {};
  slides.forEach(function (e, i) { at[e.slug] = i; });
  var filtered = slides.length < chart.events.length;
  if (filtered && slides.length) {
    chart.only(slides.map(function (e) { return e.slug; }));
    if (!range) {  // the navigator shows the story's span, with a little room on each side
      lo = Infinity;
      hi = -Infinity;
      slides.forEach(function (e) {
        lo = Math.min(lo, isFinite(e.d0) ? e.d0 : e.d1 - 1);
        hi = Math.max(hi, isFinite(e.d1) ? e.d1 : e.d0 + 1);
      });
      var room = Math.max(3, (hi - lo) * 0.06);
      chart.show(lo - room, hi + room);
    }
  }

  var total = chart.events.length;
  function plural(n) { return W.n("events", n); }
  if (said.length) {
    scope.textContent = W.t("story.scope", {shown: W.n("of_events", total, {shown: slides.length}),
                                            said: said.join(", ")});
    if (!embed) {
      var all = document.createElement("a");
      all.href = window.location.pathname;
      all.textContent = W.t("story.every");
      scope.appendChild(all);
    }
  }
  var kicker = cover.querySelector(".slide-kicker");
  if (kicker && said.length) { kicker.textContent = W.n("story.kicker", slides.length, {said: said.join(", ")}); }
  var note = figure.querySelector(".chart-note");
  if (note) { note.textContent = W.t("story.note"); }
  var contents = document.getElementById("story-contents");
  if (contents) { contents.hidden = true; }  // the slides and the navigator say the same
  var hint = cover.querySelector(".slide-hint");
  if (hint) { hint.textContent = W.t("story.hint"); }
  var start = cover.querySelector(".story-start");
  if (start && slides.length) {
    start.href = "#" + slides[0].slug;
    start.target = "_self";
    start.innerHTML = escapeHtml(W.t("story.start", {title: "\u0000"})).replace("\u0000",
      "<span dir=\"auto\">" + escapeHtml(slides[0].title) + "</span>") + " <span aria-hidden=\"true\">" + (rtl ? "←" : "→") + "</span>";
  } else if (start) {
    start.parentNode.textContent = W.t("story.none");
  }

  // Earlier and Later, above the slide and again below it (for a long one).
  function navigation(tag, label) {
    var nav = document.createElement(tag);
    nav.className = "story-nav";
    if (label) { nav.setAttribute("aria-label", label); }
    nav.innerHTML = '<a class="story-prev" rel="prev" target="_self"><span class="story-dir" aria-hidden="true">' + (rtl ? "→" : "←") + '</span>' +
      '<span class="story-nav-text"><span class="story-nav-word">' + escapeHtml(W.t("story.earlier")) + '</span><span class="story-nav-title"></span></span></a>' +
      '<p class="story-count"></p>' +
      '<a class="story-next" rel="next" target="_self"><span class="story-nav-text"><span class="story-nav-word">' + escapeHtml(W.t("story.later")) + '</span>' +
      '<span class="story-nav-title"></span></span><span class="story-dir" aria-hidden="true">' + (rtl ? "←" : "→") + '</span></a>';
    return nav;
  }
  var top = navigation("nav", W.t("story.slides")), bottom = navigation("div", "");
  bottom.classList.add("story-nav-end");
  stage.insertBefore(top, cover);
  stage.appendChild(bottom);
  story.classList.add("story-live");

  var current = -2, pages = {};
  function pageUrl(e) { return root + "events/" + encodeURIComponent(e.slug) + "/"; }

  // An event's page, fetched once, as the parts of a slide (URLs made absolute, since the
  // page lies two folders down where this one lies one).
  function load(e) {
    if (!pages[e.slug]) {
      var url = new URL(pageUrl(e), window.location.href).href;
      pages[e.slug] = fetch(url).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      }).then(function (text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        var article = doc.querySelector("article.event-page");
        if (!article) { throw new Error("no event"); }
        article.querySelectorAll("[href], [src]").forEach(function (el) {
          ["href", "src"].forEach(function (name) {
            var value = el.getAttribute(name);
            if (value && value.charAt(0) !== "#") { el.setAttribute(name, new URL(value, url).href); }
          });
        });
        return article;
      });
      pages[e.slug].catch(function () { delete pages[e.slug]; });  // try again next time
    }
    return pages[e.slug];
  }

  function slideFor(e) {
    var slide = document.createElement("article");
    slide.className = "slide status-" + e.statusKey;
    slide.id = "story-slide";
    slide.setAttribute("aria-labelledby", "story-slide-title");
    slide.innerHTML = '<div class="slide-text"><p class="event-meta"><span class="date">' + escapeHtml(e.date) +
      '</span> <span class="status status-' + escapeHtml(e.statusKey) + '">' + escapeHtml(e.status) + "</span></p>" +
      '<h2 class="slide-title" id="story-slide-title"><a href="' + escapeHtml(pageUrl(e)) + '" dir="auto">' +
      escapeHtml(e.title) + "</a></h2></div>";
    return slide;
  }

  function fill(slide, e, article) {
    var text = slide.querySelector(".slide-text");
    var meta = article.querySelector(".event-meta");
    if (meta) { text.replaceChild(document.importNode(meta, true), text.querySelector(".event-meta")); }
    function add(selector, into, wrap) {
      var found = article.querySelector(selector);
      if (!found) { return null; }
      var copy = document.importNode(found, true);
      if (wrap) { copy.className += " " + wrap; }
      (into || text).appendChild(copy);
      return copy;
    }
    add(".status-note");
    add(".event-media");  // a card; its player loads on the reader's click (static/media.js)
    var image = add(".event-image", slide, "slide-media");
    if (image) {
      slide.classList.add("slide-with-media");
      slide.insertBefore(image, text);
      var img = image.querySelector("img");
      if (img) { img.removeAttribute("loading"); }
    }
    add(".event-body", null, "slide-body");
    [[".event-sources", W.t("story.sources")], [".event-updates", W.t("story.updates")]].forEach(function (part) {
      var found = article.querySelector(part[0]);
      if (!found) { return; }
      var section = document.createElement("section");
      section.className = "slide-part " + part[0].slice(1);
      var heading = document.createElement("h3");
      heading.textContent = part[1];
      section.appendChild(heading);
      Array.prototype.forEach.call(found.children, function (child) {
        if (child.tagName !== "H2") { section.appendChild(document.importNode(child, true)); }
      });
      text.appendChild(section);
    });
    var more = document.createElement("p");
    more.className = "slide-more";
    more.innerHTML = '<a href="' + escapeHtml(pageUrl(e)) + '">' + escapeHtml(W.t("story.more")) + '</a>';
    text.appendChild(more);
    slide.dispatchEvent(new CustomEvent("timeline:content", {bubbles: true}));
  }

  function failed(slide, e) {
    var p = document.createElement("p");
    p.className = "slide-more";
    p.innerHTML = escapeHtml(W.t("story.failed", {link: "\u0000"})).replace("\u0000",
      '<a href="' + escapeHtml(pageUrl(e)) + '">' + escapeHtml(W.t("story.failed_link")) + "</a>");
    slide.querySelector(".slide-text").appendChild(p);
  }

  function setLink(nav, which, i) {
    var link = nav.querySelector(which), e = slides[i], title = link.querySelector(".story-nav-title");
    if (i < -1 || i >= slides.length) {
      link.removeAttribute("href");
      link.setAttribute("aria-disabled", "true");
      title.textContent = "";
      return;
    }
    link.removeAttribute("aria-disabled");
    link.href = "#" + (e ? e.slug : "");
    title.textContent = e ? e.title : W.t("story.cover");
    title.setAttribute("dir", "auto");
  }

  // The navigator marks the slide's event; where too many events are in view for marks (a
  // large timeline counts them instead), it zooms in on it until its mark is drawn.
  function follow(e) {
    chart.select(e ? e.slug : null);
    for (var n = 0; e && n < 40 && !figure.querySelector("a.mark-current"); n++) {
      var v = chart.view, span = (v.hi - v.lo) / 2;
      var mid = isFinite(e.d0) && isFinite(e.d1) ? (e.d0 + e.d1) / 2 : (isFinite(e.d0) ? e.d0 : e.d1);
      if (v.hi - v.lo <= 7) { break; }  // chart.js's shortest view: a week
      chart.show(mid - span / 2, mid + span / 2);
    }
  }

  function go(i, history) {
    i = Math.max(-1, Math.min(slides.length - 1, i));
    if (i === current) { return; }
    current = i;
    var e = slides[i] || null;
    var slide = e ? slideFor(e) : cover;
    var old = document.getElementById("story-slide");
    if (old !== slide) { stage.replaceChild(slide, old); }
    [top, bottom].forEach(function (nav) {
      setLink(nav, ".story-prev", i - 1);
      setLink(nav, ".story-next", i + 1);
      nav.querySelector(".story-count").textContent = e ? W.t("story.position", {i: i + 1, n: slides.length}) : W.t("story.cover_short");
    });
    bottom.hidden = !e;
    follow(e);
    status.textContent = e ? W.t("story.status", {i: i + 1, n: slides.length, title: e.title}) : W.t("story.cover");
    if (e) {
      load(e).then(function (article) {
        if (slides[current] === e) { fill(slide, e, article); }
      }, function () {
        if (slides[current] === e) { failed(slide, e); }
      });
      if (slides[i + 1]) { load(slides[i + 1]).catch(function () {}); }
      if (slides[i - 1]) { load(slides[i - 1]).catch(function () {}); }
    }
    if (history) {  // the story's page keeps a step per slide; a frame leaves the host's history alone
      var url = window.location.pathname + window.location.search + (e ? "#" + e.slug : "");
      if (embed || history === "replace") { window.history.replaceState(null, "", url); }
      else { window.history.pushState(null, "", url); }
    }
    var box = stage.getBoundingClientRect();
    if (box.top < 0 && !embed) { stage.scrollIntoView({block: "start"}); }
    story.dispatchEvent(new CustomEvent("timeline:slide", {detail: {slug: e ? e.slug : null, index: i}}));
  }

  function fromUrl(history) {
    var slug = decodeURIComponent(window.location.hash.slice(1));
    go(slug in at ? at[slug] : -1, history);
  }

  story.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link) { return; }
    var mark = link.classList.contains("mark") ? link.getAttribute("data-slug") : null;
    var href = link.getAttribute("href");
    if (mark !== null) {  // a mark of the navigator: its slide
      if (mark in at) { event.preventDefault(); go(at[mark], true); }
    } else if (href.charAt(0) === "#") {
      var slug = decodeURIComponent(href.slice(1));
      event.preventDefault();
      if (slug in at || slug === "") { go(slug === "" ? -1 : at[slug], true); return; }
      var target = document.getElementById(slug);  // a note or a source within the slide
      if (target) { target.scrollIntoView({block: "nearest"}); }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) { return; }
    var t = event.target;
    if (t.closest && (t.closest("input, textarea, select, [contenteditable], .chart-svg, summary"))) { return; }
    // Later is to the right, or on a right-to-left page to the left (docs/languages.md).
    if (event.key === (rtl ? "ArrowLeft" : "ArrowRight")) { go(current + 1, true); }
    else if (event.key === (rtl ? "ArrowRight" : "ArrowLeft")) { go(current - 1, true); }
    else { return; }
    event.preventDefault();
  });

  // A sideways swipe on the slide (touch or pen; vertical swipes scroll, as CSS says).
  var swipe = null;
  stage.addEventListener("pointerdown", function (event) {
    swipe = event.pointerType === "mouse" ? null : {x: event.clientX, y: event.clientY, id: event.pointerId};
  });
  stage.addEventListener("pointerup", function (event) {
    if (!swipe || swipe.id !== event.pointerId) { return; }
    var dx = event.clientX - swipe.x, dy = event.clientY - swipe.y;
    swipe = null;
    if (Math.abs(dx) >= 50 && Math.abs(dx) > 2 * Math.abs(dy)) { go(current + ((dx < 0) !== rtl ? 1 : -1), true); }
  });
  stage.addEventListener("pointercancel", function () { swipe = null; });

  window.addEventListener("popstate", function () { fromUrl(false); });
  window.addEventListener("hashchange", function () { fromUrl(false); });
  fromUrl(window.location.hash ? "replace" : false);

  // The Embed button's code: this story's options (and, if asked, its slide) for a frame.
  var code = document.getElementById("story-share-code");
  if (code) {
    var theme = document.getElementById("story-share-theme"), here = document.getElementById("story-share-slide");
    var copy = document.getElementById("story-share-copy"), done = document.getElementById("story-share-done");
    document.querySelector(".story-share-tools").hidden = false;
    var snippet = function () {
      var url = new URL(root + "embed/", window.location.href), options = new URLSearchParams();
      ["tag", "actor", "place", "status", "group", "from", "to"].forEach(function (name) {
        if (params.get(name)) { options.set(name, params.get(name)); }
      });
      if (theme.value) { options.set("theme", theme.value); }
      url.search = options.toString();
      if (here.checked && slides[current]) { url.hash = slides[current].slug; }
      var head = code.value.slice(0, code.value.indexOf(">") + 1);
      var frame = '<iframe src="' + escapeHtml(url.href) + '" title="' + escapeHtml(W.n("story.frame_title", slides.length, {title: siteTitle})) +
        '" style="width: 100%; height: 640px; border: 0" loading="lazy"></iframe>';
      code.value = frame + code.value.slice(head.length);
    };
    snippet();
    [theme, here].forEach(function (input) { input.addEventListener("change", snippet); });
    story.addEventListener("timeline:slide", function () { if (here.checked) { snippet(); } });
    copy.addEventListener("click", function () {
      function copied() { done.textContent = W.t("story.copied"); }
      code.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(code.value).then(copied, function () { done.textContent = W.t("story.copy_by_hand"); });
      } else {
        done.textContent = document.execCommand("copy") ? W.t("story.copied") : W.t("story.copy_by_hand");
      }
    });
  }
})();
