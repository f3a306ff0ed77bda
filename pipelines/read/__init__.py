"""Readers turn one report file into canonical rows (without the report's metadata).

Each format is one module with ``read(path) -> ReaderResult`` and ``sniff(path, head) -> bool``.
A reader returns every row it could recover, in document order, with at least
``READER_COLUMNS``; it may add ``*_raw`` columns (the text as it stood in the source), ``page``
and other provenance. A row it cannot make sense of is still returned (validation quarantines
it); page-level trouble goes into ``warnings``. Unreadable input raises ``ReportFormatError``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.core.errors import ReportFormatError

READER_SCHEMA: dict[str, pl.DataType] = {
    "source_row": pl.Int64(),
    "goal_area": pl.String(),
    "activity": pl.String(),
    "unit": pl.String(),
    "status": pl.String(),
    "status_source": pl.String(),
    "comment": pl.String(),
}
READER_COLUMNS = list(READER_SCHEMA)
# What the readers of OCR'd text and scans keep beside it: the text as read before repair, the
# page, and the status as the document showed it (part of the lake's provenance columns).
OCR_PROVENANCE_SCHEMA: dict[str, pl.DataType] = {
    "goal_area_raw": pl.String(),
    "activity_raw": pl.String(),
    "unit_raw": pl.String(),
    "comment_raw": pl.String(),
    "page": pl.Int64(),
    "status_raw": pl.String(),
    "completed_reported": pl.Boolean(),
}

# format name -> module under pipelines.read; order = auto-detection order.
FORMATS: dict[str, str] = {
    "scan": "scan",  # before pdf: a PDF without a text layer, or an image
    "pdf": "pdf",
    "xlsx": "spreadsheet",
    "csv": "spreadsheet",
    "ocr-text": "ocr_text",
}


@dataclass
class ReaderWarning:
    """Something a reader noticed and did not guess about silently (e.g. column counts differ)."""

    message: str
    page: int | None = None
    source_row: int | None = None


@dataclass
class FoundTable:
    """One table a reader found, and how it read it (what ``followup inspect`` shows).

    ``where`` is "page 3" or "sheet 'Mål 2'"; ``columns`` says which column became which field
    and why (:class:`pipelines.read.columns.ColumnChoice`); ``status_encoding`` is how the
    status was given (fill, dot, symbol, word, code, conditional formatting, none);
    ``confidence`` is 1.0 when headers named every column and lower when the reader had to
    guess (columns chosen by content, cells paired by position).
    """

    where: str
    columns: list = field(default_factory=list)
    status_encoding: str = "none"
    rows: int = 0
    goal_areas: dict[str, int] = field(default_factory=dict)
    confidence: float = 1.0
    notes: list[str] = field(default_factory=list)
    page: int | None = None
    sheet: str | None = None


@dataclass
class ReaderResult:
    rows: pl.DataFrame
    warnings: list[ReaderWarning] = field(default_factory=list)
    format: str = ""
    tables: list[FoundTable] = field(default_factory=list)
    pages: int | None = None  # pages (PDF, scan, OCR text) or sheets (XLSX) in the file


def _module(fmt: str):
    return importlib.import_module(f"pipelines.read.{FORMATS[fmt]}")


MAX_REPORT_BYTES = 100 * 1024 * 1024
_EXPECTED_BY_SUFFIX = {".xlsx": "an XLSX workbook", ".pdf": "a PDF", ".csv": "CSV text"}


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(8192)


def detect_format(path: Path) -> str:
    """Pick the format from the file's content first and its extension second."""
    head = _head(path)
    if not head:
        raise ReportFormatError(f"{path.name}: the file is empty")
    for fmt in FORMATS:
        if _module(fmt).sniff(path, head, fmt):
            return fmt
    if path.suffix.lower() in {".txt", ".text"}:
        raise ReportFormatError(
            f"{path.name}: text, but not an OCR'd follow-up report (no 'AKTIVITETER …' page "
            "heading with Verksamhet and Kommentar columns near the start); is this the right "
            "file?"
        )
    expected = _EXPECTED_BY_SUFFIX.get(path.suffix.lower())
    if expected:
        raise ReportFormatError(
            f"{path.name}: the content is not {expected} despite its name; "
            "is the file damaged or misnamed?"
        )
    raise ReportFormatError(
        f"{path.name}: not a report format this tool reads ({', '.join(FORMATS)}); "
        "pass --format if the extension is misleading"
    )


# Binary formats recognisable by their first bytes, whatever the file is called.
_MAGIC = {
    "pdf": ("a PDF", lambda head: b"%PDF-" in head[:1024]),
    "xlsx": ("an XLSX workbook", lambda head: head.startswith(b"PK\x03\x04")),
}


def _check_forced_format(path: Path, fmt: str) -> None:
    """A --format that the content contradicts gets that said, not a parse error of that format."""
    head = _head(path)
    if not head:
        raise ReportFormatError(f"{path.name}: the file is empty")
    actual = next((name for name, (_, test) in _MAGIC.items() if test(head)), None)
    if actual == fmt or (actual is None and fmt not in _MAGIC) or (fmt, actual) == ("scan", "pdf"):
        return
    if actual is None:
        raise ReportFormatError(
            f"{path.name}: --format {fmt}, but the file is not {_MAGIC[fmt][0]}; leave out "
            "--format to detect the format"
        )
    raise ReportFormatError(
        f"{path.name}: --format {fmt}, but the file is {_MAGIC[actual][0]}; use --format "
        f"{actual} or leave --format out"
    )


def read_report(path: str | Path, fmt: str = "auto") -> ReaderResult:
    """Read one report file into canonical rows (no org/period/report_date yet)."""
    path = Path(path)
    if not path.is_file():
        raise ReportFormatError(f"{path}: no such file")
    size = path.stat().st_size
    if size > MAX_REPORT_BYTES:
        raise ReportFormatError(
            f"{path.name}: {size / 2**20:.0f} MB is more than a follow-up report can be "
            f"({MAX_REPORT_BYTES // 2**20} MB); check that this is the right file"
        )
    if fmt == "auto":
        fmt = detect_format(path)
    elif fmt not in FORMATS:
        raise ReportFormatError(f"unknown format {fmt!r}; choose one of auto, {', '.join(FORMATS)}")
    else:
        _check_forced_format(path, fmt)
    result = _module(fmt).read(path, fmt)
    result.format = fmt
    missing = [c for c in READER_COLUMNS if c not in result.rows.columns]
    if missing:  # a reader bug, not a user error
        raise AssertionError(f"reader {fmt} returned no {missing}")
    return result
