"""The cells of a spreadsheet (XLSX or CSV) as the reader needs them: value, colours, font.

XLSX is read with openpyxl from the cells the file actually holds (a sheet formatted down to row
1,048,576 costs nothing); merged cells give their value to every cell they cover, and the
top-left cell remembers how many columns it spans. Colours are resolved on demand (theme,
tint, indexed palette: :mod:`pipelines.read.cell_colours`).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from openpyxl.utils import get_column_letter as _openpyxl_letter

from pipelines.core.errors import ReportFormatError
from pipelines.read.cell_colours import RGB, Palette
from pipelines.read.conditional_format import ConditionalFormats

MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # an XLSX that inflates beyond this is refused


def get_column_letter(column: int) -> str:
    """Excel's letters for a column (A, AB, …); a CSV line can hold more columns than Excel
    names (18,278), and those are called by number."""
    return _openpyxl_letter(column) if 1 <= column <= 18278 else f"column {column}"


@dataclass
class Colour:
    rgb: RGB | None = None
    kind: str | None = None  # "RGB", "theme colour", "indexed colour"
    problem: str | None = None  # why a colour that is set could not be resolved


_NO_COLOUR = Colour()
_KINDS = {"rgb": "RGB", "theme": "theme colour", "indexed": "indexed colour"}


@dataclass
class Cell:
    row: int
    column: int
    value: object = None
    source: object = None  # the openpyxl cell, for styles (None for CSV and merged cells)
    palette: Palette | None = None
    span: int = 1  # columns covered when this is the left cell of a merge

    @property
    def coord(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}"

    @cached_property
    def text(self) -> str | None:
        if self.value is None:
            return None
        value = self.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = unicodedata.normalize("NFC", str(value)).strip()
        return text or None

    @cached_property
    def fill(self) -> Colour:
        fill = getattr(self.source, "fill", None)
        if fill is None or self.palette is None:
            return _NO_COLOUR
        if getattr(fill, "type", None) == "gradient" or hasattr(fill, "stop"):
            stops = getattr(fill, "stop", None) or []
            return self._colour(stops[0].color) if stops else _NO_COLOUR
        if fill.fill_type in (None, "none"):
            return _NO_COLOUR
        return self._colour(fill.fgColor)

    @cached_property
    def font(self) -> Colour:
        font = getattr(self.source, "font", None)
        if font is None or self.palette is None:
            return _NO_COLOUR
        return self._colour(font.color)

    @property
    def font_name(self) -> str | None:
        font = getattr(self.source, "font", None)
        return getattr(font, "name", None) if font is not None else None

    @property
    def bold(self) -> bool:
        font = getattr(self.source, "font", None)
        return bool(getattr(font, "b", False)) if font is not None else False

    def _colour(self, colour) -> Colour:
        if colour is None:
            return _NO_COLOUR
        rgb, problem = self.palette.resolve(colour)
        if rgb is None and problem is None:
            return _NO_COLOUR
        return Colour(rgb, _KINDS.get(getattr(colour, "type", None)), problem)


@dataclass
class Row:
    number: int  # 1-based row number in the sheet (CSV: line number)
    cells: dict[int, Cell] = field(default_factory=dict)  # 1-based column → cell

    def text(self, column: int) -> str | None:
        cell = self.cells.get(column)
        return cell.text if cell is not None else None

    def texts(self) -> dict[int, str]:
        return {c: cell.text for c, cell in self.cells.items() if cell.text}


@dataclass
class Sheet:
    name: str | None  # None for CSV
    rows: list[Row]  # rows holding at least one value, in order
    formats: ConditionalFormats | None = None
    hidden: bool = False
    by_coord: dict[tuple[int, int], Cell] = field(default_factory=dict)
    hidden_columns: set[int] = field(default_factory=set)

    def value(self, row: int, column: int) -> object:
        cell = self.by_coord.get((row, column))
        return cell.value if cell is not None else None

    def cell(self, row: int, column: int) -> Cell:
        return self.by_coord.get((row, column)) or Cell(row, column)

    @property
    def label(self) -> str:
        return f"sheet {self.name!r}" if self.name is not None else "the CSV file"


# --- CSV -------------------------------------------------------------------------------


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        raise ReportFormatError(f"{name}: binary data, not a CSV text file")
    # Swedish Excel saves "CSV" as Windows-1252; å ä ö survive that decoding.
    return data.decode("cp1252", errors="strict")


def csv_sheet(path: Path) -> Sheet:
    try:
        text = _decode(path.read_bytes(), path.name)
    except UnicodeDecodeError as exc:
        raise ReportFormatError(
            f"{path.name}: text is neither UTF-8, UTF-16 nor Windows-1252"
        ) from exc
    if not text.strip():
        raise ReportFormatError(f"{path.name}: the file is empty")
    first_line, _, rest = text.partition("\n")
    hint = re.match(r'^"?sep=(.)"?\s*$', first_line)  # Excel's "sep=;" first line
    if hint:
        delimiter, text, start = hint.group(1), rest, 2
    else:
        sample = text[:4096]
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
        except csv.Error:
            delimiter = max(";,\t", key=sample.count)
        start = 1
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[Row] = []
    by_coord: dict[tuple[int, int], Cell] = {}
    try:
        for number, values in enumerate(reader, start=start):
            row = Row(number)
            for column, value in enumerate(values, start=1):
                if value.strip():
                    cell = Cell(number, column, value)
                    row.cells[column] = cell
                    by_coord[(number, column)] = cell
            if row.cells:
                rows.append(row)
    except csv.Error as exc:  # a cell over the csv module's 128 KiB limit: an unclosed quote?
        raise ReportFormatError(
            f"{path.name}: line {reader.line_num} cannot be read as CSV ({exc}); "
            "is a quote left open? check the file in a text editor"
        ) from exc
    return Sheet(None, rows, by_coord=by_coord)


# --- XLSX ------------------------------------------------------------------------------


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ReportFormatError(f"{path.name}: not a valid XLSX file (broken zip)") from exc
    if total > MAX_UNZIPPED_BYTES:
        raise ReportFormatError(
            f"{path.name}: XLSX would inflate to {total // 2**20} MiB; refusing (zip bomb?)"
        )


def xlsx_sheets(path: Path) -> list[Sheet]:
    _check_zip(path)
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise ReportFormatError(f"{path.name}: cannot open as XLSX ({type(exc).__name__})") from exc
    if not workbook.worksheets:
        raise ReportFormatError(f"{path.name}: the workbook has no sheets")
    palette = Palette.of(workbook)
    return [_worksheet(ws, palette) for ws in workbook.worksheets]


def _worksheet(ws, palette: Palette) -> Sheet:
    by_coord: dict[tuple[int, int], Cell] = {}
    # The cells the file holds (ws._cells), not the whole used rectangle: a styled column
    # reaching row 1,048,576 would otherwise cost a million empty rows.
    for (row, column), source in getattr(ws, "_cells", {}).items():
        by_coord[(row, column)] = Cell(row, column, source.value, source, palette)
    for merged in ws.merged_cells.ranges:
        top = by_coord.get((merged.min_row, merged.min_col))
        if top is None or top.value is None:
            continue
        # A vertical merge (a goal area over its activities) holds for every row it covers;
        # a horizontal one (a full-width heading) stays one cell that spans the columns.
        width = merged.max_col - merged.min_col + 1
        top.span = width
        for row in range(merged.min_row + 1, merged.max_row + 1):
            cell = Cell(row, merged.min_col, top.value, top.source, palette)
            cell.span = width
            by_coord[(row, merged.min_col)] = cell
    rows: dict[int, Row] = {}
    for (row, column), cell in sorted(by_coord.items()):
        if cell.text is not None:
            rows.setdefault(row, Row(row)).cells[column] = cell
    # Styled cells without a value still matter in rows that hold values (a blank status
    # cell whose fill is the traffic light).
    for (row, column), cell in by_coord.items():
        if row in rows and column not in rows[row].cells:
            rows[row].cells[column] = cell
    ordered = [rows[number] for number in sorted(rows)]
    for row in ordered:
        row.cells = dict(sorted(row.cells.items()))
    hidden_columns = set()
    for dimension in ws.column_dimensions.values():
        if dimension.hidden and dimension.min:
            hidden_columns.update(range(dimension.min, (dimension.max or dimension.min) + 1))
    return Sheet(
        ws.title,
        ordered,
        ConditionalFormats(ws, palette, by_coord),
        hidden=ws.sheet_state != "visible",
        by_coord=by_coord,
        hidden_columns=hidden_columns,
    )
