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
})({{ words }});
