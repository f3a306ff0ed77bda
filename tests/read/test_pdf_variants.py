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


@pytest.mark.parametrize("v", VARIANTS, ids=[v.name for v in VARIANTS])
def test_tables_without_ruling_lines_are_read_by_word_positions(tmp_path, v):
    path = make_report_pdf(tmp_path / "unruled.pdf", v.rows, **v.options, unruled_from_page=2)
    result = read_report(path)
    assert_rows(result.rows, v.rows)
    by_words = [t for t in result.tables if t.page >= 2]
    assert [w.page for w in result.warnings] == [t.page for t in by_words]
    assert all("word positions" in w.message for w in result.warnings)
    assert by_words and all(
        t.confidence <= 0.6 and "word positions" in t.notes[0] for t in by_words
    )
    assert all("word positions" not in " ".join(t.notes) for t in result.tables if t.page == 1)


def test_a_page_of_running_text_is_a_warning_never_silently_lost(tmp_path):
    v = VARIANTS[0]
    text = " ".join(["Sammanfattningsvis har nämnden genomfört de flesta insatserna."] * 12)
    path = make_report_pdf(tmp_path / "appendix.pdf", v.rows, **v.options, appendix=text)
    result = read_report(path)
    assert_rows(result.rows, v.rows)
    assert len(result.warnings) == 1
    warning = result.warnings[0]
    assert warning.page == result.pages and "text line(s) not read" in warning.message


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
