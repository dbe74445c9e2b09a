"""An offline copy: a site that works opened from disk (``file://``), to zip and e-mail or
hand over on a stick (``timeline build --offline``, or ``offline = true`` in the config).

Pages already link relatively; what a browser cannot do from disk is open a folder's
``index.html`` for a link to the folder. So every relative link to a folder is written to
its ``index.html`` (``events/x/`` -> ``events/x/index.html``, ``../`` -> ``../index.html``),
and a small script does the same for links the site's scripts make as the reader goes (the
overview's marks when zoomed, story slides). Search needs a web server (its index loads with
``fetch``), and says so when the site is opened from disk.
"""

from __future__ import annotations

import re

# href="..." in HTML and SVG, and a redirect's <meta http-equiv="refresh" content="0; url=...">
_LINK = re.compile(r'(\bhref=")([^"]*)(")|(;\s*url=)([^"]*)(")')
# Links made by scripts while the reader goes: followed to the folder's index.html from disk.
SHIM = (
    "<script>(function(){if(location.protocol!=='file:')return;"
    "document.addEventListener('click',function(e){var a=e.target.closest&&"
    "e.target.closest('a[href]');if(!a||a.getAttribute('target')||e.defaultPrevented||"
    "e.button!==0||e.metaKey||e.ctrlKey||e.shiftKey||e.altKey)return;"
    "var u=new URL(a.getAttribute('href'),location.href);"
    "if(u.protocol==='file:'&&u.pathname.slice(-1)==='/'){e.preventDefault();"
    "u.pathname+='index.html';location.href=u.href;}});})();</script>"
)


def folder_link(url: str) -> str:
    """``url`` with a folder's ``index.html`` made explicit, when it is a relative link to a
    folder of the site (anything with a scheme, a root-relative path or a lone anchor is
    left alone)."""
    if url.startswith(("#", "/", "?")) or ":" in url.split("/", 1)[0]:
        return url
    cut = min((i for i in (url.find("#"), url.find("?")) if i >= 0), default=len(url))
    path, rest = url[:cut], url[cut:]
    if path == "" or path.endswith("/") or path in (".", ".."):
        path = (path + "/" if path in (".", "..") else path) + "index.html"
    return path + rest


def file_links(html: str) -> str:
    """A page with every relative folder link pointing at the folder's ``index.html``, and
    the script that does so for links made later (before ``</body>``)."""

    def fixed(match: re.Match[str]) -> str:
        if match[1]:
            return match[1] + folder_link(match[2]) + match[3]
        return match[4] + folder_link(match[5]) + match[6]

    html = _LINK.sub(fixed, html)
    return html.replace("</body>", SHIM + "\n</body>", 1)
