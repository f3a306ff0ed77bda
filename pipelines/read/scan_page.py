"""One scanned page, read: its image straightened, its ruled tables, each cell's text (OCR) and
colour. Runs in a worker process per page (see :mod:`pipelines.read.scan`); everything it
returns is plain data.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.read import grid, raster
from pipelines.read.cell_colour import NO_COLOUR, CellColour, cell_colour
from pipelines.read.ocr import PageOCR, Text

PAPER = 200  # lighter than this is paper (grain, JPEG ringing, a pale header fill)
PAD = 3  # pixels kept off each side of a cell: its ruling lines are not text
MIN_LINE = 6  # pixels: a text line is at least this high and wide
MIN_INK = 12  # fewer dark pixels than this in a cell: blank (a filled status cell), not OCR'd


BLANK = Text("", 100.0)


@dataclass
class ScanCell:
    box: tuple[int, int, int, int]  # x0, top, x1, bottom in the straightened page image
    text: str
    confidence: float
    colour: CellColour = NO_COLOUR


@dataclass
class ScanRow:
    box: tuple[int, int, int, int]
    cells: list[ScanCell]

    @property
    def merged(self) -> bool:
        return len(self.cells) == 1


@dataclass
class ScanTable:
    box: tuple[int, int, int, int]
    above: list[str]  # text lines between the previous table (or the page top) and this one
    rows: list[ScanRow] = field(default_factory=list)


@dataclass
class ScanPage:
    number: int  # 1-based
    width: int
    height: int
    dpi: float
    skew: float  # degrees the page was turned straight by
    tables: list[ScanTable]
    seconds: float  # wall time to read the page
    cpu_seconds: float
    text_outside: list[str] = field(default_factory=list)  # a page without table: its lines


def _runs(flags, gap: int = 0) -> list[tuple[int, int]]:
    """Runs of True (start, end exclusive), joining runs separated by at most ``gap``."""
    runs: list[tuple[int, int]] = []
    for a, b in grid._runs(flags):
        if runs and a - runs[-1][1] <= gap:
            runs[-1] = (runs[-1][0], b)
        else:
            runs.append((a, b))
    return runs


def _text_lines(ocr: PageOCR, ink, box) -> list[str]:
    """The text lines in a region outside the tables (headings, legend, date), top to bottom.

    Lines are found from the ink's row profile and cut where a wide gap separates two texts
    on one line (a heading and a date), then each is read as one line.
    """
    x0, top, x1, bottom = box
    if bottom - top < MIN_LINE:
        return []
    region = ink[top:bottom, x0:x1]
    lines = []
    for a, b in _runs(region.sum(axis=1) >= 2, gap=1):
        if b - a < MIN_LINE:
            continue
        height = b - a
        for c, d in _runs(region[a:b].any(axis=0), gap=2 * height):
            if d - c < MIN_LINE:
                continue
            pad = max(2, height // 4)
            box = (x0 + c - pad, top + a - pad, x0 + d + pad, top + b + pad)
            text = ocr.read(box, one_line=True).text.strip()
            if text:
                lines.append(text)
    return lines


def _for_ocr(grey, chroma):
    """The page as Tesseract should see it: grey, with every clearly coloured pixel and the
    paper's grain made white. Text is dark and colourless, so OCR loses nothing; a status fill
    or a legend swatch no longer reads as letters, and a nearly blank region is not noise."""
    clean = grey.copy()
    clean[(chroma >= grid.COLOURED) | (grey > PAPER)] = 255
    return clean


def read_page(path: str, index: int, dpi: int = raster.DEFAULT_DPI) -> ScanPage:
    """Read page ``index`` (0-based) of the scan at ``path``."""
    started, cpu = time.perf_counter(), time.process_time()
    image, resolution = raster.page_image(Path(path), index, dpi)
    image, skew = raster.deskew(image)
    height, width = image.shape[:2]
    grey, chroma = grid.planes(image)
    tables = grid.find_tables(image, grey, chroma)
    ocr = PageOCR(_for_ocr(grey, chroma), resolution)
    ink = grid.ink_mask(image, grey, chroma) > 0
    found: list[ScanTable] = []
    region_top = 0
    for table in tables:
        x0, top, x1, bottom = table.box
        above = _text_lines(ocr, ink, (0, region_top, width, top - 2))
        scan_table = ScanTable(table.box, above)
        for row in table.rows:
            cells = []
            for cx0, cx1 in row.cells:
                box = (cx0, row.top, cx1, row.bottom)
                inner = (cx0 + PAD, row.top + PAD, cx1 - PAD + 1, row.bottom - PAD + 1)
                blank = ink[inner[1] : inner[3], inner[0] : inner[2]].sum() < MIN_INK
                text = BLANK if blank else ocr.read(inner)
                cells.append(ScanCell(box, text.text, text.confidence, cell_colour(image, box)))
            scan_table.rows.append(ScanRow((x0, row.top, x1, row.bottom), cells))
        found.append(scan_table)
        region_top = bottom + 2
    outside = [] if tables else _text_lines(ocr, ink, (0, 0, width, height))
    return ScanPage(
        number=index + 1,
        width=width,
        height=height,
        dpi=resolution,
        skew=skew,
        tables=found,
        seconds=time.perf_counter() - started,
        cpu_seconds=time.process_time() - cpu,
        text_outside=outside,
    )
