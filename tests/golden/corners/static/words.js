/* Timeline: the site's words in its language, for its scripts (made by each build from the
   strings table, timeline/words.py; docs/languages.md). timelineWords.t("key", {name: value})
   fills in {name}s; timelineWords.n("key", count) picks the plural form by Intl.PluralRules. */
window.timelineWords = (function (table) {
  "use strict";
  var words = table.words;
  var rules = null;  // CLDR's rules where Python has them too (timeline/words.py), else one/other
  if (table.plurals) {
    try { rules = new Intl.PluralRules(table.language); } catch (e) { rules = null; }  // old browsers
  }
  function fill(text, values) {
    return String(text).replace(/\{([a-z_]+)\}/g, function (all, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }
  function t(key, values) { return fill(key in words ? words[key] : key, values); }
  function n(key, count, values) {
    var forms = words[key] || {};
    var category = rules ? rules.select(count) : (count === 1 ? "one" : "other");
    var all = {n: count};
    Object.keys(values || {}).forEach(function (name) { all[name] = values[name]; });
    return fill(forms[category] || forms.other || key, all);
  }
  return {t: t, n: n, status: function (key) { return words.statuses[key] || key; },
          language: table.language, direction: table.direction};
})({"direction": "ltr", "language": "en", "plurals": true, "words": {"actor": "Actor", "all": "All", "any": "Any", "chart.bin": {"one": "{n} event in {lane} from {from} to {to} (click to show them)", "other": "{n} events in {lane} from {from} to {to} (click to show them)"}, "chart.counted": ", counted: zoom in to see each", "chart.filtered": " (filtered)", "chart.keys": "Arrow keys move in time, + and − zoom, 0 shows all.", "chart.note": "Drag or use ← → to move in time; pinch, ctrl + wheel, + − or the buttons zoom. Each mark links to its event.", "chart.other_lane": "Other", "chart.range": "{from} – {to} · {shown}", "chart.role": "zoomable time line", "chart.show_all": "Show all", "chart.zoom_in": "Zoom in", "chart.zoom_out": "Zoom out", "clear": "Clear filters", "events": {"one": "{n} event", "other": "{n} events"}, "filters": "Filters", "filters_active": "Filters ({n})", "group": "Group", "loading_filters": "Loading filters…", "more_results": "Show more results", "narrow": "Narrow the results", "needs_server": "Search needs the site to be served by a web server: its index cannot be read from disk. Browse by year, tag, actor or place instead.", "no_filters": "No filters in this index.", "no_results": "No results", "of": "{shown} of {total}", "of_events": {"one": "{shown} of {n} event", "other": "{shown} of {n} events"}, "place": "Place", "player": "Media player", "results": "Search results", "results_count": {"one": "{n} result", "other": "{n} results"}, "search_label": "Search the timeline", "search_placeholder": "Search events", "shown": {"one": "{shown} of {n} event shown", "other": "{shown} of {n} events shown"}, "status": "Status", "statuses": {"confirmed": "Confirmed", "denied": "Denied", "disputed": "Disputed", "reported": "Reported", "retracted": "Retracted"}, "story.copied": "Copied.", "story.copy_by_hand": "Select the code and copy it.", "story.cover": "The cover", "story.cover_short": "Cover", "story.earlier": "Earlier", "story.every": "Tell every event", "story.failed": "This slide could not be loaded here: {link}.", "story.failed_link": "read it on the event’s page", "story.frame_title": {"one": "{title}: a story in {n} event", "other": "{title}: a story in {n} events"}, "story.from_to": "from {from} to {to}", "story.hint": "Use the arrow keys, the Earlier and Later buttons, a swipe, or the marks below.", "story.in": "in {name}", "story.in_group": "in the group {name}", "story.kicker": {"one": "A story in {n} event, {said}", "other": "A story in {n} events, {said}"}, "story.later": "Later", "story.more": "The event’s page: related events, names and what happened around it", "story.none": "No event matches these options.", "story.note": "Choose a mark to show its slide; drag, swipe, the buttons or + and − move and zoom the navigator.", "story.position": "{i} of {n}", "story.scope": "{shown}, {said}. ", "story.slides": "Slides", "story.sources": "Sources", "story.start": "Start with {title}", "story.status": "Slide {i} of {n}: {title}", "story.tagged": "tagged {name}", "story.updates": "Updates", "story.with": "with {name}", "tag": "Tag", "unavailable": "Search is not available: its index could not be loaded.", "untitled": "Untitled event", "year": "Year"}});
