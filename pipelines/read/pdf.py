"""PDF reports: one ruled table per page, the traffic light as the status cell's fill colour.

A page looks like this (landscape): a heading ``AKTIVITETER MÅLOMRÅDE - <goal area>`` (or
``VISIONSMÅLET``; ``forts. …`` on a continued page; none at all when a table simply goes on),
a legend line ``Gult = … Grönt = … Rött = …`` with coloured swatches, and a ruled table
``Aktivitet | Verksamhet | Status | Kommentar`` whose status cells are coloured, usually with no
text. The reader finds the table from its ruling lines (pdfplumber), maps the columns by the
header row (carried over to a continued page that does not repeat it), reads the status from
the fill drawn under the status cell (or from a status word written in it), and takes the goal
area from the nearest heading above the table. Only cells of that table become rows, so the
legend's swatches, the page date and the footer never do. A row broken over a page boundary
(the next page starts with a row that has a comment but no activity) is joined back together.

Besides the reader columns, rows carry ``page`` (where the row starts) and ``status_raw`` (the
fill as ``#RRGGBB``, or the word written in the cell). A fill that is no traffic light (blue,
say) is kept as the status so that validation quarantines the row with the colour as reason.
Not read: tables without ruling lines (the page gets a warning) and scans without a text layer
(``ReportFormatError`` that says to OCR them and use the text reader).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.core.colours import is_neutral, nearest_status, to_hex, to_rgb
from pipelines.core.errors import ReportFormatError
from pipelines.core.status import normalise_status
from pipelines.read import READER_SCHEMA, ReaderResult, ReaderWarning
from pipelines.read.linejoin import join_lines, join_pair
from pipelines.read.spreadsheet import HEADER_ALIASES

HEADING = re.compile(
    r"^(?P<forts>forts(?:\.|ättning)?\s*)?aktiviteter\s+"
    r"(?P<kind>målområdet?|visionsmålet?|mål)\b\s*[-–—:]*\s*(?P<name>.*)$",
    re.IGNORECASE,
)
LEGEND = re.compile(r"\b(gult|grönt|rött|gul|grön|röd)\s*=", re.IGNORECASE)
DATE = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*$")
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
MIN_FILL_SHARE = 0.5  # a fill covering at least this share of the status cell is its colour
MIN_FILL_SIDE = 2.0  # thinner filled rectangles are ruling lines, not cell shading
MIN_MARK_SIDE = 4.0  # a coloured square or dot inside the status cell at least this big
COLUMN_TOLERANCE = 6.0  # points; a headerless table continues the previous one if columns align
OCR_HINT = (
    "run OCR first (e.g. `ocrmypdf -l swe in.pdf out.pdf`, or `tesseract page.png out -l swe`) "
    "and ingest the text with --format ocr-text"
)

TEXT_HINT = (
    "extract its text (e.g. `pdftotext -layout in.pdf out.txt`) and ingest that with "
    "--format ocr-text"
)

_ALIASES = {alias: column for column, aliases in HEADER_ALIASES.items() for alias in aliases}
_EXTRA_SCHEMA = {"status_raw": pl.String(), "page": pl.Int64()}


def sniff(path: Path, head: bytes, fmt: str) -> bool:
    # The PDF spec lets a few bytes of junk precede the header; readers accept it in 1 KiB.
    return b"%PDF-" in head[:1024]


def _text(cell: str | None) -> str:
    return join_lines((cell or "").split("\n"))


def _header_mapping(cells: list[str]) -> dict[str, int]:
    """Column positions when ``cells`` is the header row, else ``{}``.

    A header whose status column has no title (the coloured cells explain themselves) still
    maps: its one blank header cell is the status column.
    """
    mapping: dict[str, int] = {}
    for index, cell in enumerate(cells):
        column = _ALIASES.get(cell.casefold().strip(" :*"))
        if column and column not in mapping:
            mapping[column] = index
    if "activity" not in mapping or len(mapping) < 3:
        return {}
    blanks = [index for index, cell in enumerate(cells) if not cell]
    if "status" not in mapping and len(blanks) == 1:
        mapping["status"] = blanks[0]
    return mapping


@dataclass
class _Layout:
    """The column mapping of the last header row seen (a continued table reuses it)."""

    mapping: dict[str, int]
    x_edges: list[float]


@dataclass
class _State:
    goal_area: str | None = None
    layout: _Layout | None = None
    records: list[dict] = field(default_factory=list)
    warnings: list[ReaderWarning] = field(default_factory=list)
    headers_seen: int = 0
    text_pages: int = 0
    image_pages: int = 0  # pages with text over images (OCR'd scans) and no ruled table


Fill = tuple[float, float, float, float, object]  # x0, top, x1, bottom, PDF colour


def _fills(page) -> list[Fill]:
    """Filled shapes (rectangles, and curves such as dots) in drawing order: later on top."""
    return [
        (r["x0"], r["top"], r["x1"], r["bottom"], r.get("non_stroking_color"))
        for r in (*page.rects, *page.curves)
        if r.get("fill") and r["width"] >= MIN_FILL_SIDE and r["height"] >= MIN_FILL_SIDE
    ]


def _cell_colour(bbox, fills: list[Fill]) -> tuple[int, int, int] | None:
    """The visible colour of a cell, or None when it has none (or a white/grey one).

    A fill that covers most of the cell is its shading; failing that, a coloured mark drawn
    inside the cell (a square or a dot, as some templates use) gives the status.
    """
    if bbox is None:
        return None
    x0, top, x1, bottom = bbox
    area = max((x1 - x0) * (bottom - top), 1e-6)
    mark = None
    for fx0, ftop, fx1, fbottom, colour in reversed(fills):
        overlap_w = min(x1, fx1) - max(x0, fx0)
        overlap_h = min(bottom, fbottom) - max(top, ftop)
        if overlap_w <= 0 or overlap_h <= 0:
            continue
        if overlap_w * overlap_h >= MIN_FILL_SHARE * area:
            if mark is not None:  # a mark painted over the cell's shading
                return mark
            rgb = to_rgb(colour)
            return None if rgb is None or is_neutral(rgb) else rgb
        inside = x0 <= (fx0 + fx1) / 2 <= x1 and top <= (ftop + fbottom) / 2 <= bottom
        if mark is None and inside and min(fx1 - fx0, fbottom - ftop) >= MIN_MARK_SIDE:
            rgb = to_rgb(colour)
            if rgb is not None and not is_neutral(rgb):
                mark = rgb
    return mark


def _status(word: str, rgb, state: _State, page: int) -> tuple[str, str | None]:
    """(status, status_raw) from the status cell's text and fill colour."""
    colour_status = nearest_status(rgb) if rgb else None
    hex_colour = to_hex(rgb) if rgb else None
    if word:
        from_word = normalise_status(word)
        if from_word is not None:
            if colour_status and colour_status != from_word:
                state.warnings.append(
                    ReaderWarning(
                        f"page {page}: status cell says {word!r} but is coloured {hex_colour} "
                        f"({colour_status}); kept the word",
                        page=page,
                        source_row=len(state.records) + 1,
                    )
                )
            return from_word, word
        if colour_status:
            return colour_status, hex_colour
        # An unrecognised word stays as written so that validation quarantines it.
        return word, word
    if rgb is None:
        return "unknown", None
    if colour_status is None:
        state.warnings.append(
            ReaderWarning(
                f"page {page}: status colour {hex_colour} is not near green, yellow or red",
                page=page,
                source_row=len(state.records) + 1,
            )
        )
        return hex_colour, hex_colour  # quarantined by validation, with the colour as reason
    return colour_status, hex_colour


def _heading(lines: list[str]) -> str | None:
    """The goal area named by the last page heading among the text lines above a table.

    ``forts.`` (continued) headings name it too; a heading wrapped over several lines runs
    until the legend line, a date line or the table.
    """
    found = None
    for index, line in enumerate(lines):
        match = HEADING.match(line)
        if not match:
            continue
        parts = [match["name"]]
        for following in lines[index + 1 :]:
            if LEGEND.search(following) or DATE.fullmatch(following) or HEADING.match(following):
                break
            parts.append(following)
        found = DATE.sub("", join_lines(parts)).strip(" -–—:") or None
    return found


def _lines_above(page, top: float, bottom: float) -> list[str]:
    if bottom - top < 1:
        return []
    # filter, not crop: on a /Rotate'd page the text can lie outside pdfplumber's page box.
    region = page.filter(lambda obj: obj.get("top", -1) >= top and obj.get("bottom", 1e9) <= bottom)
    return [
        unicodedata.normalize("NFC", line["text"]).strip()
        for line in region.extract_text_lines(return_chars=False)
    ]


def _columns_align(table, layout: _Layout) -> bool:
    """Does a table without a header row have the columns of the last header seen?"""
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
        previous["status"], previous["status_raw"] = piece["status"], piece["status_raw"]


def _read_table(page, table, cells: list[list[str | None]], fills, state: _State, above) -> bool:
    """Read one table's activity rows; False when it is not an activity table (e.g. a legend)."""
    page_no = page.page_number
    texts = [[_text(cell) for cell in row] for row in cells]
    header_at = None
    for index, row in enumerate(texts):
        mapping = _header_mapping(row)
        if mapping:
            header_at = index
            state.layout = _Layout(mapping, [c[0] if c else 0.0 for c in table.rows[index].cells])
            state.headers_seen += 1
            break
    if header_at is None:
        if state.layout is None or not _columns_align(table, state.layout):
            row_texts = (" ".join(t for t in row if t) for row in texts)
            if any(text and not LEGEND.search(text) for text in row_texts):
                state.warnings.append(
                    ReaderWarning(
                        f"page {page_no}: a table without the header Aktivitet | Verksamhet | "
                        "Status | Kommentar that does not continue the previous one; skipped",
                        page=page_no,
                    )
                )
            return False
        first_data = 0
    else:
        first_data = header_at + 1
    # A heading above the table, or in a merged row above its header, names the goal area.
    merged_above = [" ".join(t for t in row if t) for row in texts[: header_at or 0]]
    goal_area = _heading(above + merged_above)
    if goal_area:
        state.goal_area = goal_area
    elif state.goal_area is None and not state.records:
        state.warnings.append(
            ReaderWarning(f"page {page_no}: no goal area heading above the table", page=page_no)
        )
    mapping = state.layout.mapping
    for offset, row in enumerate(texts[first_data:]):
        row_index = first_data + offset
        values = {col: row[i] if i < len(row) else "" for col, i in mapping.items()}
        joined = " ".join(v for v in values.values() if v)
        legend_words = len(LEGEND.findall(joined))
        is_legend = legend_words >= 2 or (legend_words == 1 and not values.get("activity"))
        if is_legend or _header_mapping(row):
            continue  # a repeated header row or a legend inside the table
        if sum(1 for v in values.values() if v) == 1 and HEADING.match(joined):
            state.goal_area = _heading([joined]) or state.goal_area  # a heading row
            continue
        bbox_cells = table.rows[row_index].cells
        status_index = mapping.get("status")
        has_status = status_index is not None and status_index < len(bbox_cells)
        bbox = bbox_cells[status_index] if has_status else None
        rgb = _cell_colour(bbox, fills)
        if not joined and rgb is None:
            continue  # an empty row is layout
        status, status_raw = _status(values.get("status", ""), rgb, state, page_no)
        record = {
            "goal_area": values.get("goal_area") or state.goal_area,
            "activity": values.get("activity") or None,
            "unit": values.get("unit") or None,
            "status": status,
            "status_source": "reported",
            "comment": values.get("comment") or None,
            "status_raw": status_raw,
            "page": page_no,
        }
        continues_previous = (
            offset == 0
            and state.records
            and state.records[-1]["page"] < page_no
            and not record["activity"]
            and (record["comment"] or record["unit"])
        )
        if continues_previous:
            _merge_continuation(state.records[-1], record)
            continue
        if not record["activity"]:
            state.warnings.append(
                ReaderWarning(
                    f"page {page_no}: a row with no activity text",
                    page=page_no,
                    source_row=len(state.records) + 1,
                )
            )
        state.records.append(record)
    return True


def _read_page(page, state: _State, scanned_pages: list[int]) -> None:
    if not page.chars:
        if page.images:
            scanned_pages.append(page.page_number)
        return
    state.text_pages += 1
    tables = sorted(page.find_tables(TABLE_SETTINGS), key=lambda t: t.bbox[1])
    if not tables:
        state.image_pages += bool(page.images)
        state.warnings.append(
            ReaderWarning(
                f"page {page.page_number}: no ruled table; skipped", page=page.page_number
            )
        )
        return
    fills = _fills(page)
    region_top = 0.0
    for table in tables:
        above = _lines_above(page, region_top, table.bbox[1])
        if _read_table(page, table, table.extract(), fills, state, above):
            region_top = table.bbox[3]  # headings for a next table are below this one


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
    if not state.headers_seen:
        if state.text_pages == 0 or scanned_pages:
            raise ReportFormatError(f"{path.name}: the PDF has no text layer (a scan?); {OCR_HINT}")
        if state.image_pages:
            raise ReportFormatError(
                f"{path.name}: text but no ruled table Aktivitet | Verksamhet | Status | "
                f"Kommentar, over page images (a scan with an OCR layer?); {TEXT_HINT}"
            )
        raise ReportFormatError(
            f"{path.name}: no table with the header Aktivitet | Verksamhet | Status | Kommentar; "
            "is this a follow-up report?"
        )
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
    )
