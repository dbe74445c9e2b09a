"""The live-reload script the preview adds to the HTML pages it serves (never to a file).

It long-polls ``/__timeline__/wait``. When a build has moved the epoch on, it does not reload
the page: it fetches the page's new HTML and swaps in its ``<body>`` and its title and meta
tags, then runs the body's scripts again (taken from the browser's cache: their URLs are
versioned, see ``serving.versions``), which is what a reload would have done without tearing
down the document, parsing the head and its style sheets again and laying out from nothing
(at 10,000 events, save -> painted page: see docs/performance.md, "Serve latency"). What the
old page's scripts hung on ``window`` and ``document`` (listeners, resize and intersection
observers) is taken away first, so the page is what a fresh load of the new HTML makes.

It reloads instead whenever a swap could not make that page: the head's style sheets or
scripts changed, or the body's scripts did (a new theme script, a shared data file), the
``<html>`` element's attributes changed, the answer is not a 200 or was redirected, the
page's scripts wait for the document's load events (they do not come again) or run from
the head once the body is parsed (deferred, async, module: the story's), this script
did not run before the page's own (it cannot know what they left behind), or anything fails.
"""

from __future__ import annotations

WAIT_PATH = "/__timeline__/wait"

# %(epoch)d: the build epoch the page was served at; %(wait)s: the long poll's path.
SCRIPT = """<script data-timeline-live="%(epoch)d">/* timeline serve: live reload (not part of \
the built site) */
(function () {
  "use strict";
  var me = document.currentScript, epoch = +me.getAttribute("data-timeline-live");
  // What the body's scripts (run again by a swap; the head's are kept) hang on window and
  // document as they run, not what the browser or its tools do: known only if this ran first.
  var first = document.scripts[0] === me, hung = [], observers = [], onLoad = false;
  var add = EventTarget.prototype.addEventListener;
  var remove = EventTarget.prototype.removeEventListener;
  function page() { return document.currentScript !== null && document.currentScript !== me; }
  function theirs() { return page() && !document.head.contains(document.currentScript); }
  if (first) {
    [window, document].forEach(function (target) {
      target.addEventListener = function (type, listener, options) {
        if (page() && (type === "DOMContentLoaded" || type === "load")) { onLoad = true; }
        if (theirs()) { hung.push([target, type, listener, options]); }
        return add.call(target, type, listener, options);
      };
    });
    ["ResizeObserver", "IntersectionObserver"].forEach(function (name) {
      var Native = window[name];
      if (!Native) { return; }
      var Kept = function (callback, options) {
        var observer = new Native(callback, options);
        if (theirs()) { observers.push(observer); }
        return observer;
      };
      Kept.prototype = Native.prototype;
      window[name] = Kept;
    });
  }
  function poll() {
    fetch("%(wait)s?since=" + epoch + "&path=" + encodeURIComponent(location.pathname),
          {method: "POST", cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (d) { if (d.epoch > epoch) { update(d.epoch); } else { poll(); } })
      .catch(function () { setTimeout(poll, 1000); });
  }
  function reload() { location.reload(); }
  // The scripts a page runs: their URLs (versioned) or, inline, their code.
  function code(root) {
    return Array.prototype.filter.call(root.querySelectorAll("script"), function (s) {
      var type = (s.getAttribute("type") || "").toLowerCase();
      return !s.hasAttribute("data-timeline-live") &&
        (!type || type === "text/javascript" || type === "module");
    }).map(function (s) { return s.getAttribute("src") || s.textContent; }).join("\\n");
  }
  function described(node) { return node.localName === "title" || node.localName === "meta"; }
  // The head but its title and meta tags and this script (its style sheets, scripts, links).
  function frame(head) {
    return Array.prototype.filter.call(head.children, function (n) {
      return !described(n) && !n.hasAttribute("data-timeline-live");
    })
      .map(function (n) { return n.outerHTML; }).join("\\n");
  }
  function attributes(element) {
    return Array.prototype.map.call(element.attributes, function (a) {
      return a.name + "=" + a.value;
    }).join(" ");
  }
  // A head script that runs once the body is parsed (deferred, asynchronous or a module:
  // the story's) works on the body: kept and not run again, it would leave the new one bare.
  function late(head) {
    return Array.prototype.some.call(head.querySelectorAll("script"), function (s) {
      return s.defer || s.async || (s.getAttribute("type") || "").toLowerCase() === "module";
    });
  }
  function swappable(doc) {
    var old = Array.prototype.filter.call(document.head.children, described);
    var now = Array.prototype.filter.call(doc.head.children, described);
    return first && !onLoad && !late(document.head) && old.length === now.length &&
      attributes(doc.documentElement) === attributes(document.documentElement) &&
      frame(doc.head) === frame(document.head) && code(doc.body) === code(document.body);
  }
  function update(next) {
    fetch(location.href, {cache: "no-store"})
      .then(function (r) {
        if (!r.ok || r.redirected) { throw new Error("not the page"); }
        return r.text();
      })
      .then(function (text) { swap(new DOMParser().parseFromString(text, "text/html"), next); })
      .catch(reload);
  }
  function swap(doc, next) {
    if (!swappable(doc)) { return reload(); }
    var live = doc.querySelector("script[data-timeline-live]");
    epoch = live ? +live.getAttribute("data-timeline-live") : next;
    if (live) { live.remove(); }
    hung.forEach(function (h) { remove.call(h[0], h[1], h[2], h[3]); });
    observers.forEach(function (o) { o.disconnect(); });
    hung = [];
    observers = [];
    var old = Array.prototype.filter.call(document.head.children, described);
    Array.prototype.filter.call(doc.head.children, described).forEach(function (n, i) {
      old[i].replaceWith(document.importNode(n, true));
    });
    var x = window.scrollX, y = window.scrollY;
    document.body.replaceWith(document.adoptNode(doc.body));
    window.scrollTo(x, y);
    // Scripts put in by a parser of another document never run: run fresh copies, in order;
    // the next poll waits until they have, so that no swap's scripts meet another's page.
    var last = null;
    Array.prototype.forEach.call(document.body.querySelectorAll("script"), function (s) {
      var type = (s.getAttribute("type") || "").toLowerCase();
      if (type && type !== "text/javascript" && type !== "module") { return; }
      if (s.hasAttribute("nomodule")) { return; }  // never runs: no load event would come
      var fresh = document.createElement("script");
      Array.prototype.forEach.call(s.attributes, function (a) {
        fresh.setAttribute(a.name, a.value);
      });
      fresh.textContent = s.textContent;
      fresh.async = false;
      if (fresh.src) { last = fresh; }
      s.replaceWith(fresh);
    });
    if (!last) { return poll(); }
    add.call(last, "load", poll);
    add.call(last, "error", reload);
  }
  poll();
})();
</script>"""


def inject(text: str, epoch: int) -> str:
    """The page's HTML with the live-reload script as the first thing in its head (so that
    it sees what the page's own scripts do), or at the end if it has no head."""
    script = SCRIPT % {"epoch": epoch, "wait": WAIT_PATH}
    head = text.find("<head")
    if head >= 0 and text[head + 5 : head + 6] in (">", " ", "\t", "\n"):
        end = text.find(">", head) + 1
        return text[:end] + script + text[end:]
    position = text.rfind("</body>")
    return text[:position] + script + text[position:] if position >= 0 else text + script
