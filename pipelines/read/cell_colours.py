"""Colours of spreadsheet cells as Excel shows them, and the traffic light they stand for.

openpyxl gives a colour as RGB (``FF00B050``), as a theme slot with a tint (``theme=9,
tint=-0.25``: resolved from the workbook's own theme XML, since organisations brand their
themes) or as an index into the workbook's palette (its own ``indexedColors`` or Excel's
default 64). Which traffic light a colour means is decided by its hue, because real fills are
rarely the textbook shades: Excel's conditional-formatting presets are pale (``FFC7CE`` light
red, ``FFEB9C`` light yellow, ``C6EFCE`` light green) and theme tints move the lightness.
"""

from __future__ import annotations

import colorsys
import xml.etree.ElementTree as ET

RGB = tuple[int, int, int]

_DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
# Excel's theme indexes 0–3 swap the dark/light pairs of the theme file's order.
_THEME_SLOTS = (
    "lt1",
    "dk1",
    "lt2",
    "dk2",
    "accent1",
    "accent2",
    "accent3",
    "accent4",
    "accent5",
    "accent6",
    "hlink",
    "folHlink",
)


def hex_rgb(text: str | None) -> RGB | None:
    """``FF00B050`` / ``00B050`` / ``#00B050`` → (0, 176, 80)."""
    if not isinstance(text, str):
        return None
    digits = text.strip().lstrip("#")
    if len(digits) == 8:
        digits = digits[2:]
    if len(digits) != 6:
        return None
    try:
        return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
    except ValueError:
        return None


def to_hex(rgb: RGB) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def theme_palette(theme_xml: bytes | str | None) -> list[RGB] | None:
    """The 12 theme colours in Excel's index order, from the workbook's theme XML."""
    if not theme_xml:
        return None
    try:
        root = ET.fromstring(theme_xml)
    except ET.ParseError:
        return None
    scheme = root.find(f".//{_DRAWING}clrScheme")
    if scheme is None:
        return None
    colours: dict[str, RGB] = {}
    for slot in scheme:
        name = slot.tag.removeprefix(_DRAWING)
        for child in slot:
            value = child.get("val") if child.tag.endswith("srgbClr") else child.get("lastClr")
            rgb = hex_rgb(value)
            if rgb:
                colours[name] = rgb
    if not all(name in colours for name in _THEME_SLOTS[:10]):
        return None
    return [colours.get(name, (0, 0, 0)) for name in _THEME_SLOTS]


def apply_tint(rgb: RGB, tint: float) -> RGB:
    """Excel's tint: lighten (tint > 0) or darken (tint < 0) in HLS, as ECMA-376 §18.8.19."""
    if not tint:
        return rgb
    hue, light, sat = colorsys.rgb_to_hls(*(v / 255 for v in rgb))
    light = light * (1 + tint) if tint < 0 else light * (1 - tint) + tint
    return tuple(round(v * 255) for v in colorsys.hls_to_rgb(hue, light, sat))  # type: ignore[return-value]


class Palette:
    """Resolves openpyxl colours of one workbook to RGB."""

    def __init__(self, theme: list[RGB] | None, indexed: list[str] | None):
        self.theme = theme
        self.indexed = indexed

    @classmethod
    def of(cls, workbook) -> Palette:
        indexed = list(getattr(workbook, "_colors", None) or [])
        return cls(theme_palette(getattr(workbook, "loaded_theme", None)), indexed or None)

    def resolve(self, colour) -> tuple[RGB | None, str | None]:
        """(RGB, None), or (None, why not) for a colour that cannot be resolved.

        An absent or automatic colour is (None, None): nothing is shown.
        """
        if colour is None:
            return None, None
        kind = getattr(colour, "type", None)
        tint = float(getattr(colour, "tint", 0) or 0)
        if kind == "rgb":
            rgb = hex_rgb(colour.rgb)
            if rgb is None:
                return None, f"colour {colour.rgb!r} is not RGB"
            return apply_tint(rgb, tint), None
        if kind == "theme":
            slot = colour.theme
            if self.theme is None:
                return None, f"theme colour {slot} but the workbook has no readable theme"
            if not isinstance(slot, int) or not 0 <= slot < len(self.theme):
                return None, f"theme colour {slot} is not in the workbook's theme"
            return apply_tint(self.theme[slot], tint), None
        if kind == "indexed":
            index = colour.indexed
            if index in (64, 65):  # system foreground / background: automatic
                return None, None
            palette = self.indexed or []
            if not isinstance(index, int) or not 0 <= index < len(palette):
                return None, f"indexed colour {index} is not in the workbook's palette"
            rgb = hex_rgb(palette[index])
            return (apply_tint(rgb, tint) if rgb else None), None
        return None, None  # "auto"


def is_neutral(rgb: RGB) -> bool:
    """White, black and greys (and near-greys): backgrounds and text, never a traffic light."""
    _, light, sat = colorsys.rgb_to_hls(*(v / 255 for v in rgb))
    return max(rgb) - min(rgb) <= 24 or sat < 0.15 or light > 0.97


def traffic_light(rgb: RGB) -> str | None:
    """``green``/``yellow``/``red`` by hue, or None for a colour that is none of them (blue …).

    Callers check :func:`is_neutral` first: a grey is "no colour", a blue is "a colour that
    means nothing we know" and deserves a warning.
    """
    if is_neutral(rgb):
        return None
    hue, _, _ = colorsys.rgb_to_hls(*(v / 255 for v in rgb))
    degrees = hue * 360
    if degrees < 18 or degrees >= 330:
        return "red"
    if degrees < 70:
        return "yellow"
    if degrees < 170:
        return "green"
    return None
