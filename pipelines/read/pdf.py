"""PDF reports: ruled tables found by their cell grid, columns by header word or by content.

Templates vary (310 organisations, each its own): portrait or landscape pages; a header row
with any of the header words of ``columns.HEADER_WORDS`` (Aktivitet / Åtgärd / Insats …), with
blank cells (the real layout heads only ``Verksamhet`` and ``Kommentar``), or no header at all;
columns in any order; the goal area in a page heading (``AKTIVITETER MÅLOMRÅDE - …``,
``Målområde 2: …``, a bare name set large or bold; see ``goal_areas``), in a full-width row
inside the table, or in a column; the status as the status cell's fill, a coloured square or
dot drawn in it, a coloured symbol (●, ■, a Wingdings/ZapfDingbats glyph) or a status word
(``status_words.yaml``).

The reader finds each table from its ruling lines (pdfplumber). Columns that a header word
names are taken as named; the others are decided by their content: the column whose cells hold
no text but colours, symbols or status words is the status; then ``columns.assign_columns``
(short repeating text is the unit, the longest prose the comment, the remaining text column the
activity). A table without a header row whose columns line up with the previous table's keeps
that table's columns (a continued page). A row broken over a page boundary (the next page
starts with a row that has a comment but no activity) is joined back together. Each table is
reported as a ``FoundTable`` (which column became which field, why, with what confidence), for
``followup inspect``.

Besides the reader columns, rows carry ``page`` (where the row starts), ``status_raw`` (the
fill as ``#RRGGBB``, or the word written in the cell) and ``completed_reported`` (a word such
as ``Klar``). A fill that is no traffic light (blue, say) is kept as the status so that
validation quarantines the row with the colour as reason. Not read: tables without ruling
lines (the page gets a warning naming how many text lines were not read) and scans without a
text layer (``ReportFormatError`` that says to OCR them and use the text reader).
"""

from __future__ import annotations

import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.core.colours import is_neutral, nearest_status, to_hex, to_rgb
from pipelines.core.errors import ReportFormatError
from pipelines.read import READER_SCHEMA, FoundTable, ReaderResult, ReaderWarning
from pipelines.read.columns import ColumnChoice, assign_columns, header_field
from pipelines.read.goal_areas import TextLine, clean_heading, heading_above, is_legend
from pipelines.read.linejoin import join_lines, join_pair
from pipelines.read.pdf_words import find_word_table
from pipelines.read.status_words import status_for_phrase

TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
MIN_FILL_SHARE = 0.5  # a fill covering at least this share of the status cell is its colour
MIN_FILL_SIDE = 2.0  # thinner filled rectangles are ruling lines, not cell shading
MIN_MARK_SIDE = 4.0  # a coloured square or dot inside the status cell at least this big
MAX_SWATCH_SIDE = 24.0  # a coloured shape at most this big beside text: a legend swatch
WORD_TABLE_CONFIDENCE = 0.6  # a table rebuilt from word positions is a guess from layout
COLUMN_TOLERANCE = 6.0  # points; a headerless table continues the previous one if columns align
SYMBOL_FONTS = ("dingbat", "wingding", "webding", "symbol")
OCR_HINT = "read it as a scan with --format scan (or leave --format auto)"
TEXT_HINT = (
    "extract its text (e.g. `pdftotext -layout in.pdf out.txt`) and ingest that with "
    "--format ocr-text"
)
NOT_A_REPORT = (
    "no activity table (a ruled table with an activity column beside a unit, status or comment "
    "column, e.g. Aktivitet | Verksamhet | Status | Kommentar or Åtgärd | Ansvar | Bedömning)"
)

_EXTRA_SCHEMA = {"status_raw": pl.String(), "page": pl.Int64(), "completed_reported": pl.Boolean()}


def sniff(path: Path, head: bytes, fmt: str) -> bool:
    # The PDF spec lets a few bytes of junk precede the header; readers accept it in 1 KiB.
    return b"%PDF-" in head[:1024]


def _text(cell: str | None) -> str:
    return unicodedata.normalize("NFC", join_lines((cell or "").split("\n")))


def _is_symbol(char: dict) -> bool:
    """A glyph that is a mark, not a letter: a symbol font (Wingdings, ZapfDingbats) or a
    Unicode symbol such as ● ■ ▲."""
    font = str(char.get("fontname", "")).casefold()
    text = char.get("text", "")
    if any(name in font for name in SYMBOL_FONTS):
        return bool(text.strip())
    return len(text) == 1 and unicodedata.category(text) in {"So", "Sm", "Co"}


def _colour(value) -> tuple[int, int, int] | None:
    """A PDF colour as RGB, or None when it is no colour (white, grey, black, a pattern)."""
    rgb = to_rgb(value)
    return None if rgb is None or is_neutral(rgb) else rgb


Fill = tuple[float, float, float, float, object]  # x0, top, x1, bottom, PDF colour


def _fills(page) -> list[Fill]:
    """Filled shapes (rectangles, and curves such as dots) in drawing order: later on top."""
    return [
        (r["x0"], r["top"], r["x1"], r["bottom"], r.get("non_stroking_color"))
        for r in (*page.rects, *page.curves)
        if r.get("fill") and r["width"] >= MIN_FILL_SIDE and r["height"] >= MIN_FILL_SIDE
    ]


def _inside(obj: dict, bbox) -> bool:
    x0, top, x1, bottom = bbox
    return (
        x0 <= (obj["x0"] + obj["x1"]) / 2 <= x1
        and top <= (obj["top"] + obj["bottom"]) / 2 <= bottom
    )


@dataclass
class _CellMark:
    """What colours a cell: its ``rgb`` and how (``fill``, ``mark`` or ``symbol``)."""

    rgb: tuple[int, int, int] | None
    kind: str | None
    symbols: str = ""  # the symbol glyphs in the cell (left out of its words)


def _cell_mark(bbox, fills: list[Fill], symbols: list[dict]) -> _CellMark:
    """The visible colour of a cell, or none (white and grey are none).

    A fill that covers most of the cell is its shading; a coloured square or dot drawn inside
    the cell, or a coloured symbol glyph written in it, wins over the shading beneath.
    """
    if bbox is None:
        return _CellMark(None, None)
    x0, top, x1, bottom = bbox
    glyphs = [char for char in symbols if _inside(char, bbox)]
    text = "".join(char["text"] for char in glyphs)
    for char in glyphs:
        rgb = _colour(char.get("non_stroking_color"))
        if rgb is not None:
            return _CellMark(rgb, "symbol", text)
    area = max((x1 - x0) * (bottom - top), 1e-6)
    mark = None
    for fx0, ftop, fx1, fbottom, colour in reversed(fills):
        overlap_w = min(x1, fx1) - max(x0, fx0)
        overlap_h = min(bottom, fbottom) - max(top, ftop)
        if overlap_w <= 0 or overlap_h <= 0:
            continue
        if overlap_w * overlap_h >= MIN_FILL_SHARE * area:
            if mark is not None:  # a mark painted over the cell's shading
                return _CellMark(mark, "mark", text)
            rgb = _colour(colour)
            return _CellMark(rgb, "fill" if rgb else None, text)
        inside = x0 <= (fx0 + fx1) / 2 <= x1 and top <= (ftop + fbottom) / 2 <= bottom
        if mark is None and inside and min(fx1 - fx0, fbottom - ftop) >= MIN_MARK_SIDE:
            mark = _colour(colour)
    return _CellMark(mark, "mark" if mark else None, text)


def _strip_symbols(text: str, symbols: str) -> str:
    for glyph in symbols:
        text = text.replace(glyph, "", 1)
    return " ".join(text.split())


@dataclass
class _Layout:
    """The columns of the last activity table (a continued table without a header reuses them)."""

    choices: list[ColumnChoice]
    x_edges: list[float]
    header: tuple[str, ...] | None
    page: int


@dataclass
class _State:
    goal_area: str | None = None
    layout: _Layout | None = None
    records: list[dict] = field(default_factory=list)
    warnings: list[ReaderWarning] = field(default_factory=list)
    tables: list[FoundTable] = field(default_factory=list)
    activity_tables: int = 0
    text_pages: int = 0
    image_pages: int = 0  # pages with text over images (OCR'd scans) and no ruled table

    def warn(self, page: int, message: str, row: bool = False) -> None:
        source_row = len(self.records) + 1 if row else None
        self.warnings.append(ReaderWarning(f"page {page}: {message}", page, source_row))


def _status(
    word: str, mark: _CellMark, state: _State, page: int
) -> tuple[str, str | None, bool | None]:
    """(status, status_raw, completed) from the status cell's word and colour."""
    rgb = mark.rgb
    colour_status = nearest_status(rgb) if rgb else None
    hex_colour = to_hex(rgb) if rgb else None
    if word:
        meaning = status_for_phrase(word)
        if meaning is not None and (meaning.status != "unknown" or not colour_status):
            if colour_status and colour_status != meaning.status:
                state.warn(
                    page,
                    f"status cell says {word!r} but is coloured {hex_colour} "
                    f"({colour_status}); kept the word",
                    row=True,
                )
            return meaning.status, word, meaning.completed
        if colour_status:
            return colour_status, hex_colour, meaning.completed if meaning else None
        # An unrecognised word stays as written so that validation quarantines it.
        return word, word, None
    if rgb is None:
        return "unknown", None, None
    if colour_status is None:
        state.warn(page, f"status colour {hex_colour} is not near green, yellow or red", row=True)
        return hex_colour, hex_colour, None  # quarantined by validation, colour as reason
    return colour_status, hex_colour, None


def _lines(page, top: float, bottom: float, swatches: list[tuple[float, float]]) -> list[TextLine]:
    """The text lines between ``top`` and ``bottom``, with font size, weight and swatches."""
    if bottom - top < 1:
        return []
    # filter, not crop: on a /Rotate'd page the text can lie outside pdfplumber's page box.
    region = page.filter(lambda obj: obj.get("top", -1) >= top and obj.get("bottom", 1e9) <= bottom)
    lines = []
    for line in region.extract_text_lines(return_chars=True):
        chars = [c for c in line["chars"] if c["text"].strip()]
        if not chars:
            continue
        sizes = [round(c.get("size", 0.0), 1) for c in chars]
        marks = sum(1 for y in swatches if line["top"] - 4 <= y <= line["bottom"] + 4)
        marks += sum(1 for c in chars if _is_symbol(c) and _colour(c.get("non_stroking_color")))
        lines.append(
            TextLine(
                text=unicodedata.normalize("NFC", line["text"]).strip(),
                size=max(sizes),
                bold=all("bold" in str(c.get("fontname", "")).casefold() for c in chars),
                top=line["top"],
                coloured_marks=marks,
            )
        )
    return lines


def _swatches(fills: list[Fill]) -> list[float]:
    """Vertical centres of small coloured shapes (legend swatches, coloured word backgrounds)."""
    centres = []
    for _x0, top, _x1, bottom, colour in fills:
        if bottom - top <= MAX_SWATCH_SIDE and _colour(colour) is not None:
            centres.append((top + bottom) / 2)
    return centres


def _columns_align(table, layout: _Layout) -> bool:
    """Does a table have the columns of the last activity table (same count, same x)?"""
    full_rows = (row.cells for row in table.rows if all(cell is not None for cell in row.cells))
    cells = next(full_rows, [])  # merged rows (a legend or a heading) hide the columns
    if len(cells) != len(layout.x_edges):
        return False
    return all(
        abs(cell[0] - x) <= COLUMN_TOLERANCE for cell, x in zip(cells, layout.x_edges, strict=True)
    )


def _merge_continuation(previous: dict, piece: dict) -> None:
    """Join the rest of a row broken over a page boundary onto the row it belongs to."""
    for column in ("activity", "unit", "comment"):
        if piece[column]:
            joined = join_pair(previous[column] or "", piece[column])
            previous[column] = joined or None
    if previous["status"] == "unknown" and piece["status"] != "unknown":
        for column in ("status", "status_raw", "completed_reported"):
            previous[column] = piece[column]


def _is_header(row: list[str], first: bool = False) -> bool:
    """A header row: every non-blank cell is a header word, two or more of them (one will do
    in a table's first row, as long as the row has blank cells beside it)."""
    named = [header_field(cell) for cell in row if cell]
    return bool(named) and all(named) and (len(named) >= 2 or first)


def _status_column(
    texts: list[list[str]], marks: list[list[_CellMark]], candidates: list[int]
) -> tuple[int, str, float] | None:
    """The column among ``candidates`` whose cells hold no text but colours, symbols or status
    words: (index, reason, confidence), or None."""
    best = None
    for index in candidates:
        cells = [(row[index], mark[index]) for row, mark in zip(texts, marks, strict=True)]
        words = [_strip_symbols(t, m.symbols) for t, m in cells]
        filled = [w for w in words if w]
        if any(status_for_phrase(w) is None for w in filled):
            continue  # prose or unknown words: a text column
        coloured = sum(1 for _, m in cells if m.rgb is not None)
        said = coloured + sum(1 for w, (_, m) in zip(words, cells, strict=True) if w and not m.rgb)
        if not said:
            continue
        share = said / len(cells)
        if best is None or share > best[2]:
            kinds = Counter(m.kind for _, m in cells if m.kind)
            if filled:
                kinds["word"] += len(filled)
            how = " and ".join(f"{k}s" if k != "word" else "status words" for k in kinds)
            reason = f"content: no text but {how} in {share:.0%} of its cells"
            best = (index, reason, share)
    if best is None:
        return None
    return best[0], best[1], 0.6 + 0.35 * best[2]


def _goal_area_column(
    texts: list[list[str]], candidates: list[int], known: set[str]
) -> tuple[int, str, float] | None:
    """The column among ``candidates`` (text columns no header names) that holds the goal area:
    one whose cells mostly repeat a goal-area heading of the document (``known``), or, when
    there are four text columns (one more than activity, unit and comment), the one whose
    short values come in unbroken runs with the fewest distinct values."""
    best = None
    for index in candidates:
        values = [row[index] if index < len(row) else "" for row in texts]
        if not values or not all(values):
            continue
        runs = 1 + sum(a != b for a, b in zip(values, values[1:], strict=False))
        distinct = len(set(values))
        words = sum(len(v.split()) for v in values) / len(values)
        in_known = sum(v in known for v in values) / len(values)
        if in_known >= 0.8:
            score, reason = (2, -distinct), f"content: {in_known:.0%} of its cells name a heading"
        elif len(candidates) >= 4 and runs == distinct and distinct <= max(1, len(values) // 3):
            if words > 10:
                continue
            score = (1, -distinct)
            reason = f"content: {distinct} value(s) in unbroken runs over {len(values)} rows"
        else:
            continue
        if best is None or score > best[0]:
            best = (score, index, reason)
    if best is None:
        return None
    return best[1], best[2], 0.9 if best[0][0] == 2 else 0.6


def _choose_columns(
    header: list[str] | None,
    texts: list[list[str]],
    marks: list[list[_CellMark]],
    known: set[str] = frozenset(),
) -> list[ColumnChoice]:
    """Columns by header word, the status by its colours/words, the goal area by its runs or
    its headings, the rest by content (``columns.assign_columns``)."""
    width = max([len(header or [])] + [len(row) for row in texts])
    named = {header_field(h) for h in header or [] if h}
    unnamed = [i for i in range(width) if not header or i >= len(header) or not header[i]]
    found: dict[str, tuple[int, str, float]] = {}
    if "status" not in named and texts:
        status = _status_column(texts, marks, unnamed)
        empty = [i for i in unnamed if not any(i < len(row) and row[i] for row in texts)]
        if status is None and len(empty) == 1:  # no colour on this page: the one empty column
            status = (empty[0], "content: the one column without text (no status shown)", 0.5)
        if status is not None:
            found["status"] = status
            unnamed.remove(status[0])
    if "goal_area" not in named and texts:
        text_columns = [i for i in unnamed if any(i < len(row) and row[i] for row in texts)]
        goal_area = _goal_area_column(texts, text_columns, set(known))
        if goal_area is not None:
            found["goal_area"] = goal_area
    effective = list(header) if header else [""] * width
    for name, (index, _, _) in found.items():
        effective[index] = {"status": "Status", "goal_area": "Målområde"}[name]
    coloured = [[m.rgb is not None for m in row] for row in marks]
    choices = assign_columns(
        effective if any(effective) else None,
        texts,
        coloured,
        lambda text: status_for_phrase(text) is not None,
    )
    for choice in choices:
        if choice.field in found and choice.index == found[choice.field][0]:
            index, reason, confidence = found[choice.field]
            choice.header = (header[index] or None) if header else None
            choice.reason, choice.confidence = reason, confidence
    return choices


def _read_table(page, table, fills, symbols, state: _State, above: list[TextLine]) -> bool:
    """Read one table's activity rows; False when it is not an activity table (e.g. a legend)."""
    page_no = page.page_number
    texts = [[_text(cell) for cell in row] for row in table.extract()]
    full = [all(cell is not None for cell in row.cells) for row in table.rows]
    first_full = next((i for i in range(len(texts)) if full[i]), None)
    header_at = next(
        (i for i, row in enumerate(texts) if full[i] and _is_header(row, i == first_full)), None
    )
    first_data = 0 if header_at is None else header_at + 1
    marks = {
        i: [_cell_mark(bbox, fills, symbols) for bbox in table.rows[i].cells]
        for i in range(first_data, len(texts))
        if full[i]
    }
    legend_rows = {
        i
        for i in marks
        if is_legend(" ".join(t for t in texts[i] if t), sum(bool(m.rgb) for m in marks[i]), True)
        and not _is_header(texts[i])
    }
    data_rows = [
        i for i in marks if i not in legend_rows and (any(texts[i]) or any(m.rgb for m in marks[i]))
    ]
    x_edges = [c[0] if c else 0.0 for c in (table.rows[data_rows[0]].cells if data_rows else [])]
    header = texts[header_at] if header_at is not None else None
    notes: list[str] = []
    layout = state.layout
    aligned = layout is not None and _columns_align(table, layout)
    reuse = aligned and (header is None or tuple(header) == layout.header)
    if reuse and "status" not in {choice.field for choice in layout.choices}:
        reuse = False  # the last table showed no status: look again (it may show one here)
    if reuse:
        choices = layout.choices
        if header is None:
            notes.append(f"no header row: the columns of the table on page {layout.page}")
    else:
        known = {g for g in (state.goal_area, heading_above(above, _body_size(page, table))) if g}
        known |= {
            _row_heading(texts[i], table.rows[i].cells, fills, symbols) or ""
            for i in range(len(texts))
            if not full[i]
        }
        choices = _choose_columns(
            header, [texts[i] for i in data_rows], [marks[i] for i in data_rows], known - {""}
        )
        fields = {choice.field for choice in choices}
        if "activity" not in fields or not fields & {"unit", "status", "comment"}:
            body = " ".join(t for row in texts for t in row if t)
            swatches = sum(1 for m in marks.values() for c in m if c.rgb)
            legend = is_legend(body, swatches, in_table=True) and len(body.split()) <= 40
            if body and not legend:
                state.warn(
                    page_no,
                    "a ruled table with no activity column beside a unit, status or comment "
                    f"column ({len(texts)} row(s)); skipped",
                )
            return False
        if header is None:
            notes.append("no header row: every column chosen by its content")
        state.layout = _Layout(choices, x_edges, tuple(header) if header else None, page_no)
    state.activity_tables += 1
    mapping = {choice.field: choice.index for choice in choices}

    heading = heading_above(above, _body_size(page, table))
    if heading:
        state.goal_area = heading
        notes.append(f"goal area from the heading above: {heading!r}")
    for i in range(header_at or 0):  # a merged row above the header names the goal area
        row_heading = _row_heading(texts[i], table.rows[i].cells, fills, symbols)
        if row_heading:
            state.goal_area = row_heading
            notes.append(f"goal area from a full-width row: {row_heading!r}")
    first_is_heading = bool(texts) and bool(
        _row_heading(texts[first_data], table.rows[first_data].cells, fills, symbols)
        if first_data < len(texts)
        else None
    )
    if state.goal_area is None and "goal_area" not in mapping and not first_is_heading:
        state.warn(page_no, "no goal area heading above the table or in a full-width row")
    first_record = len(state.records)
    encodings: Counter = Counter()
    goal_areas: Counter = Counter()
    for row_index in range(first_data, len(texts)):
        row = texts[row_index]
        if row_index in legend_rows:
            continue
        if not any(row) and not any(m.rgb for m in marks.get(row_index, [])):
            continue  # an empty row is layout
        if not full[row_index]:
            row_heading = _row_heading(row, table.rows[row_index].cells, fills, symbols)
            if row_heading:
                state.goal_area = row_heading
                notes.append(f"goal area from a full-width row: {row_heading!r}")
                continue
            if row_heading == "":
                continue  # a legend row inside the table
        if _is_header(row):
            continue  # a repeated header row
        cells = table.rows[row_index].cells
        values = {name: row[i] if i < len(row) else "" for name, i in mapping.items()}
        status_index = mapping.get("status")
        if status_index is not None and status_index < len(cells):
            mark = marks.get(row_index) or [_cell_mark(b, fills, symbols) for b in cells]
            mark = mark[status_index]
        else:
            mark = _CellMark(None, None)
        word = _strip_symbols(values.get("status", ""), mark.symbols)
        if not any(v for k, v in values.items() if k != "status") and not word and not mark.rgb:
            continue
        status, status_raw, completed = _status(word, mark, state, page_no)
        if word:
            encodings["word"] += 1
        elif mark.kind:
            encodings[mark.kind] += 1
        record = {
            "goal_area": values.get("goal_area") or state.goal_area,
            "activity": values.get("activity") or None,
            "unit": values.get("unit") or None,
            "status": status,
            "status_source": "reported",
            "comment": values.get("comment") or None,
            "status_raw": status_raw,
            "page": page_no,
            "completed_reported": completed,
        }
        continues_previous = (
            len(state.records) == first_record
            and state.records
            and state.records[-1]["page"] < page_no
            and not record["activity"]
            and (record["comment"] or record["unit"])
        )
        if continues_previous:
            _merge_continuation(state.records[-1], record)
            notes.append(f"first row continues the last row of page {state.records[-1]['page']}")
            first_record += 1  # a later row without activity is a row of its own
            continue
        if not record["activity"]:
            state.warn(page_no, "a row with no activity text", row=True)
        state.records.append(record)
        goal_areas[record["goal_area"] or ""] += 1
    confidence = min([choice.confidence for choice in choices] or [1.0])
    state.tables.append(
        FoundTable(
            where=f"page {page_no}",
            columns=[
                ColumnChoice(c.field, c.index, c.header, c.reason, c.confidence) for c in choices
            ],
            status_encoding=" + ".join(k for k, _ in encodings.most_common()) or "none",
            rows=sum(goal_areas.values()),
            goal_areas=dict(goal_areas),
            confidence=confidence,
            notes=notes,
            page=page_no,
        )
    )
    return True


def _row_heading(row: list[str], cells, fills, symbols) -> str | None:
    """The goal area a merged (full-width) row names; "" for a legend row, None for no
    heading (a data row whose cells are merged)."""
    texts = [t for t in row if t]
    if len(texts) != 1 or sum(cell is not None for cell in cells) != 1:
        return None
    marks = sum(1 for char in symbols if any(cell and _inside(char, cell) for cell in cells))
    marks += sum(
        1
        for x0, top, x1, bottom, colour in fills
        if bottom - top <= MAX_SWATCH_SIDE
        and _colour(colour)
        and any(
            cell and _inside({"x0": x0, "x1": x1, "top": top, "bottom": bottom}, cell)
            for cell in cells
        )
    )
    if is_legend(texts[0], marks):
        return ""
    return clean_heading(texts[0]) or ""


def _body_size(page, table) -> float:
    """The usual font size of the text inside a table (headings are set larger)."""
    x0, top, x1, bottom = table.bbox
    sizes = [
        round(c.get("size", 0.0), 1)
        for c in page.chars
        if x0 <= c["x0"] <= x1 and top <= c["top"] <= bottom and c["text"].strip()
    ]
    return statistics.median(sizes) if sizes else 0.0


def _read_by_words(page, fills, symbols, swatches, state: _State) -> bool:
    """Read a page whose table has no ruling lines from its word positions (``pdf_words``)."""
    marks = [(x0, top, x1, bottom) for x0, top, x1, bottom, colour in fills if _colour(colour)]
    marks += [(c["x0"], c["top"], c["x1"], c["bottom"]) for c in symbols]
    table = find_word_table(page, marks, swatches)
    if table is None:
        return False
    tables_before = len(state.tables)
    above = _lines(page, 0.0, table.bbox[1], swatches)
    if not _read_table(page, table, fills, symbols, state, above):
        return False
    for found in state.tables[tables_before:]:
        found.confidence = min(found.confidence, WORD_TABLE_CONFIDENCE)
        found.notes.insert(0, "no ruling lines: cells rebuilt from word positions (a guess)")
    return True


def _read_page(page, state: _State, scanned_pages: list[int]) -> None:
    if not page.chars:
        if page.images:
            scanned_pages.append(page.page_number)
        return
    state.text_pages += 1
    tables = sorted(page.find_tables(TABLE_SETTINGS), key=lambda t: t.bbox[1])
    fills = _fills(page)
    symbols = [char for char in page.chars if _is_symbol(char)]
    swatches = _swatches(fills)
    region_top = 0.0
    warnings_before = len(state.warnings)
    read_any = False
    for table in tables:
        above = _lines(page, region_top, table.bbox[1], swatches)
        if _read_table(page, table, fills, symbols, state, above):
            region_top = table.bbox[3]  # headings for a next table are below this one
            read_any = True
    if not read_any and not page.images:
        rejected = state.warnings[warnings_before:]
        del state.warnings[warnings_before:]
        if _read_by_words(page, fills, symbols, swatches, state):
            rows = state.tables[-1].rows
            state.warn(
                page.page_number,
                f"no ruling lines: {rows} row(s) read from word positions (confidence "
                f"{WORD_TABLE_CONFIDENCE}); rows whose line spacing misleads may be merged "
                "or split — check them",
            )
            return
        state.warnings[warnings_before:warnings_before] = rejected
    state.image_pages += bool(page.images and not tables)
    if not read_any and len(state.warnings) == warnings_before:
        lines = len(page.extract_text_lines(return_chars=False))
        state.warn(
            page.page_number,
            f"no ruled table (no cell grid of lines) with activities; {lines} text line(s) "
            "not read",
        )


def _open(path: Path):
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError

    try:
        return pdfplumber.open(path)
    except Exception as exc:  # pdfminer raises many types for broken files
        causes = [exc, *exc.args, exc.__cause__]
        if any(isinstance(c, PDFEncryptionError) for c in causes):
            raise ReportFormatError(
                f"{path.name}: the PDF is password-protected; save an unprotected copy "
                "(print to PDF without a password) and ingest that"
            ) from exc
        raise ReportFormatError(
            f"{path.name}: not a readable PDF ({type(exc).__name__}); the file may be "
            "truncated or damaged — download or export it again"
        ) from exc


def _close(pdf) -> None:
    """Close the file; not ``pdf.close()``, which parses a broken page tree again and raises."""
    for page in getattr(pdf, "_pages", []):
        page.close()
    pdf.stream.close()


def read(path: Path, fmt: str = "pdf") -> ReaderResult:
    path = Path(path)
    state = _State()
    scanned_pages: list[int] = []
    pdf = _open(path)
    try:
        pages = pdf.pages
        if not pages:
            raise ReportFormatError(f"{path.name}: the PDF has no pages")
        page_count = len(pages)
        for page in pages:
            _read_page(page, state, scanned_pages)
            page.close()  # frees the page's parsed objects: keeps memory flat on long reports
    except ReportFormatError:
        raise
    except Exception as exc:  # pdfminer/pdfplumber raise many types for damaged files
        raise ReportFormatError(
            f"{path.name}: the PDF cannot be read ({type(exc).__name__}); the file may be "
            "truncated or damaged — download or export it again"
        ) from exc
    finally:
        _close(pdf)
    if not state.activity_tables:
        if state.text_pages == 0 or scanned_pages:
            raise ReportFormatError(f"{path.name}: the PDF has no text layer (a scan?); {OCR_HINT}")
        if state.image_pages:
            raise ReportFormatError(
                f"{path.name}: text but no ruled activity table, over page images (a scan with "
                f"an OCR layer?); {TEXT_HINT}"
            )
        raise ReportFormatError(f"{path.name}: {NOT_A_REPORT}; is this a follow-up report?")
    for number in scanned_pages:
        state.warnings.append(
            ReaderWarning(
                f"page {number} has no text layer (scanned?); its rows are missing — {OCR_HINT}",
                page=number,
            )
        )
    records = state.records
    columns = {name: [r.get(name) for r in records] for name in [*READER_SCHEMA, *_EXTRA_SCHEMA]}
    columns["source_row"] = list(range(1, len(records) + 1))
    return ReaderResult(
        rows=pl.DataFrame(columns, schema={**READER_SCHEMA, **_EXTRA_SCHEMA}),
        warnings=state.warnings,
        tables=state.tables,
        pages=page_count,
    )
