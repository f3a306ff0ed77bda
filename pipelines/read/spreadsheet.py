"""Spreadsheet exports (CSV and XLSX) with Swedish or English headers.

The header row is found among the first rows (title lines above it are common), matched
case- and space-insensitively. In XLSX a status cell that is only coloured (the traffic light
with no text) is read from its fill colour.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from pathlib import Path

import polars as pl

from pipelines.core.errors import ReportFormatError
from pipelines.core.status import normalise_status
from pipelines.read import READER_SCHEMA, ReaderResult

HEADER_ALIASES: dict[str, set[str]] = {
    "goal_area": {
        "målområde",
        "malomrade",
        "goal area",
        "goal_area",
        "goalarea",
        "visionsmål",
        "visionsmal",
        "område",
        "mål",
        "målområde/visionsmål",
    },
    "activity": {"aktivitet", "aktiviteter", "activity", "activities"},
    "unit": {"verksamhet", "unit", "ansvarig verksamhet", "ansvarig", "responsible unit"},
    "status": {"status", "bedömning", "statusfärg"},
    "comment": {"kommentar", "kommentarer", "comment", "comments"},
}
REQUIRED = ("activity",)
MAX_HEADER_SEARCH = 20
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # an XLSX that inflates beyond this is refused


def _header_key(text: object) -> str:
    text = unicodedata.normalize("NFC", str(text or "")).casefold()
    return re.sub(r"\s+", " ", text).strip()


_ALIAS_LOOKUP = {alias: column for column, aliases in HEADER_ALIASES.items() for alias in aliases}


def _map_header(cells: list[object]) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for index, cell in enumerate(cells):
        column = _ALIAS_LOOKUP.get(_header_key(cell))
        if column and column not in mapping:
            mapping[column] = index
    return mapping


def sniff(path: Path, head: bytes, fmt: str) -> bool:
    if fmt == "xlsx":
        return head.startswith(b"PK\x03\x04") and path.suffix.lower() in {".xlsx", ".xlsm", ""}
    if fmt == "csv":
        return path.suffix.lower() in {".csv", ".tsv"}
    return False


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


def _csv_cells(path: Path) -> list[list[object]]:
    try:
        text = _decode(path.read_bytes(), path.name)
    except UnicodeDecodeError as exc:
        raise ReportFormatError(
            f"{path.name}: text is neither UTF-8, UTF-16 nor Windows-1252"
        ) from exc
    if not text.strip():
        raise ReportFormatError(f"{path.name}: the file is empty")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = max(";,\t", key=sample.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return [list(row) for row in reader]
    except csv.Error as exc:  # a cell over the csv module's 128 KiB limit: an unclosed quote?
        raise ReportFormatError(
            f"{path.name}: line {reader.line_num} cannot be read as CSV ({exc}); "
            "is a quote left open? check the file in a text editor"
        ) from exc


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


def _fill_status(cell) -> str | None:
    """Nearest traffic light for a cell's solid fill colour, if it has one."""
    from pipelines.core.colours import nearest_status, parse_hex

    fill = getattr(cell, "fill", None)
    if fill is None or fill.fill_type != "solid":
        return None
    rgb = getattr(fill.fgColor, "rgb", None)
    if not isinstance(rgb, str):
        return None
    colour = parse_hex(rgb)
    return nearest_status(colour) if colour else None


def _xlsx_cells(path: Path) -> tuple[list[list[object]], list[list[str | None]]]:
    _check_zip(path)
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise ReportFormatError(f"{path.name}: cannot open as XLSX ({type(exc).__name__})") from exc
    if not workbook.worksheets:
        raise ReportFormatError(f"{path.name}: the workbook has no sheets")
    for sheet in workbook.worksheets:
        values: list[list[object]] = []
        fills: list[list[str | None]] = []
        for row in sheet.iter_rows():
            values.append([cell.value for cell in row])
            fills.append([_fill_status(cell) for cell in row])
        if any(set(REQUIRED) <= set(_map_header(r)) for r in values[:MAX_HEADER_SEARCH]):
            return values, fills
    return [], []


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None


def read(path: Path, fmt: str = "csv") -> ReaderResult:
    if fmt == "xlsx":
        cells, fills = _xlsx_cells(path)
    else:
        cells, fills = _csv_cells(path), []
    header_index, mapping = None, {}
    for index, row in enumerate(cells[:MAX_HEADER_SEARCH]):
        mapping = _map_header(row)
        if set(REQUIRED) <= set(mapping):
            header_index = index
            break
    if header_index is None:
        wanted = " / ".join(sorted(HEADER_ALIASES["activity"]))
        raise ReportFormatError(
            f"{path.name}: no header row with an activity column ({wanted}) in the first "
            f"{MAX_HEADER_SEARCH} rows; expected columns Målområde, Aktivitet, Verksamhet, "
            "Status, Kommentar"
        )

    records: dict[str, list] = {name: [] for name in READER_SCHEMA}
    records.update(status_raw=[], spreadsheet_row=[])
    position = 0
    for offset, row in enumerate(cells[header_index + 1 :], start=header_index + 1):
        texts = {col: _text(row[i]) if i < len(row) else None for col, i in mapping.items()}
        if not any(texts.values()):
            continue  # a blank line is layout, not an activity row
        position += 1
        status_word = texts.get("status")
        status = normalise_status(status_word)
        if status_word is None and fills and "status" in mapping:
            colour = (
                fills[offset][mapping["status"]] if mapping["status"] < len(fills[offset]) else None
            )
            status = colour or "unknown"
        records["source_row"].append(position)
        records["goal_area"].append(texts.get("goal_area"))
        records["activity"].append(texts.get("activity"))
        records["unit"].append(texts.get("unit"))
        # An unrecognised word stays as written so that validation quarantines it with the word.
        records["status"].append(status if status is not None else status_word)
        records["status_source"].append("reported")
        records["comment"].append(texts.get("comment"))
        records["status_raw"].append(status_word)
        records["spreadsheet_row"].append(offset + 1)
    schema = {**READER_SCHEMA, "status_raw": pl.String(), "spreadsheet_row": pl.Int64()}
    return ReaderResult(rows=pl.DataFrame(records, schema=schema))
