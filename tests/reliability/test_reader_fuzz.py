"""Fuzzing every reader: random and mutated reports give rows that keep the reader contract, or a
``FollowupError`` with a one-line message — never another exception.

The inputs start from valid reports (a hand-written CSV, an XLSX written with openpyxl, a PDF from
``pdf_factory``, the real OCR report) and are mutated: bits flipped, bytes deleted or inserted,
truncated, lines duplicated or shuffled, odd Unicode (å ä ö, RTL marks, NUL, BOMs, lone
surrogates where the encoding can carry them) and very long lines. Every mutated file is read
as each format (csv, xlsx, pdf, ocr-text) and with auto-detection; what auto-detection reads is
also validated (valid rows + quarantine, none lost). Hypothesis runs derandomised and without an
example database, so CI sees the same examples every time; the ``@example``s are regressions
found while writing these tests.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import random
import unicodedata
import zipfile
from functools import cache
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from pipelines.core.errors import FollowupError
from pipelines.core.status import STATUS_SOURCES
from pipelines.ingest.period import split_valid, with_meta
from pipelines.read import FORMATS as READER_MODULES
from pipelines.read import READER_SCHEMA, ReaderResult, ReaderWarning, read_report

FORMATS = ("csv", "xlsx", "pdf", "ocr-text", "auto")
OCR_REPORT = (
    Path(__file__).parents[2] / "pipelines/sample_data/region-vastmanland_2022-07-07_ocr.txt"
)
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

CSV_REPORT = (
    "Uppföljning 2022 – Region Exempel\n"
    "\n"
    "Målområde;Aktivitet;Verksamhet;Status;Kommentar\n"
    "Ett tillgängligt län;Ta fram en plan för kollektivtrafiken;Samhällsutveckling;Grönt;"
    "Pågår enligt plan.\n"
    'Ett tillgängligt län;"Stödja små företag; särskilt i glesbygd";Näringsliv;Gult;'
    '"Försenat, nytt datum i höst."\n'
    "Ett välmående län;Förebygga psykisk ohälsa;Folkhälsa;Rött;Når ej målet 2022.\n"
    "Ett välmående län;Utveckla samverkan;Välfärd;;\n"
).encode()


@cache
def xlsx_report() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Uppföljning 2022"])
    sheet.append(["Målområde", "Aktivitet", "Verksamhet", "Status", "Kommentar"])
    sheet.append(["Hållbar utveckling", "Samordna Agenda 2030", "Hållbarhet", "Grönt", "Pågår."])
    sheet.append(["Hållbar utveckling", "Ta fram ett program", "Hållbarhet", None, "Klart i maj."])
    fill = openpyxl.styles.PatternFill("solid", fgColor="FFC000")
    sheet.cell(row=4, column=4).fill = fill  # a status that is only a colour
    sheet.append(["Digital omställning", "Bygga ut bredband", "Välfärd", "Rött", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@cache
def pdf_report(compressed: bool = True) -> bytes:
    """A PDF report; uncompressed, mutations hit the drawing operators instead of zlib."""
    import tempfile

    from reportlab import rl_config

    from tests.read.pdf_factory import make_report_pdf, sample_rows

    saved = rl_config.invariant, rl_config.pageCompression
    rl_config.invariant = 1  # no dates or random ids: the same bytes every time
    rl_config.pageCompression = int(compressed)
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = make_report_pdf(Path(folder) / "r.pdf", sample_rows(5), rows_per_page=3)
            return path.read_bytes()
    finally:
        rl_config.invariant, rl_config.pageCompression = saved


@cache
def ocr_report() -> bytes:
    return OCR_REPORT.read_bytes()


# ---------------------------------------------------------------------------- mutations

ODD_CHARS = list("åäöÅÄÖé;,\t\"'\n\r=+-@|\x00\x1b\x7f\u00a0") + [
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u200b",  # zero-width space
    "\ufeff",  # BOM in the middle of the text
    "a\u0308",  # a + combining diaeresis (NFD ä)
    "\ud800",  # a lone surrogate (only UTF-8 'surrogatepass' and UTF-16 can carry it)
    "\U0001f6a6",  # 🚦
    "AKTIVITETER MÅLOMRÅDE - ",
    "Verksamhet",
    "Kommentar",
    "Aktivitet",
    "%PDF-1.4",
    "PK\x03\x04",
]
odd_text = st.lists(st.one_of(st.sampled_from(ODD_CHARS), st.characters()), max_size=30).map(
    "".join
)
position = st.floats(min_value=0, max_value=1)

MUTATION = st.one_of(
    st.tuples(st.just("flip"), position, st.integers(0, 7)),
    st.tuples(st.just("delete"), position, st.integers(1, 200)),
    st.tuples(st.just("insert"), position, st.binary(min_size=1, max_size=40)),
    st.tuples(
        st.just("text"), position, odd_text, st.sampled_from(["utf-8", "utf-16-le", "cp1252"])
    ),
    st.tuples(st.just("truncate"), position),
    st.tuples(st.just("duplicate_line"), position, st.integers(1, 5)),
    st.tuples(st.just("shuffle_lines"), st.integers(0, 2**16)),
    st.tuples(st.just("swap_lines"), position, position),
    st.tuples(st.just("long_line"), position, st.sampled_from(["x", "å", ";", '"', " "])),
)


def _at(data: bytes | list, where: float) -> int:
    return min(int(where * len(data)), len(data))


def mutate(data: bytes, op: tuple) -> bytes:
    kind = op[0]
    if kind == "flip":
        if not data:
            return data
        index = min(_at(data, op[1]), len(data) - 1)
        return data[:index] + bytes([data[index] ^ (1 << op[2])]) + data[index + 1 :]
    if kind == "delete":
        index = _at(data, op[1])
        return data[:index] + data[index + op[2] :]
    if kind == "insert":
        index = _at(data, op[1])
        return data[:index] + op[2] + data[index:]
    if kind == "text":
        errors = "replace" if op[3] == "cp1252" else "surrogatepass"
        index = _at(data, op[1])
        return data[:index] + op[2].encode(op[3], errors=errors) + data[index:]
    if kind == "truncate":
        return data[: _at(data, op[1])]
    lines = data.split(b"\n")
    if kind == "duplicate_line":
        index = min(_at(lines, op[1]), len(lines) - 1)
        lines[index:index] = [lines[index]] * op[2]
    elif kind == "shuffle_lines":
        random.Random(op[1]).shuffle(lines)
    elif kind == "swap_lines":
        a, b = (min(_at(lines, w), len(lines) - 1) for w in (op[1], op[2]))
        lines[a], lines[b] = lines[b], lines[a]
    elif kind == "long_line":
        index = _at(lines, op[1])
        lines.insert(index, op[2].encode() * 150_000)
    return b"\n".join(lines)


def mutate_member(data: bytes, member: str, ops: list[tuple]) -> bytes:
    """Mutate one file inside a zip (an XLSX part), keeping the zip itself valid."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == member:
                for op in ops:
                    content = mutate(content, op)
            target.writestr(info, content)
    return out.getvalue()


# ---------------------------------------------------------------------------- the contract

TEXT_COLUMNS = [name for name, dtype in READER_SCHEMA.items() if dtype == pl.String]


def check_contract(result: ReaderResult, fmt: str | None) -> None:
    """What every reader promises about the rows it returns."""
    assert isinstance(result, ReaderResult)
    rows = result.rows
    assert isinstance(rows, pl.DataFrame)
    for name, dtype in READER_SCHEMA.items():
        assert rows.schema[name] == dtype, (name, rows.schema[name])
    assert rows["source_row"].to_list() == list(range(1, rows.height + 1))
    assert rows["status"].null_count() == 0
    assert set(rows["status_source"].to_list()) <= set(STATUS_SOURCES)
    for name in TEXT_COLUMNS:
        for value in rows[name].drop_nulls().to_list():
            value.encode("utf-8")  # no lone surrogates: the row must be writable as Parquet
            assert unicodedata.is_normalized("NFC", value), (name, value)
    assert all(isinstance(w, ReaderWarning) and isinstance(w.message, str) for w in result.warnings)
    if fmt not in (None, "auto"):
        assert result.format == fmt


def _read(path: Path, fmt: str, direct: bool) -> ReaderResult:
    if direct:  # the reader module itself, past read_report's checks of size and magic bytes
        module = importlib.import_module(f"pipelines.read.{READER_MODULES[fmt]}")
        return module.read(path, fmt)
    return read_report(path, fmt)


def read_every_way(folder: Path, name: str, data: bytes, scan: bool = False) -> None:
    """Read the bytes as every format: rows that keep the contract, or a FollowupError."""
    path = folder / name
    path.write_bytes(data)
    # The scan reader is forced only in test_mutated_scan: OCR of every mutated text PDF's
    # pages would take minutes; --format auto still sends a PDF without text to it.
    forced = (*FORMATS, "scan") if scan else FORMATS
    ways = [(fmt, False) for fmt in forced] + [
        (fmt, True) for fmt in READER_MODULES if fmt != "scan" or scan
    ]
    for fmt, direct in ways:
        try:
            result = _read(path, fmt, direct)
        except FollowupError as error:
            message = str(error)
            assert message and "\n" not in message.strip(), message
            event(f"{fmt}{' (reader)' if direct else ''}: refused")
            continue
        check_contract(result, None if direct else fmt)
        event(
            f"{fmt}{' (reader)' if direct else ''}: {'rows' if result.rows.height else 'no rows'}"
        )
        if fmt == "auto":
            check_validation_keeps_every_row(result, name)


def check_validation_keeps_every_row(result: ReaderResult, name: str) -> None:
    """Whatever a reader returns, validation splits it into valid and quarantined rows without
    an exception and without losing a row."""
    rows = with_meta(result, "region-x", "2022-Q2", dt.date(2022, 7, 7), name, "0" * 64)
    valid, quarantine = split_valid(rows, result)
    rejected = quarantine.filter(pl.col("kind") == "rejected")
    assert valid.height + rejected.height == rows.height
    assert sorted([*valid["source_row"], *rejected["source_row"]]) == rows["source_row"].to_list()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# ---------------------------------------------------------------------------- the tests


@settings(FUZZ, max_examples=100)
@given(ops=st.lists(MUTATION, min_size=1, max_size=4), suffix=st.sampled_from([".csv", ".txt"]))
# a 150 000-character line: csv.Error (field larger than field limit) escaped the CSV reader
@example(ops=[("long_line", 0.0, "x")], suffix=".csv")
# a line of 74 860 separators: more columns than Excel has letters for (a ValueError escaped)
@example(ops=[("long_line", 0.0, ";"), ("shuffle_lines", 0), ("flip", 0.5, 0)], suffix=".csv")
def test_mutated_csv(folder, ops, suffix):
    data = CSV_REPORT
    for op in ops:
        data = mutate(data, op)
    read_every_way(folder, f"report{suffix}", data)


@settings(FUZZ, max_examples=100)
@given(ops=st.lists(MUTATION, min_size=1, max_size=3))
# a 150 000-letter "word": the OCR word repair split it into compounds for minutes
@example(ops=[("long_line", 0.01, "å")])
def test_mutated_ocr_text(folder, ops):
    data = ocr_report()
    for op in ops:
        data = mutate(data, op)
    read_every_way(folder, "report.txt", data)


@settings(FUZZ, max_examples=60)
@given(ops=st.lists(MUTATION, min_size=1, max_size=3))
def test_mutated_xlsx_bytes(folder, ops):
    data = xlsx_report()
    for op in ops:
        data = mutate(data, op)
    read_every_way(folder, "report.xlsx", data)


@settings(FUZZ, max_examples=150)
@given(
    member=st.sampled_from(
        [
            "xl/worksheets/sheet1.xml",
            "xl/sharedStrings.xml",
            "xl/workbook.xml",
            "xl/styles.xml",
            "[Content_Types].xml",
            "xl/_rels/workbook.xml.rels",
        ]
    ),
    ops=st.lists(MUTATION, min_size=1, max_size=3),
)
def test_mutated_xlsx_parts(folder, member, ops):
    read_every_way(folder, "report.xlsx", mutate_member(xlsx_report(), member, ops))


@settings(FUZZ, max_examples=60)
@given(ops=st.lists(MUTATION, min_size=1, max_size=3), compressed=st.booleans())
# a flipped bit in /MediaBox: pdfplumber's close() parsed the pages again and raised TypeError
@example(ops=[("flip", 0.150390625, 0)], compressed=True)
# swapped lines: pdfium could not load page 1 while the scan reader looked for a text layer
@example(ops=[("swap_lines", 0.0, 0.25)], compressed=True)
def test_mutated_pdf(folder, ops, compressed):
    data = pdf_report(compressed)
    for op in ops:
        data = mutate(data, op)
    read_every_way(folder, "report.pdf", data)


@cache
def scan_report(suffix: str) -> bytes:
    """A one-page scanned report (small, so that a readable mutation is OCR'd quickly)."""
    import tempfile

    from tests.read.scan_factory import TEMPLATES, make_scan, other_rows

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"scan{suffix}"
        make_scan(path, other_rows(2, goal_areas=("Trygg kommun",)), TEMPLATES[1], dpi=100)
        return path.read_bytes()


@settings(FUZZ, max_examples=6)
@given(ops=st.lists(MUTATION, min_size=1, max_size=3), suffix=st.sampled_from([".pdf", ".png"]))
def test_mutated_scan(folder, ops, suffix):
    data = scan_report(suffix)
    for op in ops:
        data = mutate(data, op)
    read_every_way(folder, f"scan{suffix}", data, scan=True)


@settings(FUZZ, max_examples=100)
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".xlsx", ".pdf", ".txt", ""]))
def test_random_bytes(folder, data, suffix):
    read_every_way(folder, f"report{suffix}", data)


cell_text = st.one_of(st.none(), odd_text, st.sampled_from(["Grönt", "gult", "RÖTT", "=1+1"]))


@settings(FUZZ, max_examples=150)
@given(
    header=st.lists(
        st.sampled_from(["Målområde", "Aktivitet", "Verksamhet", "Status", "Kommentar", "x"]),
        min_size=1,
        max_size=6,
    ),
    cells=st.lists(st.lists(cell_text, max_size=7), max_size=8),
    delimiter=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
)
def test_random_csv_reports(folder, header, cells, delimiter, encoding):
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows([["" if c is None else c for c in row] for row in cells])
    errors = "replace" if encoding == "cp1252" else "surrogatepass"
    read_every_way(folder, "report.csv", buffer.getvalue().encode(encoding, errors=errors))


@settings(FUZZ, max_examples=80)
@given(
    cells=st.lists(st.lists(cell_text, max_size=6), max_size=6),
    with_header=st.booleans(),
)
def test_random_xlsx_reports(folder, cells, with_header):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if with_header:
        sheet.append(["Målområde", "Aktivitet", "Verksamhet", "Status", "Kommentar"])
    for row in cells:
        # openpyxl refuses control characters and surrogates; a real workbook cannot hold them
        sheet.append(
            [
                None
                if c is None
                else ILLEGAL_CHARACTERS_RE.sub("", c).encode("utf-8", "ignore").decode()
                for c in row
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    read_every_way(folder, "report.xlsx", buffer.getvalue())
