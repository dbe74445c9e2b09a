"""URL names (slugs) made from names in any script, the same on every Python.

Letters and digits of every script are kept as they are written (lower-cased): "Дури и
Аль-Каида" -> ``дури-и-аль-каида``, "دوري" -> ``دوري``, "北京" -> ``北京``. Accents on Latin and
Greek letters are dropped ("café" -> ``cafe``), and so are the optional vowel points of Arabic
and Hebrew, so a name written with or without them gets one slug. docs/events.md says why this
is better than transliterating.

The answer must not depend on the Python running it: 3.11 knows Unicode 14, 3.13 Unicode 15.1,
and a letter new in 15.1 would be kept by one and dropped by the other. So slugs follow Unicode
14: the characters assigned since are treated as unassigned (``NEWER_THAN_UNICODE_14``), and a
test fingerprints the slug of every code point so that a new Python cannot change one unseen.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

MAX_SLUG = 120  # characters
MAX_SLUG_BYTES = 200  # and UTF-8 bytes: a slug is a folder name, which holds at most 255

# Assigned in Unicode 15.0 or 15.1 (Python 3.12, 3.13): unassigned in Unicode 14, as in 3.11.
_NEWER = (
    (0x0CF3, 0x0CF3), (0x0ECE, 0x0ECE), (0x2FFC, 0x2FFF), (0x31EF, 0x31EF),
    (0x10EFD, 0x10EFF), (0x1123F, 0x11241), (0x11B00, 0x11B09), (0x11F00, 0x11F10),
    (0x11F12, 0x11F3A), (0x11F3E, 0x11F59), (0x1342F, 0x1342F), (0x13439, 0x13455),
    (0x1B132, 0x1B132), (0x1B155, 0x1B155), (0x1D2C0, 0x1D2D3), (0x1DF25, 0x1DF2A),
    (0x1E030, 0x1E06D), (0x1E08F, 0x1E08F), (0x1E4D0, 0x1E4F9), (0x1F6DC, 0x1F6DC),
    (0x1F774, 0x1F776), (0x1F77B, 0x1F77F), (0x1F7D9, 0x1F7D9), (0x1FA75, 0x1FA77),
    (0x1FA87, 0x1FA88), (0x1FAAD, 0x1FAAF), (0x1FABB, 0x1FABD), (0x1FABF, 0x1FABF),
    (0x1FACE, 0x1FACF), (0x1FADA, 0x1FADB), (0x1FAE8, 0x1FAE8), (0x1FAF7, 0x1FAF8),
    (0x2B739, 0x2B739), (0x2EBF0, 0x2EE5D), (0x31350, 0x323AF),
)  # fmt: skip
NEWER_THAN_UNICODE_14 = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _NEWER) + "]")

# Dropped inside a word rather than splitting it: "Ba'ath" -> baath, צה״ל -> צהל, and Arabic's
# tatweel (a stretching stroke). The spacing modifier letters (ʼ ʿ ʾ ˈ...) are mostly
# transliteration marks, dropped as they always were.
_APOSTROPHES = frozenset("'’ʼ׳״\u0640")
_ASCII_SLUG = re.compile(r"[a-z0-9]+")


_STRESS = "\u0300\u0301"  # accents marking stress in Cyrillic text: Ва́ся is вася
Marks = Literal["all", "stress", "none"]


# Scripts whose accents and points are dropped: Latin (ASCII to Latin Extended-B, phonetic
# extensions, Latin Extended Additional, -D, -E), Greek (and Greek Extended), Hebrew, Arabic
# (and its Supplement, Extended-A), Hebrew presentation forms.
_ACCENTED = (
    (0x0000, 0x0250), (0x0370, 0x0400), (0x0590, 0x0700), (0x0750, 0x0780), (0x08A0, 0x0900),
    (0x1D00, 0x1DC0), (0x1E00, 0x2000), (0xA720, 0xA800), (0xAB30, 0xAB70), (0xFB1D, 0xFB50),
)  # fmt: skip
_CYRILLIC = (0x0400, 0x0530)


def _marks_dropped(base: int) -> Marks:
    """The marks dropped after this letter: all (Latin, Greek, Hebrew and Arabic accents and
    points), stress marks (Cyrillic, whose й and ё keep theirs) or none (other scripts' marks
    are parts of their letters, as in Devanagari, Thai or が)."""
    if _CYRILLIC[0] <= base < _CYRILLIC[1]:
        return "stress"
    return "all" if any(lo <= base < hi for lo, hi in _ACCENTED) else "none"


def _word_chars(text: str) -> str:
    """``text`` with every character but letters, digits and kept marks turned into spaces."""
    out: list[str] = []
    dropped: Marks = "all"  # which marks go after the last letter (all, with none before)
    for char in text:
        if char.isascii():
            if char != "'":
                out.append(char if char.isalnum() else " ")
                dropped = "all"
            continue
        if char in _APOSTROPHES or 0x02B0 <= ord(char) < 0x0300:
            continue
        kind = unicodedata.category(char)
        if kind[0] in "LN":
            out.append(char)
            dropped = _marks_dropped(ord(char))
        elif kind[0] == "M":
            if dropped == "all" or (dropped == "stress" and char in _STRESS):
                continue
            out.append(char)
        elif kind not in ("Cf", "Cn", "Co"):  # format marks (soft hyphen, ZWNJ) join words
            out.append(" ")
            dropped = "all"
    return "".join(out)


def slugify(text: str, *, ascii_only: bool = False) -> str:
    """Lower-case letters and digits of any script, accents of Latin and Greek dropped,
    runs of anything else turned into single hyphens; ``ascii_only`` keeps a-z and 0-9 only."""
    if text.isascii():  # most names: the fast path, with the same result
        return "-".join(_ASCII_SLUG.findall(text.replace("'", "").lower()))
    text = NEWER_THAN_UNICODE_14.sub("", text)
    words = _word_chars(unicodedata.normalize("NFKD", text))
    words = unicodedata.normalize("NFC", words.lower().replace("ß", "ss"))
    if ascii_only:
        return "-".join(_ASCII_SLUG.findall(words))
    return "-".join(words.split())


def shorten(slug: str, limit: int = MAX_SLUG, *, max_bytes: int | None = None) -> str:
    """A slug cut to ``limit`` characters (and ``max_bytes`` of UTF-8) at a hyphen where
    there is one (whole words)."""
    cut = slug
    while len(cut) > limit or (max_bytes is not None and len(cut.encode()) > max_bytes):
        size = limit if len(cut) > limit else len(cut) - 1
        whole = cut
        cut = whole[:size]
        if "-" in cut and whole[size] != "-":
            cut = cut.rsplit("-", 1)[0]
        cut = cut.strip("-")
    return cut
