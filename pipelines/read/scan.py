"""Scanned reports (``--format scan``): PDFs without a text layer, and PNG, JPEG, TIFF images.

Each page is rasterised, straightened, its ruled tables found and every cell read with
Tesseract's Swedish model; the status is the colour of the status cell's pixels (a fill or a
dot; see :mod:`pipelines.read.cell_colour`), or a status word written in it. Pages are read in
parallel, one process per core (:mod:`pipelines.read.scan_page`); the rows are then put
together here, in page order, as the other readers do:

- **Columns** by header words (:mod:`pipelines.read.columns`, blank header cells allowed) or by
  content (coloured cells → status, short repeated text → unit, longest text → comment); a
  table without a header row continues the columns of the previous one when its cells line up.
- **Goal area** from a heading above the table (any wording :func:`parse_heading` knows, also
  ``forts.``), or from a full-width row inside the table; else the previous page's.
- A row that opens a page with no activity and no unit is the rest of the row before it (a row
  broken over a page break) and is joined back.
- The Swedish repair of the OCR reader (:mod:`pipelines.swedish`), ``*_raw`` columns with the
  text as read, and provenance: ``page``, ``row_box`` and ``status_box`` (pixels at the page's
  ``scan_dpi``: x0,top,x1,bottom) and ``ocr_confidence`` (the lowest cell's, 0–100). A cell read
  with a confidence below :data:`LOW_CONFIDENCE` is a warning naming the page and the cell.
"""

from __future__ import annotations

import logging
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from pipelines.core.errors import ReportFormatError
from pipelines.read import (
    OCR_PROVENANCE_SCHEMA,
    READER_SCHEMA,
    FoundTable,
    ReaderResult,
    ReaderWarning,
)
from pipelines.read.columns import ColumnChoice, assign_columns, header_field
from pipelines.read.linejoin import join_lines
from pipelines.read.ocr_markers import header_fields, is_legend, parse_heading, sentence_case
from pipelines.read.raster import DEFAULT_DPI, IMAGE_SUFFIXES, is_image, page_count
from pipelines.read.status_words import status_for_phrase
from pipelines.swedish.repair import repair_text
from pipelines.swedish.units import UnitLexicon

log = logging.getLogger(__name__)

LOW_CONFIDENCE = 60.0  # Tesseract's mean word confidence below which a cell is checked
ALIGN_TOLERANCE = 0.025  # share of the page width column edges may differ by to continue
_TEXT_FIELDS = ("activity", "unit", "comment")
_SCHEMA = {
    **READER_SCHEMA,
    **OCR_PROVENANCE_SCHEMA,
    "row_box": pl.String(),
    "status_box": pl.String(),
    "ocr_confidence": pl.Float64(),
    "scan_dpi": pl.Int64(),
}


def sniff(path: Path, head: bytes, fmt: str) -> bool:
    """Images are scans; a PDF is one when no page has text (checked after the PDF reader)."""
    if is_image(head):
        return True
    if b"%PDF-" not in head[:1024]:
        return False
    return not has_text_layer(path)


def has_text_layer(path: Path, pages: int = 3) -> bool:
    """Does any of the first pages carry text (a born-digital PDF, or an OCR layer)?"""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        return True  # unreadable: let the PDF reader give its message
    try:
        for index in range(min(pages, len(pdf))):
            page = pdf[index]
            text = page.get_textpage()
            chars = text.count_chars()
            text.close()
            page.close()
            if chars > 0:
                return True
        return False
    except pdfium.PdfiumError:
        return True  # a damaged page: the PDF reader says what is wrong
    finally:
        pdf.close()


# --------------------------------------------------------------------------- reading pages


def _workers(pages: int) -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(pages, cores or 1))


def read_pages(path: Path, dpi: int = DEFAULT_DPI) -> list:
    """Every page of the scan, read in parallel; a progress bar on a terminal."""
    from pipelines.read.ocr import tessdata_dir
    from pipelines.read.scan_page import read_page

    tessdata_dir()  # no Swedish model: one clear error before any work
    try:
        count = page_count(path)
    except ReportFormatError:
        raise
    except Exception as exc:  # a damaged file
        raise ReportFormatError(
            f"{path.name}: not a readable scan ({type(exc).__name__}); the file may be "
            "truncated or damaged — scan or export it again"
        ) from exc
    if count == 0:
        raise ReportFormatError(f"{path.name}: the file has no pages")
    workers = _workers(count)
    progress = _progress(count)
    results = []
    try:
        if workers == 1:
            for index in range(count):
                results.append(read_page(str(path), index, dpi))
                progress(results[-1])
        else:
            import multiprocessing

            context = multiprocessing.get_context("forkserver")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                for page in pool.map(read_page, [str(path)] * count, range(count), [dpi] * count):
                    results.append(page)
                    progress(page)
    except (ReportFormatError, KeyboardInterrupt):
        raise
    except Exception as exc:  # a damaged page: pdfium, Pillow and OpenCV raise many types
        page = len(results) + 1
        raise ReportFormatError(
            f"{path.name}: page {page} cannot be read as an image ({type(exc).__name__}); "
            "the file may be truncated or damaged — scan or export it again"
        ) from exc
    finally:
        progress(None)
    return results


def _progress(total: int):
    """A callback per page read: a rich progress bar on a terminal, and the log line."""
    bar = None
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        bar = Progress(console=Console(stderr=True), transient=True)
        bar.start()
        task = bar.add_task("OCR pages", total=total)

    def step(page) -> None:
        if page is None:
            if bar is not None:
                bar.stop()
            return
        log.info(
            "scan page %d: %.2f s (CPU %.2f s), %d table(s), skew %.2f°",
            page.number,
            page.seconds,
            page.cpu_seconds,
            len(page.tables),
            page.skew,
        )
        if bar is not None:
            bar.advance(task)

    return step


# --------------------------------------------------------------------------- tables to rows


def _cell_field(text: str) -> str | None:
    """The field a header cell names (OCR damage allowed), or None."""
    direct = header_field(text)
    if direct:
        return direct
    fields = header_fields(text.replace("\n", " "))
    return fields[0] if fields and len(fields) == 1 else None


def _is_header(texts: list[str]) -> bool:
    named = [f for f in map(_cell_field, texts) if f]
    return len(named) >= 2 and len(set(named)) == len(named)


def _box(box) -> str:
    return ",".join(str(int(v)) for v in box)


def _centre(cell) -> float:
    return (cell.box[0] + cell.box[2]) / 2


@dataclass
class _Layout:
    edges: list[int]  # x of the column boundaries (left of each column, then the right end)
    fields: dict[int, str]  # column index -> field
    choices: list[ColumnChoice]

    def column_of(self, cell) -> int | None:
        x = _centre(cell)
        for index, (left, right) in enumerate(zip(self.edges, self.edges[1:], strict=False)):
            if left <= x < right:
                return index
        return None

    def aligns(self, edges: list[int], width: int) -> bool:
        return len(edges) == len(self.edges) and all(
            abs(a - b) <= ALIGN_TOLERANCE * width for a, b in zip(edges, self.edges, strict=True)
        )


def _edges(row) -> list[int]:
    return [cell.box[0] for cell in row.cells] + [row.cells[-1].box[2]]


def _is_status_word(text: str) -> bool:
    return status_for_phrase(text) is not None


@dataclass
class _State:
    goal_area: str | None = None
    goal_area_raw: str | None = None
    layout: _Layout | None = None
    records: list[dict] = field(default_factory=list)
    warnings: list[ReaderWarning] = field(default_factory=list)
    tables: list[FoundTable] = field(default_factory=list)


def _heading_in(lines: list[str]) -> tuple[str, str] | None:
    """(goal area, as written) from the last heading among text lines above a table."""
    found = None
    for index, line in enumerate(lines):
        if is_legend(line):
            continue
        heading = parse_heading(line)
        if heading is None or heading.capitals_only and len(lines) > 1 and index == 0:
            continue
        area = heading.area
        if not area and index + 1 < len(lines) and not is_legend(lines[index + 1]):
            area = lines[index + 1]
        if area:
            found = (sentence_case(area.strip(" -–—:")), line)
    return found


def _read_table(page, table, state: _State) -> None:
    number = page.number
    heading = _heading_in(table.above)
    if heading:
        state.goal_area, state.goal_area_raw = heading
    full = [row for row in table.rows if not row.merged]
    width = max((len(r.cells) for r in full), default=0)
    header_at = next(
        (i for i, row in enumerate(table.rows) if _is_header([c.text for c in row.cells])), None
    )
    notes: list[str] = []
    layout = None
    if header_at is None and all(is_legend(_joined(row)) for row in table.rows):
        return  # the colour legend in a box of its own
    if header_at is not None:
        header_row = table.rows[header_at]
        body = [r for r in table.rows[header_at + 1 :] if len(r.cells) == len(header_row.cells)]
        choices = assign_columns(
            [c.text for c in header_row.cells],
            [[c.text for c in r.cells] for r in body],
            [[c.colour.status is not None for c in r.cells] for r in body],
            _is_status_word,
        )
        layout = _Layout(_edges(header_row), {c.index: c.field for c in choices}, choices)
    elif state.layout and any(state.layout.aligns(_edges(r), page.width) for r in full):
        layout = state.layout
        notes.append("no header row: the columns of the previous table, which line up")
    elif full:
        body = [r for r in full if len(r.cells) == width]
        choices = assign_columns(
            None,
            [[c.text for c in r.cells] for r in body],
            [[c.colour.status is not None for c in r.cells] for r in body],
            _is_status_word,
        )
        layout = _Layout(_edges(body[0]), {c.index: c.field for c in choices}, choices)
        notes.append("no header row: columns decided by their content")
    if layout is None or "activity" not in layout.fields.values():
        if any(not is_legend(c.text) and c.text for r in table.rows for c in r.cells):
            state.warnings.append(
                ReaderWarning(f"page {number}: a table with no activity column; skipped", number)
            )
        return
    state.layout = layout
    areas: dict[str, int] = {}
    rows_before = len(state.records)
    encodings: set[str] = set()
    for index, row in enumerate(table.rows):
        texts = [c.text for c in row.cells]
        filled = [t for t in texts if t]
        if len(filled) <= 2 and is_legend(" ".join(filled)):
            continue  # the colour legend, as a row of the table or a box above it
        if header_at is not None and index <= header_at:
            if len(filled) == 1 and index < header_at:
                _row_heading(row, state)
            continue
        if row.merged:
            _row_heading(row, state)
            continue
        if _is_header(texts):
            continue  # a repeated header row
        values: dict[str, object] = {}
        for cell in row.cells:
            column = layout.column_of(cell)
            name = layout.fields.get(column) if column is not None else None
            if name and name not in values:
                values[name] = cell
        if not any(c.text for c in row.cells) and not any(c.colour.status for c in row.cells):
            continue  # an empty row is layout
        record = _record(values, row, page, state)
        if record["status_raw"] and record["status_raw"].startswith("#"):
            encodings.add(values["status"].colour.encoding)
        elif record["status_raw"]:
            encodings.add("word")
        first_on_page = not state.records or state.records[-1]["page"] < number
        continues = (
            first_on_page
            and state.records
            and not record["activity_raw"]
            and not record["unit_raw"]
            and record["comment_raw"]
        )
        if continues:
            previous = state.records[-1]
            previous["comment_raw"] = join_lines(
                [previous["comment_raw"] or "", record["comment_raw"]]
            )
            previous["ocr_confidence"] = min(previous["ocr_confidence"], record["ocr_confidence"])
            notes.append("the first row continues the previous page's last row; joined")
            continue
        state.records.append(record)
        key = record["goal_area"] or "(no goal area)"
        areas[key] = areas.get(key, 0) + 1
    if len(state.records) == rows_before and header_at is None:
        return  # a legend box or an empty table: nothing to show
    confidence = min([c.confidence for c in layout.choices] + [1.0])
    read = [c.confidence for r in table.rows for c in r.cells if c.text]
    if read:
        notes.append(
            f"OCR confidence: mean {sum(read) / len(read):.0f}, lowest {min(read):.0f} "
            f"({len(read)} cells with text)"
        )
    state.tables.append(
        FoundTable(
            where=f"page {number}",
            columns=layout.choices,
            status_encoding="/".join(sorted(encodings)) or "none",
            rows=len(state.records) - rows_before,
            goal_areas=areas,
            confidence=confidence,
            notes=[
                f"grid: {len(table.rows)} rows × {width} columns at {_box(table.box)} "
                f"(skew {page.skew:.2f}°, {page.dpi:.0f} dpi)",
                *notes,
            ],
            page=number,
        )
    )


def _joined(row) -> str:
    return " ".join(" ".join(c.text.split()) for c in row.cells if c.text)


def _row_heading(row, state: _State) -> None:
    """A full-width row: a goal area written inside the table (a legend row is skipped)."""
    text = " ".join(row.cells[0].text.split())
    if not text or is_legend(text):
        return
    heading = parse_heading(text)
    area = heading.area if heading and heading.area else text
    state.goal_area, state.goal_area_raw = sentence_case(area.strip(" -–—:")), text


def _record(values: dict, row, page, state: _State) -> dict:
    texts = {name: values[name].text if name in values else None for name in _TEXT_FIELDS}
    status_cell = values.get("status")
    status, status_raw, completed, source = "unknown", None, None, "absent"
    if status_cell is not None:
        colour = status_cell.colour
        said = status_for_phrase(status_cell.text) if status_cell.text else None
        if said is None and _specks(status_cell):
            status_cell = replace(status_cell, text="")  # a dot's rim or dust read as letters
        if colour.status:
            status, status_raw, source = colour.status, colour.hex, "reported"
            if said and said.status not in (colour.status, "unknown"):
                state.warnings.append(
                    ReaderWarning(
                        f"page {page.number}: status cell says {status_cell.text!r} but is "
                        f"coloured {colour.hex} ({colour.status}); kept the colour",
                        page.number,
                        len(state.records) + 1,
                    )
                )
            completed = said.completed if said else None
        elif said:
            status, status_raw, completed = said.status, status_cell.text, said.completed
            source = "reported" if said.status != "unknown" or said.completed else "absent"
        elif status_cell.text:
            status = status_raw = status_cell.text  # quarantined with the word as reason
            source = "reported"
        elif colour.hex:
            status = status_raw = colour.hex  # a colour that is no traffic light: quarantined
            source = "reported"
            state.warnings.append(
                ReaderWarning(
                    f"page {page.number}: status colour {colour.hex} is not near green, "
                    "yellow or red",
                    page.number,
                    len(state.records) + 1,
                )
            )
    confidences = [c.confidence for n, c in values.items() if c.text and n in _TEXT_FIELDS]
    for name, cell in values.items():
        if name == "status" and (status_cell is None or not status_cell.text):
            continue
        if cell.text and cell.confidence < LOW_CONFIDENCE:
            state.warnings.append(
                ReaderWarning(
                    f"page {page.number}, {name} cell at {_box(cell.box)}: OCR confidence "
                    f"{cell.confidence:.0f} (below {LOW_CONFIDENCE:.0f}); read as {cell.text!r}",
                    page.number,
                    len(state.records) + 1,
                )
            )
    return {
        "goal_area": state.goal_area,
        "goal_area_raw": state.goal_area_raw,
        "activity_raw": _flat(texts["activity"]),
        "unit_raw": _flat(texts["unit"]),
        "comment_raw": _flat(texts["comment"]),
        "status": status,
        "status_source": source,
        "status_raw": status_raw,
        "completed_reported": completed,
        "page": page.number,
        "row_box": _box(row.box),
        "status_box": _box(status_cell.box) if status_cell is not None else None,
        "ocr_confidence": min(confidences) if confidences else 100.0,
        "scan_dpi": int(round(page.dpi)),
    }


def _specks(cell) -> bool:
    """Text in a status cell that is no word: a few letters read at low confidence."""
    letters = sum(ch.isalpha() for ch in cell.text)
    return cell.confidence < LOW_CONFIDENCE or letters <= 2


def _flat(text: str | None) -> str | None:
    """A cell's lines as one text, line-end hyphens handled."""
    if not text:
        return None
    return join_lines([line.strip() for line in text.splitlines() if line.strip()]) or None


def read(path: Path, fmt: str = "scan", dpi: int = DEFAULT_DPI) -> ReaderResult:
    path = Path(path)
    if path.suffix.lower() not in IMAGE_SUFFIXES | {".pdf"}:
        log.debug("%s: read as a scan despite its extension", path.name)
    pages = read_pages(path, dpi)
    state = _State()
    for page in pages:
        if not page.tables:
            state.warnings.append(
                ReaderWarning(f"page {page.number}: no ruled table found; skipped", page.number)
            )
            heading = _heading_in(page.text_outside)
            if heading:
                state.goal_area, state.goal_area_raw = heading
            continue
        for table in page.tables:
            _read_table(page, table, state)
    if not state.records:
        raise ReportFormatError(
            f"{path.name}: no ruled table with activities found in the scan ({len(pages)} "
            "page(s)); is this a follow-up report?"
        )
    lexicon = UnitLexicon(r["unit_raw"] for r in state.records if r["unit_raw"])
    for index, record in enumerate(state.records, start=1):
        record["source_row"] = index
        record["activity"] = repair_text(record["activity_raw"])
        record["comment"] = repair_text(record["comment_raw"])
        record["unit"] = lexicon.canonical(record["unit_raw"])
    frame = pl.DataFrame(
        [{name: r.get(name) for name in _SCHEMA} for r in state.records],
        schema=_SCHEMA,
        orient="row",
    )
    seconds = sum(p.seconds for p in pages)
    log.info("%s: %d page(s) read, %.2f s per page", path.name, len(pages), seconds / len(pages))
    return ReaderResult(frame, state.warnings, tables=state.tables, pages=len(pages))
