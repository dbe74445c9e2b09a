"""A site's own look from its config: logo, favicon, accent colour, fonts, footer, extra CSS.

The accent colour is text on the page (headings of periods, marks), so it is held to WCAG AA
(4.5:1) against the theme's backgrounds, light and dark: a colour that fails is a warning
naming the nearest colour that passes. Everything here is validated before it reaches the
page, so the CSS it writes holds only colours and font names.
"""

from __future__ import annotations

import colorsys

from markdown_it import MarkdownIt
from markupsafe import Markup

from timeline.config import Config, line_of
from timeline.errors import Problems

# The default theme's page backgrounds (theme/static/style.css: --bg, light and dark).
LIGHT_BG = "#fdfcf9"
DARK_BG = "#16171a"
AA = 4.5  # WCAG 2.2 AA, normal text


def _rgb(colour: str) -> tuple[float, float, float]:
    digits = colour[1:]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    red, green, blue = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return red, green, blue


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def luminance(colour: str) -> float:
    """WCAG relative luminance."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in _rgb(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two colours, 1 to 21."""
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def nearest_passing(colour: str, background: str, ratio: float = AA) -> str:
    """The colour of the same hue and saturation, darker on a light background or lighter on
    a dark one, whose lightness is nearest to ``colour``'s while it reaches ``ratio``."""
    if contrast(colour, background) >= ratio:
        return colour.lower()
    hue, lightness, saturation = colorsys.rgb_to_hls(*_rgb(colour))
    darker = luminance(background) > 0.5
    step = -0.005 if darker else 0.005
    while 0.0 <= lightness <= 1.0:
        lightness += step
        candidate = _hex(colorsys.hls_to_rgb(hue, max(0.0, min(1.0, lightness)), saturation))
        if contrast(candidate, background) >= ratio:
            return candidate
    return "#000000" if darker else "#ffffff"


def check_branding(config: Config, problems: Problems) -> None:
    """Warn about accent colours that fail WCAG AA, naming the nearest that passes; the
    files it names must be in static/ (errors otherwise)."""
    where = config.config_file or "timeline.toml"
    for key, colour, background, scheme in [
        ("accent", config.accent, LIGHT_BG, "light"),
        ("accent_dark", config.accent_dark, DARK_BG, "dark"),
    ]:
        if colour and (ratio := contrast(colour, background)) < AA:
            problems.warn(
                where, line_of(config.root, where, key), key,
                f"{colour} has a contrast of {ratio:.1f}:1 against the {scheme} background "
                f"({background}); WCAG AA needs {AA}:1 for text. The nearest colour that passes "
                f"is {nearest_passing(colour, background)}",
            )  # fmt: skip
    for key, names in [("logo", [config.logo]), ("favicon", [config.favicon]),
                       ("extra_css", list(config.extra_css))]:  # fmt: skip
        for name in names:
            if name and not (config.static_path / name).is_file():
                why = f"{name!r} is not a file in {config.static_dir}/; put it there"
                problems.error(where, line_of(config.root, where, key), key, why)


def brand_css(config: Config) -> Markup:
    """The CSS custom properties the config overrides, light and dark ("" for none)."""
    light: list[str] = []
    dark: list[str] = []
    if config.accent:
        light.append(f"--accent: {config.accent};")
        dark.append(f"--accent: {config.accent_dark or nearest_passing(config.accent, DARK_BG)};")
    elif config.accent_dark:
        dark.append(f"--accent: {config.accent_dark};")
    if config.font_text:
        light.append(f"--serif: {config.font_text};")
    if config.font_ui:
        light.append(f"--sans: {config.font_ui};")
    css = ""
    if light:
        css += ":root { " + " ".join(light) + " }"
    if dark:
        css += " @media (prefers-color-scheme: dark) { :root { " + " ".join(dark) + " } }"
    if config.logo:
        css += " .site-logo { height: 2rem; width: auto; vertical-align: middle;"
        css += " margin-inline-end: 0.5rem; }"
    return Markup(css.strip())


_INLINE = MarkdownIt("commonmark", {"html": False})


def footer_html(config: Config) -> Markup:
    """The config's footer text, as inline Markdown (links and emphasis; raw HTML escaped,
    links of unsafe schemes left as text)."""
    return Markup(_INLINE.renderInline(config.footer)) if config.footer else Markup("")
