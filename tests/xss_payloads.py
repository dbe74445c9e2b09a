"""Classic cross-site scripting payloads, for tests that put them in every field a user writes.

Each payload, if it ever ran, would call ``window.__xss(n)`` (or ``alert``), set
``window.__xss_hit``, or leave an element carrying the ``data-xss`` attribute or the id
``xss-injected`` in the DOM: a browser test looks for all of these, and for dialogs.
"""

from __future__ import annotations

PAYLOADS: tuple[str, ...] = (
    "<script>window.__xss(1)</script>",
    "<img src=x onerror=window.__xss(2) data-xss>",
    '"><img src=x onerror=window.__xss(3) data-xss>',
    "'><img src=x onerror=window.__xss(4) data-xss>",
    "<svg onload=window.__xss(5) data-xss>",
    "<svg><script>window.__xss(6)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss(7) data-xss>",
    "<svg></p><style><a id=\"</style><img src=x onerror=window.__xss(8) data-xss>\">",
    "<noscript><p title=\"</noscript><img src=x onerror=window.__xss(9) data-xss>\">",
    "<iframe srcdoc=\"<script>parent.__xss(10)</script>\" data-xss></iframe>",
    "<a href=\"javascript:window.__xss(11)\" id=xss-injected>x</a>",
    "javascript:window.__xss(12)",
    "<base href=\"javascript:window.__xss(13)//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:window.__xss(14)\">",
    "<details open ontoggle=window.__xss(15) data-xss>",
    "<body onload=window.__xss(16)>",
    "<input autofocus onfocus=window.__xss(17) data-xss>",
    "<video><source onerror=window.__xss(18) data-xss></video>",
    "<object data=\"javascript:window.__xss(19)\" data-xss></object>",
    "<embed src=\"javascript:window.__xss(20)\" data-xss>",
    "<form><button formaction=javascript:window.__xss(21) id=xss-injected>x</button></form>",
    "<style>@import 'javascript:window.__xss(22)';</style>",
    "<div style=\"background:url(javascript:window.__xss(23))\" data-xss>",
    "</textarea><script>window.__xss(24)</script>",
    "</title><script>window.__xss(25)</script>",
    "</script><script>window.__xss(26)</script>",
    "<!--<img src=x onerror=window.__xss(27) data-xss>-->",
    "<![CDATA[<img src=x onerror=window.__xss(28) data-xss>]]>",
    "&lt;img src=x onerror=window.__xss(29) data-xss&gt;",
    "&#60;img src=x onerror=window.__xss(30) data-xss&#62;",
    "\"onmouseover=\"window.__xss(31)\" data-xss=\"",
    "' onfocus='window.__xss(32)' autofocus data-xss='",
    "{{constructor.constructor('window.__xss(33)')()}}",
    "${window.__xss(34)}",
    "<img src=x:x onerror=eval(atob('d2luZG93Ll9feHNzKDM1KQ==')) data-xss>",
    "<a id=xss-injected href=\"&#106;avascript:window.__xss(36)\">x</a>",
    "<svg><a xlink:href=\"javascript:window.__xss(37)\"><text x=20 y=20>x</text></a></svg>",
    "<template><img src=x onerror=window.__xss(38) data-xss></template>",
    "<select><template><img src=x onerror=window.__xss(39) data-xss></template></select>",
    "<img src=\"x\" onerror=\"window.__xss(40)\" data-xss />",
)

# Set before any page script runs (add it with page.add_init_script): a payload that ran
# records its number here, and a plain alert() counts too.
INIT_SCRIPT = """
window.__xss_hits = [];
window.__xss = function (n) { window.__xss_hits.push(n); };
window.alert = function () { window.__xss_hits.push('alert'); };
"""

# Evaluated in a page: what any payload left behind (ran, or sits in the DOM live).
FIND_INJECTED = """
() => {
  const found = [...(window.__xss_hits || [])].map(String);
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.hasAttribute('data-xss') || el.id === 'xss-injected') found.push('element:' + el.tagName);
      for (const attr of el.attributes) {
        if (/^on/i.test(attr.name) && /__xss|alert/.test(attr.value)) found.push('handler:' + el.tagName + '.' + attr.name);
        if (/^(href|src|action|formaction|data|xlink:href)$/i.test(attr.name)
            && /^\\s*javascript:/i.test(attr.value) && /__xss/.test(attr.value)) found.push('url:' + el.tagName + '.' + attr.name);
      }
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return found;
}
"""
