"""Status colours that stay readable, and the WCAG contrast arithmetic that proves it.

The reports' own traffic-light fills (Office green #00B050, #FFC000, #FF0000) behind white text
fall below WCAG AA (white on #00B050 ≈ 2.9:1). A status cell here is a light tint of its colour
with dark text of the same hue, plus a solid bar in the report's own colour on its left edge
(``MARKERS``), and always the status word: colour is never the only carrier.
"""

from __future__ import annotations

STATUS_FILL = {"green": "#C6EFCE", "yellow": "#FFEB9C", "red": "#FFC7CE", "unknown": "#E7E6E6"}
STATUS_TEXT = {"green": "#005A1E", "yellow": "#6B4100", "red": "#8A0005", "unknown": "#333333"}
# The reports' own colours: chart bars and the marker on a status cell's edge (no text on them).
MARKERS = {"green": "#00B050", "yellow": "#FFC000", "red": "#FF0000", "unknown": "#A6A6A6"}
WCAG_AA = 4.5


def _channel(value: float) -> float:
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""
    hexa = colour.lstrip("#")
    r, g, b = (int(hexa[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio (1–21) between two ``#rrggbb`` colours."""
    a, b = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)
