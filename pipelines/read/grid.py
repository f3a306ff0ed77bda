"""The ruled tables on a page image: their rows and, row by row, their cells.

Ruling lines are long runs of dark, colourless ink: morphological opening with a long thin
kernel keeps them and drops text. Coloured fills (a green or red status cell) are not ink,
so they never pass for lines; a grey header fill neither. A table is a connected group of
lines; its rows lie between horizontal lines that cross it, and each row has the cells its
own vertical lines separate — so a full-width row (a goal area written inside the table, a
legend row) is one cell, and a header row with blank cells keeps its columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

INK_GREY = 110  # darker than this (0-255) …
INK_CHROMA = 110  # … and less coloured than this is ink (lines, text); else paper or a fill
LOCAL_BLOCK, LOCAL_CONTRAST = 25, 30  # or darker by this than the mean of its neighbourhood
MIN_TABLE_SHARE = 0.3  # a table is at least this share of the page wide
LINE_COVER = 0.6  # a horizontal rule crosses this share of its table's width
VERTICAL_COVER = 0.7  # a vertical rule runs through this share of its row's height
MIN_ROW_HEIGHT = 8  # pixels; closer rules are one thick rule
FILL_GREY = (150, 238)  # a grey header fill (#D9D9D9 and its scanned shades) …
COLOURED = 70  # chroma of a status fill (JPEG-tinted paper and text stay below)
FILLED_CELL = 0.9  # a column this much coloured over its row's height is a filled cell
FILL_CHROMA = 30  # … has no hue; where it starts or ends across the table is a row boundary


@dataclass
class Row:
    top: int
    bottom: int
    cells: list[tuple[int, int]] = field(default_factory=list)  # (x0, x1) per cell

    @property
    def merged(self) -> bool:
        """One cell across the whole table (a heading or legend row)."""
        return len(self.cells) == 1


@dataclass
class Table:
    box: tuple[int, int, int, int]  # x0, top, x1, bottom
    rows: list[Row] = field(default_factory=list)

    @property
    def columns(self) -> int:
        return max((len(r.cells) for r in self.rows), default=0)


def planes(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Grey level and chroma (max - min channel) of each pixel, ``uint8`` (OpenCV: fast)."""
    import cv2

    red, green, blue = cv2.split(rgb)
    high = cv2.max(cv2.max(red, green), blue)
    low = cv2.min(cv2.min(red, green), blue)
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), cv2.subtract(high, low)


def ink_mask(rgb: np.ndarray, grey=None, chroma=None) -> np.ndarray:
    """Dark, colourless pixels as 255, the rest 0.

    Dark means darker than the paper around it (a thin rule scanned at low resolution is
    only mid-grey) or dark outright; colourless keeps status fills and swatches out, but
    lets through a black rule over a fill that JPEG has tinted.
    """
    import cv2

    if grey is None or chroma is None:
        grey, chroma = planes(rgb)
    darker = cv2.adaptiveThreshold(
        grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, LOCAL_BLOCK, LOCAL_CONTRAST
    )
    dark = (darker > 0) | (grey < INK_GREY)
    return ((dark & (chroma < INK_CHROMA)) * 255).astype(np.uint8)


def _merge_close(rules: list[int]) -> list[int]:
    """Rules closer than a row's minimum height are one (a fill's edge on its ruling line)."""
    merged: list[int] = []
    for rule in rules:
        if merged and rule - merged[-1] < MIN_ROW_HEIGHT:
            continue
        merged.append(rule)
    return merged


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Start and end (exclusive) of each run of True."""
    padded = np.concatenate([[False], flags, [False]])
    changes = np.flatnonzero(padded[1:] != padded[:-1])
    return list(zip(changes[::2].tolist(), changes[1::2].tolist(), strict=True))


def line_masks(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical ruling lines of an ink mask."""
    import cv2

    height, width = ink.shape
    horizontal = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(40, width // 30), 1))
    )
    vertical = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(15, height // 80)))
    )
    return horizontal, vertical


def find_tables(rgb: np.ndarray, grey=None, chroma=None) -> list[Table]:
    """The ruled tables of a page, top to bottom."""
    import cv2

    if grey is None or chroma is None:
        grey, chroma = planes(rgb)
    ink = ink_mask(rgb, grey, chroma)
    horizontal, vertical = line_masks(ink)
    height, width = ink.shape
    fills = fill_mask(grey, chroma)
    coloured = chroma >= COLOURED
    joined = cv2.dilate(horizontal | vertical, np.ones((5, 5), np.uint8))
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    tables = []
    for label in range(1, count):
        x, y, w, h, _area = stats[label]
        if w < MIN_TABLE_SHARE * width or h < 2 * MIN_ROW_HEIGHT:
            continue
        box = (int(x), int(y), int(x + w), int(y + h))
        table = _table(horizontal, vertical, box, fills, coloured, ink)
        if table.rows:
            tables.append(table)
    return sorted(tables, key=lambda t: t.box[1])


def fill_mask(grey: np.ndarray, chroma: np.ndarray) -> np.ndarray:
    """Light grey, colourless pixels (a header row's shading) as True."""
    return (grey >= FILL_GREY[0]) & (grey <= FILL_GREY[1]) & (chroma < FILL_CHROMA)


def _table(horizontal, vertical, box, fills=None, coloured=None, ink=None) -> Table:
    x0, top, x1, bottom = box
    band = horizontal[top:bottom, x0:x1] > 0
    cover = band.sum(axis=1) >= LINE_COVER * (x1 - x0)
    rules = [top + (a + b) // 2 for a, b in _runs(cover)]
    if fills is not None:  # a shaded row drawn over its rule still has its own edges
        shaded = fills[top:bottom, x0:x1].sum(axis=1) >= LINE_COVER * (x1 - x0)
        for a, b in _runs(shaded):
            if b - a >= MIN_ROW_HEIGHT:
                rules += [top + a, top + b]
        rules = _merge_close(sorted(rules))
    table = Table(box)
    for upper, lower in zip(rules, rules[1:], strict=False):
        if lower - upper < MIN_ROW_HEIGHT:
            continue
        margin = max(2, (lower - upper) // 6)
        strip = vertical[upper + margin : lower - margin, x0:x1] > 0
        through = strip.sum(axis=0) >= VERTICAL_COVER * strip.shape[0]
        edges = [x0 + (a + b) // 2 for a, b in _runs(through)]
        # a filled cell's sides are column edges, rule seen or not
        if coloured is not None and ink is not None:
            strip = coloured[upper + margin : lower - margin, x0:x1]
            inked = strip | (ink[upper + margin : lower - margin, x0:x1] > 0)  # a word on it
            full = (inked.sum(axis=0) >= FILLED_CELL * strip.shape[0]) & (
                strip.sum(axis=0) >= 0.3 * strip.shape[0]
            )
            for a, b in _runs(full):
                if b - a >= MIN_ROW_HEIGHT:
                    edges += [x0 + a, x0 + b]
            edges = _merge_close(sorted(edges))
        if not edges or edges[0] - x0 > 6:
            edges.insert(0, x0)
        if x1 - edges[-1] > 6:
            edges.append(x1)
        cells = [(a, b) for a, b in zip(edges, edges[1:], strict=False) if b - a >= MIN_ROW_HEIGHT]
        if cells:
            table.rows.append(Row(upper, lower, cells))
    return table
