"""The PDF reader against reports generated with known content (tests/read/pdf_factory.py)."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.core.errors import ReportFormatError
from pipelines.read import read_report
from tests.read.pdf_factory import (
    STATUS_WORDS,
    ReportRow,
    make_report_pdf,
    make_scanned_pdf,
    sample_rows,
)

COLUMNS = ["goal_area", "activity", "unit", "status", "comment"]


def expected_frame(rows: list[ReportRow]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "goal_area": [r.goal_area for r in rows],
            "activity": [r.activity for r in rows],
            "unit": [r.unit for r in rows],
            "status": [r.status for r in rows],
            "comment": [r.comment or None for r in rows],
        }
    )


def assert_rows(result_rows: pl.DataFrame, rows: list[ReportRow]) -> None:
    got = result_rows.select(COLUMNS)
    want = expected_frame(rows)
    assert got.height == want.height, f"{got.height} rows read, {want.height} written"
    for index, (g, w) in enumerate(
        zip(got.iter_rows(named=True), want.iter_rows(named=True), strict=True)
    ):
        assert g == w, f"row {index + 1} differs"


@pytest.fixture(scope="module")
def big_report(tmp_path_factory):
    rows = sample_rows(40)
    path = tmp_path_factory.mktemp("pdf") / "uppfoljning.pdf"
    make_report_pdf(path, rows, rows_per_page=6, split_rows=[3, 25])
    return path, rows


def test_every_row_and_status_is_recovered(big_report):
    path, rows = big_report
    result = read_report(path)
    assert result.format == "pdf"
    assert result.warnings == []
    assert_rows(result.rows, rows)
    assert result.rows["source_row"].to_list() == list(range(1, len(rows) + 1))
    assert set(result.rows["status_source"]) == {"reported"}
    assert result.rows.schema["page"] == pl.Int64
    assert result.rows["page"].is_sorted()
    assert result.rows["page"].max() > 8


def test_status_raw_keeps_the_colour(big_report):
    path, rows = big_report
    result = read_report(path, fmt="pdf").rows
    pairs = set(result.select("status", "status_raw").unique().rows())
    assert pairs == {
        ("green", "#00B050"),
        ("yellow", "#FFFF00"),
        ("red", "#FF0000"),
        ("unknown", None),
    }


def test_a_row_split_over_a_page_break_is_joined(tmp_path):
    long_comment = " ".join(["Arbetet pågår enligt plan med flera delmoment under hösten."] * 8)
    rows = [
        ReportRow("Ett tillgängligt Västmanland", f"Aktivitet {i}", "Välfärd", "yellow", c)
        for i, c in enumerate(["Kort.", long_comment, "Sista raden."])
    ]
    path = make_report_pdf(tmp_path / "split.pdf", rows, split_rows=[1], repeat_header=False)
    result = read_report(path).rows
    assert_rows(result, rows)
    assert result["page"].to_list() == [1, 1, 2]


@pytest.mark.parametrize("repeat_fill", [True, False])
def test_split_row_keeps_its_status_whether_or_not_the_fill_repeats(tmp_path, repeat_fill):
    comment = " ".join(["Försenat, ny tidplan tas fram."] * 12)
    rows = [
        ReportRow("Hållbar utveckling", "Första", "Hållbarhet", "red", comment),
        ReportRow("Hållbar utveckling", "Andra", "Hållbarhet", "green", "Klart."),
    ]
    path = make_report_pdf(
        tmp_path / "split.pdf", rows, split_rows=[0], repeat_fill_on_split=repeat_fill
    )
    assert_rows(read_report(path).rows, rows)


@pytest.mark.parametrize(
    ("shades", "colour_space"),
    [
        ({"green": "#00B050", "yellow": "#FFFF00", "red": "#FF0000"}, "rgb"),
        ({"green": "#92D050", "yellow": "#FFC000", "red": "#C00000"}, "rgb"),
        (
            {
                "green": ["#00B050", "#92D050"],
                "yellow": ["#FFFF00", "#FFC000"],
                "red": ["#FF0000", "#C00000"],
            },
            "cmyk",
        ),
    ],
    ids=["office-rgb", "office-alt-rgb", "office-cmyk"],
)
def test_office_shades_in_rgb_and_cmyk(tmp_path, shades, colour_space):
    rows = sample_rows(18, goal_areas=("Digital omställning",), seed=3)
    path = make_report_pdf(tmp_path / "shades.pdf", rows, shades=shades, colour_space=colour_space)
    assert_rows(read_report(path).rows, rows)


@pytest.mark.parametrize(
    "words",
    [
        STATUS_WORDS,
        {"green": "GRÖNT", "yellow": "GULT", "red": "RÖTT"},
        {"green": "grönt", "yellow": "gult", "red": "rött"},
    ],
    ids=["capitalised", "upper", "lower"],
)
def test_status_written_as_text_without_colour(tmp_path, words):
    rows = sample_rows(9, goal_areas=("Ett välmående Västmanland",), seed=5)
    path = make_report_pdf(tmp_path / "words.pdf", rows, status_words=words, fill_status=False)
    result = read_report(path).rows
    assert_rows(result, rows)
    coloured = result.filter(pl.col("status") != "unknown")
    assert set(coloured["status_raw"]) == {words[s] for s in ("green", "yellow", "red")}


def test_status_text_and_colour_together(tmp_path):
    rows = sample_rows(6, goal_areas=("Ett välmående Västmanland",), seed=9)
    path = make_report_pdf(tmp_path / "both.pdf", rows, status_words=STATUS_WORDS)
    result = read_report(path)
    assert_rows(result.rows, rows)
    assert result.warnings == []


def test_text_disagreeing_with_colour_keeps_the_word_and_warns(tmp_path):
    rows = [ReportRow("Hållbar utveckling", "Samordna Agenda 2030", "Hållbarhet", "green", "Ok.")]
    path = make_report_pdf(tmp_path / "clash.pdf", rows, status_words={"green": "Rött"})
    result = read_report(path)
    assert result.rows["status"].to_list() == ["red"]
    assert len(result.warnings) == 1 and "Rött" in result.warnings[0].message


def test_white_or_missing_fill_is_unknown(tmp_path):
    rows = sample_rows(8, goal_areas=("Hållbar utveckling",), seed=11)
    path = make_report_pdf(tmp_path / "white.pdf", rows, unknown_fill="#FFFFFF")
    result = read_report(path).rows
    assert_rows(result, rows)
    assert result.filter(pl.col("status") == "unknown")["status_raw"].null_count() == 2


def test_a_colour_that_is_no_traffic_light_is_kept_for_quarantine(tmp_path):
    rows = [ReportRow("Hållbar utveckling", "Blå aktivitet", "Hållbarhet", "green", "Text.")]
    path = make_report_pdf(tmp_path / "blue.pdf", rows, shades={"green": "#4472C4"})
    result = read_report(path)
    assert result.rows["status"].to_list() == ["#4472C4"]
    assert "#4472C4" in result.warnings[0].message


@pytest.mark.parametrize("legend", ["swatches", "cells", "boxed", "in_table", "none"])
@pytest.mark.parametrize("repeat_header", [True, False])
def test_the_legend_never_becomes_a_row(tmp_path, legend, repeat_header):
    rows = sample_rows(10, goal_areas=("Ett tillgängligt Västmanland", "Hållbar utveckling"))
    path = make_report_pdf(
        tmp_path / "legend.pdf", rows, legend=legend, rows_per_page=4, repeat_header=repeat_header
    )
    result = read_report(path)
    assert_rows(result.rows, rows)
    assert not result.rows["activity"].str.contains("=").any()


def test_continued_pages_without_heading_or_header_keep_the_goal_area(tmp_path):
    rows = sample_rows(20, goal_areas=("Ett tillgängligt Västmanland", "Digital omställning"))
    path = make_report_pdf(
        tmp_path / "cont.pdf", rows, rows_per_page=3, continued_heading="none", repeat_header=False
    )
    result = read_report(path)
    assert_rows(result.rows, rows)
    assert result.warnings == []


def test_repeated_headings_and_visionsmal_headings_with_dashes(tmp_path):
    rows = sample_rows(12, goal_areas=("Hållbar utveckling", "Digital omställning"), seed=2)
    path = make_report_pdf(
        tmp_path / "vision.pdf",
        rows,
        rows_per_page=4,
        continued_heading="repeat",
        heading=lambda goal: f"AKTIVITETER VISIONSMÅLET — {goal}",
    )
    assert_rows(read_report(path).rows, rows)


@pytest.mark.parametrize("repeat_header", [True, False])
def test_heading_in_a_merged_first_row_of_the_table(tmp_path, repeat_header):
    rows = sample_rows(12, goal_areas=("Ett tillgängligt Västmanland", "Hållbar utveckling"))
    path = make_report_pdf(
        tmp_path / "merged.pdf",
        rows,
        rows_per_page=4,
        heading_in_table=True,
        legend="in_table",
        repeat_header=repeat_header,
    )
    result = read_report(path)
    assert_rows(result.rows, rows)
    assert result.warnings == []


def test_a_heading_wrapped_over_two_lines(tmp_path):
    goal = "Ett välmående Västmanland med god och jämlik hälsa för alla invånare i länet"
    rows = [ReportRow(goal, f"Aktivitet {i}", "Folkhälsa", "green", "Pågår.") for i in range(5)]
    path = make_report_pdf(tmp_path / "wrap.pdf", rows, rows_per_page=2, heading_width=300)
    assert read_report(path).rows["goal_area"].unique().to_list() == [goal]


def test_hyphenation_at_line_ends(tmp_path):
    # A "\n" forces the line break where the hyphen stands; the expected texts are written out.
    written = [
        "Insatser för kompetens-\nförsörjning i länet.",
        "Finansiering från kommunal till EU-\nnivå.",
        "Samverkan inom hälso-\noch sjukvård.",
        "Programmet 2023-\n2030 antogs.",
        "Genomförande aug–\nnov 2022.",
        "Fler e-\ntjänster.",
    ]
    expected = [
        "Insatser för kompetensförsörjning i länet.",
        "Finansiering från kommunal till EU-nivå.",
        "Samverkan inom hälso- och sjukvård.",
        "Programmet 2023-2030 antogs.",
        "Genomförande aug–nov 2022.",
        "Fler e-tjänster.",
    ]
    rows = [
        ReportRow("Digital omställning", f"A{i}", "Välfärd", "green", c)
        for i, c in enumerate(written)
    ]
    path = make_report_pdf(tmp_path / "hyphen.pdf", rows)
    assert read_report(path).rows["comment"].to_list() == expected


@pytest.mark.parametrize("mark", ["square", "dot"])
def test_a_coloured_mark_inside_the_status_cell(tmp_path, mark):
    rows = sample_rows(8, goal_areas=("Ett välmående Västmanland",), seed=4)
    path = make_report_pdf(tmp_path / "mark.pdf", rows, status_mark=mark, unknown_fill="#FFFFFF")
    assert_rows(read_report(path).rows, rows)


def test_word_style_rules_drawn_as_thin_rectangles_and_a_boxed_legend(tmp_path):
    rows = sample_rows(14, goal_areas=("Ett tillgängligt Västmanland", "Hållbar utveckling"))
    path = make_report_pdf(
        tmp_path / "word.pdf", rows, border_style="rects", legend="boxed", rows_per_page=5
    )
    result = read_report(path)
    assert_rows(result.rows, rows)
    assert result.warnings == []


def test_two_goal_areas_on_one_page(tmp_path):
    rows = sample_rows(8, goal_areas=("Ett tillgängligt Västmanland", "Digital omställning"))
    rows = [ReportRow(r.goal_area, r.activity, r.unit, r.status, "Kort.") for r in rows]
    path = make_report_pdf(tmp_path / "two.pdf", rows, new_page_per_goal_area=False)
    result = read_report(path).rows
    assert_rows(result, rows)
    assert result["page"].unique().to_list() == [1]


def test_landscape_pages_stored_as_rotated_portrait_pages(tmp_path):
    goal = "Ett välmående Västmanland med god och jämlik hälsa för alla invånare i hela länet"
    rows = sample_rows(12, goal_areas=(goal, "Digital omställning"), seed=8)
    path = make_report_pdf(tmp_path / "rotated.pdf", rows, rows_per_page=4, rotated=True)
    assert_rows(read_report(path).rows, rows)


def test_header_variants_and_an_untitled_status_column(tmp_path):
    rows = sample_rows(6, goal_areas=("Hållbar utveckling",), seed=12)
    header = ("AKTIVITET", "Ansvarig verksamhet", "", "Kommentar:")
    path = make_report_pdf(tmp_path / "header.pdf", rows, header=header)
    assert_rows(read_report(path).rows, rows)


def test_auto_detects_pdf_whatever_the_extension(big_report, tmp_path):
    path, rows = big_report
    renamed = tmp_path / "rapport.bin"
    renamed.write_bytes(path.read_bytes())
    result = read_report(renamed)
    assert result.format == "pdf"
    assert result.rows.height == len(rows)


def test_scanned_pdf_says_it_has_no_text_layer(tmp_path):
    path = make_scanned_pdf(tmp_path / "scan.pdf")
    with pytest.raises(ReportFormatError, match="no text layer") as info:
        read_report(path, "pdf")  # --format auto reads it as a scan (tests/read/test_scan.py)
    message = str(info.value)
    assert "\n" not in message
    assert "--format scan" in message


def test_a_scanned_page_inside_a_text_report_is_a_warning(tmp_path):
    rows = sample_rows(5, goal_areas=("Hållbar utveckling",))
    path = make_report_pdf(tmp_path / "mixed.pdf", rows, scanned_pages=1)
    result = read_report(path)
    assert_rows(result.rows, rows)
    assert [(w.page, "no text layer" in w.message) for w in result.warnings] == [(2, True)]


def test_scan_with_an_ocr_text_layer_points_to_the_text_reader(tmp_path):
    path = make_scanned_pdf(tmp_path / "ocrd.pdf", ocr_layer=True)
    with pytest.raises(ReportFormatError, match="OCR layer") as info:
        read_report(path)
    assert "--format ocr-text" in str(info.value)


@pytest.mark.parametrize("keep", [0.5, 0.1])
def test_truncated_pdf_raises_a_format_error(big_report, tmp_path, keep):
    path, _ = big_report
    data = path.read_bytes()
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ReportFormatError) as info:
        read_report(broken)
    assert "\n" not in str(info.value)


def test_garbage_after_the_pdf_header_raises_a_format_error(tmp_path):
    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    with pytest.raises(ReportFormatError, match="garbage.pdf"):
        read_report(path)


def test_password_protected_pdf_raises_a_clear_error(tmp_path):
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / "locked.pdf"
    canvas = Canvas(str(path), encrypt=StandardEncryption("hemligt", canPrint=0))
    canvas.drawString(72, 720, "Aktivitet")
    canvas.save()
    with pytest.raises(ReportFormatError, match="password"):
        read_report(path)


def test_a_pdf_without_the_activity_table_is_refused(tmp_path):
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / "letter.pdf"
    canvas = Canvas(str(path))
    canvas.drawString(72, 720, "Kallelse till regionfullmäktige den 14 juni 2022.")
    canvas.save()
    with pytest.raises(ReportFormatError, match="Aktivitet \\| Verksamhet"):
        read_report(path)
