"""The PDF reader on template variants of made-up organisations (tests/read/pdf_variants.py):
every row, field and status of every variant, and what ``followup inspect`` is told."""

from __future__ import annotations

import pytest

from pipelines.read import read_report
from tests.read.pdf_factory import make_report_pdf
from tests.read.pdf_variants import VARIANTS, Variant
from tests.read.test_pdf_reader import assert_rows


@pytest.fixture(scope="module", params=VARIANTS, ids=[v.name for v in VARIANTS])
def variant(request, tmp_path_factory):
    v: Variant = request.param
    path = make_report_pdf(
        tmp_path_factory.mktemp("variant") / f"{v.name}.pdf", v.rows, **v.options
    )
    return v, read_report(path)


def test_every_row_field_and_status(variant):
    v, result = variant
    assert_rows(result.rows, v.rows)


def test_no_warnings_and_a_found_table_per_page_with_every_field(variant):
    v, result = variant
    assert [w.message for w in result.warnings] == []
    assert result.tables, "no FoundTable reported"
    columns = v.options["columns"]
    for table in result.tables:
        taken = {choice.field: choice.index for choice in table.columns}
        assert taken == {name: i for i, name in enumerate(columns)}, table.where
        for choice in table.columns:
            assert choice.reason
            by_header = (
                v.options.get("show_header", True)
                and (v.options.get("header") or ("x",) * len(columns))[choice.index]
            )
            assert (choice.confidence == 1.0) == bool(by_header and "header" in choice.reason)
    assert sum(t.rows for t in result.tables) == len(v.rows)


def test_pages_whose_table_has_no_ruling_lines_are_warned_about_never_silently_lost(tmp_path):
    v = VARIANTS[0]
    path = make_report_pdf(tmp_path / "unruled.pdf", v.rows, **v.options, unruled_from_page=3)
    result = read_report(path)
    read_pages = {row["page"] for row in result.rows.to_dicts()}
    assert read_pages == {1, 2}
    warned = {w.page for w in result.warnings if "no ruled table" in w.message}
    assert warned == set(range(3, 3 + len(warned))) and len(warned) >= 1
    pages = max(read_pages | warned)
    assert result.pages == pages
    assert all("text line(s) not read" in w.message for w in result.warnings)


def test_inspect_shows_each_page_table_with_the_columns_and_why(variant):
    from pipelines.read.inspect import inspect_result

    v, result = variant
    report = inspect_result(result, f"{v.name}.pdf")
    assert report["format"] == "pdf" and report["pages"] == result.pages
    assert [t["page"] for t in report["tables"]] == sorted(t["page"] for t in report["tables"])
    for table in report["tables"]:
        assert table["where"] == f"page {table['page']}"
        assert {c["field"] for c in table["columns"]} == set(v.options["columns"])
    encoding = "word" if v.options.get("status_words") else v.options.get("status_mark", "fill")
    encoding = {"dot": "mark", "square": "mark"}.get(encoding, encoding)
    encoding = {"dot_symbol": "symbol", "square_symbol": "symbol"}.get(encoding, encoding)
    found = {part for t in report["tables"] for part in t["status_encoding"].split(" + ")}
    assert encoding in found and found <= {encoding, "none"}
