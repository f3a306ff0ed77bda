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
