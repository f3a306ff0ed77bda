"""The traffic light of a status cell, from its pixels.

A scanned status cell is either filled with the colour, or holds a coloured mark (a dot or a
square) on white. JPEG compression and scanning smear colour around black text and rules,
and tint the paper, so a pixel counts as coloured only when it is clearly saturated, and the
coloured pixels must form a blob (an opening removes specks). The blob's median colour is
matched to the nearest traffic light by its hue (:func:`pipelines.read.cell_colours.traffic_light`,
shared with the spreadsheet reader: scanners shift brightness and saturation, hardly hue);
no blob, or a colour of no traffic-light hue (grey, blue), gives no status.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.core.colours import to_hex
from pipelines.read.cell_colours import traffic_light

MIN_CHROMA = 40  # max - min channel: paper, text and JPEG fringes stay below this; the pale
# presets of Excel's conditional formatting (#C6EFCE, #FFC7CE) are just above it
MIN_MARK_SHARE = 0.01  # a mark covers at least 1 % of the cell …
MIN_MARK_PIXELS = 30  # … and this many pixels after the speck filter
FILL_SHARE = 0.5  # coloured over half of the cell: a fill, not a mark
INSET = 0.12  # the cell's border zone (share of each side) is left out: rules and bleed


@dataclass(frozen=True)
class CellColour:
    status: str | None  # green | yellow | red, or None (no colour, or not a traffic light)
    hex: str | None  # the median colour of the coloured pixels, #RRGGBB
    encoding: str  # fill | dot | none
    share: float  # share of the cell's inner area that is coloured


NO_COLOUR = CellColour(None, None, "none", 0.0)


def cell_colour(rgb: np.ndarray, box: tuple[int, int, int, int]) -> CellColour:
    """The colour of the cell ``box`` (x0, top, x1, bottom) of a page image."""
    import cv2

    x0, top, x1, bottom = box
    dx, dy = int((x1 - x0) * INSET), int((bottom - top) * INSET)
    cell = rgb[top + dy : bottom - dy, x0 + dx : x1 - dx]
    if cell.size == 0:
        return NO_COLOUR
    high = cv2.max(cv2.max(cell[..., 0], cell[..., 1]), cell[..., 2])
    low = cv2.min(cv2.min(cell[..., 0], cell[..., 1]), cell[..., 2])
    mask = (cv2.subtract(high, low) >= MIN_CHROMA).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    pixels = int(mask.sum())
    area = mask.shape[0] * mask.shape[1]
    share = pixels / area
    if pixels < MIN_MARK_PIXELS or share < MIN_MARK_SHARE:
        return NO_COLOUR
    colour = np.median(cell[mask > 0], axis=0)
    rgb_tuple = tuple(int(round(float(v))) for v in colour)
    encoding = "fill" if share >= FILL_SHARE else "dot"
    return CellColour(traffic_light(rgb_tuple), to_hex(rgb_tuple), encoding, share)
