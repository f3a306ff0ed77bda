"""Tables without ruling lines, read by word positions.

Some exports draw a table with no lines at all: only text in columns (and perhaps coloured
status cells). This module rebuilds a cell grid from the page's words so that the PDF reader
can read it like a ruled table: columns are the x-ranges covered by the table's words (and by
coloured fills and symbols), separated by gaps no word crosses; rows start where the vertical
gap between two lines is clearly larger than the line spacing inside a cell; a line set larger
than the table's text (a goal-area heading between two blocks) becomes a full-width row.
Lines that are dates, page numbers or legends are left out. The grid is a guess from layout,
so the reader reports such tables with a lower confidence and says how they were read.
"""

from __future__ import annotations

import statistics
import unicodedata
from dataclasses import dataclass, field

from pipelines.read.columns import header_field
from pipelines.read.goal_areas import is_legend, is_page_furniture

MIN_COLUMN_GAP = 6.0  # points of empty x-range between two columns
ROW_GAP = 1.6  # a vertical gap above this many font sizes starts a new row
LINE_TOLERANCE = 2.0  # words whose tops differ by less than this are on one line


@dataclass
class GridRow:
    """One row of the rebuilt grid: a bbox per column (None where a full-width row covers it)."""

    cells: list


@dataclass
class WordTable:
    """A table rebuilt from word positions, with the interface of a pdfplumber table."""

    bbox: tuple[float, float, float, float]
    rows: list[GridRow] = field(default_factory=list)
    texts: list[list[str | None]] = field(default_factory=list)

    def extract(self) -> list[list[str | None]]:
        return self.texts


@dataclass
class _Line:
    top: float
    bottom: float
    words: list[dict]
    heading: bool

    @property
    def text(self) -> str:
        return " ".join(word["text"] for word in self.words)


def _symbol_word(word: dict) -> bool:
    """A word that is a symbol glyph (●, ■, a Wingdings/ZapfDingbats mark), not text."""
    font = str(word.get("fontname", "")).casefold()
    if any(name in font for name in ("dingbat", "wingding", "webding", "symbol")):
        return True
    text = word["text"]
    return len(text) == 1 and unicodedata.category(text) in {"So", "Sm", "Co"}


def _lines(words: list[dict]) -> list[_Line]:
    lines: list[_Line] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and abs(word["top"] - lines[-1].top) < LINE_TOLERANCE:
            lines[-1].words.append(word)
            lines[-1].bottom = max(lines[-1].bottom, word["bottom"])
        else:
            lines.append(_Line(word["top"], word["bottom"], [word], False))
    for line in lines:
        line.words.sort(key=lambda w: w["x0"])
    return lines


def _intervals(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[list[float]] = []
    for x0, x1 in sorted(spans):
        if merged and x0 - merged[-1][1] < MIN_COLUMN_GAP:
            merged[-1][1] = max(merged[-1][1], x1)
        else:
            merged.append([x0, x1])
    return [(a, b) for a, b in merged]


def _join_title_to_marks(columns, body_lines: list[_Line]) -> list[tuple[float, float]]:
    """A column of marks only (dots, squares) beside a column whose only words are a header word
    in the first line (its title, written at the cell's left while the marks sit in the middle) is
    one column."""

    def word_lines(column) -> int:
        """0: no words; 1: words in the first line only (a title); 2: words elsewhere."""
        hits = [
            any(column[0] <= (w["x0"] + w["x1"]) / 2 <= column[1] for w in line.words)
            for line in body_lines
        ]
        if not any(hits):
            return 0
        title = " ".join(
            w["text"]
            for w in body_lines[0].words
            if column[0] <= (w["x0"] + w["x1"]) / 2 <= column[1]
        )
        return 1 if not any(hits[1:]) and header_field(title) else 2

    counts = [word_lines(column) for column in columns]
    joined: list[tuple[float, float]] = []
    index = 0
    while index < len(columns):
        column = columns[index]
        nxt = index + 1
        if (
            nxt < len(columns)
            and {counts[index], counts[nxt]} <= {0, 1}
            and 0
            in (
                counts[index],
                counts[nxt],
            )
        ):
            joined.append((column[0], columns[nxt][1]))
            index += 2
            continue
        joined.append(column)
        index += 1
    return joined


def find_word_table(
    page, marks: list[tuple[float, float, float, float]], swatch_tops
) -> WordTable | None:
    """The page's table rebuilt from word positions, or None when the words form no columns.

    ``marks`` are the bboxes (x0, top, x1, bottom) of coloured fills and symbols (a status
    column may hold nothing else); ``swatch_tops`` the vertical centres of legend swatches.
    """
    words = [w for w in page.extract_words(extra_attrs=["size", "fontname"]) if w["text"].strip()]
    letters = [w for w in words if not _symbol_word(w)]
    if not letters:
        return None
    body = statistics.median(round(w["size"], 1) for w in letters)
    lines = []
    for line in _lines(words):
        swatches = sum(1 for y in swatch_tops if line.top - 4 <= y <= line.bottom + 4)
        if is_page_furniture(line.text) or is_legend(line.text, swatches):
            continue
        sizes = [w["size"] for w in line.words if not _symbol_word(w)]
        line.heading = bool(sizes) and max(sizes) > body + 0.5
        lines.append(line)
    while lines and lines[0].heading:
        lines.pop(0)  # headings above the table are read as headings, not rows
    while lines and lines[-1].heading:
        lines.pop()
    body_lines = [line for line in lines if not line.heading]
    if len(body_lines) < 2:
        return None
    top, bottom = lines[0].top, lines[-1].bottom
    spans = [(w["x0"], w["x1"]) for line in body_lines for w in line.words]
    # the middle half of a fill or mark: a cell's fill reaches the padding of its neighbours
    spans += [
        (x0 + (x1 - x0) / 4, x1 - (x1 - x0) / 4)
        for x0, t, x1, b in marks
        if t >= top - 2 and b <= bottom + 12
    ]
    columns = _join_title_to_marks(_intervals(spans), body_lines)
    if len(columns) < 2:
        return None
    edges = [columns[0][0] - 2]
    edges += [(a[1] + b[0]) / 2 for a, b in zip(columns, columns[1:], strict=False)]
    edges.append(columns[-1][1] + 2)

    groups: list[list[_Line]] = []
    for line in lines:
        gap = line.top - groups[-1][-1].bottom if groups else None
        starts = (
            not groups
            or line.heading
            or groups[-1][-1].heading
            or gap is None
            or line.top - groups[-1][-1].top > ROW_GAP * body
        )
        if starts:
            groups.append([line])
        else:
            groups[-1].append(line)
    bounds = []
    for index, group in enumerate(groups):
        upper = (
            group[0].top - 2 if index == 0 else (groups[index - 1][-1].bottom + group[0].top) / 2
        )
        lower = (
            group[-1].bottom + 4
            if index == len(groups) - 1
            else (group[-1].bottom + groups[index + 1][0].top) / 2
        )
        bounds.append((upper, lower))
    table = WordTable((edges[0], bounds[0][0], edges[-1], bounds[-1][1]))
    for group, (upper, lower) in zip(groups, bounds, strict=True):
        if group[0].heading:  # tight around its text: a legend's swatches may lie just below
            box = (edges[0], group[0].top - 1, edges[-1], group[-1].bottom + 1)
            table.rows.append(GridRow([box] + [None] * (len(columns) - 1)))
            table.texts.append(
                [" ".join(line.text for line in group)] + [None] * (len(columns) - 1)
            )
            continue
        cells = [(edges[i], upper, edges[i + 1], lower) for i in range(len(columns))]
        texts = []
        for i in range(len(columns)):
            cell_lines = [
                " ".join(
                    w["text"]
                    for w in line.words
                    if edges[i] <= (w["x0"] + w["x1"]) / 2 < edges[i + 1]
                )
                for line in group
            ]
            texts.append("\n".join(text for text in cell_lines if text))
        table.rows.append(GridRow(cells))
        table.texts.append(texts)
    return table
