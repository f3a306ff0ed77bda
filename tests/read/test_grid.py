"""Ruled tables on a page image: rows, blank header cells, full-width rows, filled cells."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from pipelines.read.grid import find_tables


def _page() -> np.ndarray:
    image = Image.new("RGB", (1000, 600), "white")
    draw = ImageDraw.Draw(image)
    xs = (50, 350, 550, 650, 950)
    rows = (100, 140, 180, 260, 340)
    draw.rectangle((50, 140, 950, 180), fill="#D9D9D9")  # a grey header row
    draw.rectangle((550, 260, 650, 340), fill="#C00000")  # a red status cell
    for y in rows:
        draw.line((50, y, 950, y), fill="black", width=1)
    for x in xs:  # the first row (a goal area across the table) has no inner rules
        draw.line((x, 140 if x not in (50, 950) else 100, x, 340), fill="black", width=1)
    draw.text((60, 110), "Trygg kommun", fill="black")
    draw.text((360, 150), "Ansvar", fill="black")
    draw.text((60, 500), "Sida 1", fill="black")  # text outside the table
    return np.asarray(image)


def test_rows_and_cells_with_a_full_width_row_and_a_shaded_header():
    (table,) = find_tables(_page())
    assert [len(row.cells) for row in table.rows] == [1, 4, 4, 4]
    assert table.rows[0].merged and not table.rows[1].merged
    edges = [cell[0] for cell in table.rows[3].cells]
    assert all(abs(a - b) <= 3 for a, b in zip(edges, (50, 350, 550, 650), strict=True))
    assert abs(table.rows[1].top - 140) <= 3 and abs(table.rows[1].bottom - 180) <= 3


def test_a_page_without_rules_has_no_table():
    image = Image.new("RGB", (800, 500), "white")
    ImageDraw.Draw(image).text((40, 40), "Protokoll", fill="black")
    assert find_tables(np.asarray(image)) == []
