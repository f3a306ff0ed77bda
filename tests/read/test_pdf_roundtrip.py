"""Property test: whatever rows and layout options, the reader gives back what was written."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.read import read_report
from tests.read.pdf_factory import ReportRow, make_report_pdf

# Letters Helvetica can draw (Latin-1), digits and punctuation seen in comments; no hyphens
# (a hyphen at a line end is deliberately re-joined, see test_linejoin), no word ending in an
# en dash (a range like "aug–nov" broken after the dash is joined without a space) and no "="
# (legend lines).
ALPHABET = "abcdefghijklmnopqrstuvwxyzåäöéABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ0123456789.,;:()&%/–"
words = st.text(ALPHABET, min_size=1, max_size=14).filter(lambda w: not w.endswith("–"))
texts = st.lists(words, min_size=1, max_size=40).map(" ".join)
rows = st.lists(
    st.builds(
        ReportRow,
        goal_area=st.sampled_from(["Ett tillgängligt Västmanland", "Hållbar utveckling"]),
        activity=texts,
        unit=st.sampled_from(["Välfärd", "Kultur och ideell sektor", "Näringsliv och kompetens"]),
        status=st.sampled_from(["green", "yellow", "red", "unknown"]),
        comment=st.one_of(st.just(""), texts),
    ),
    min_size=1,
    max_size=14,
).map(lambda rs: sorted(rs, key=lambda r: r.goal_area))  # a goal area is one block


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=rows,
    rows_per_page=st.integers(1, 6),
    split=st.sets(st.integers(0, 13), max_size=3),
    continued_heading=st.sampled_from(["forts", "repeat", "none"]),
    repeat_header=st.booleans(),
    colour_space=st.sampled_from(["rgb", "cmyk"]),
)
def test_roundtrip(
    tmp_path, rows, rows_per_page, split, continued_heading, repeat_header, colour_space
):
    path = make_report_pdf(
        tmp_path / "roundtrip.pdf",
        rows,
        rows_per_page=rows_per_page,
        split_rows=split,
        continued_heading=continued_heading,
        repeat_header=repeat_header,
        colour_space=colour_space,
    )
    got = read_report(path).rows.select("goal_area", "activity", "unit", "status", "comment")
    want = [(r.goal_area, r.activity, r.unit, r.status, r.comment or None) for r in rows]
    assert got.rows() == want
