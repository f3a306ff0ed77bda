"""The HTML report, parsed back: numbers, labels in both languages, colours, escaping, offline."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from pipelines.synthetic.report_sample import SCRIPT_COMMENT, A, B, C


def _soup(rendered, lang: str) -> BeautifulSoup:
    return BeautifulSoup(rendered[f"{lang}.html"].read_text(encoding="utf-8"), "html.parser")


def _number(text: str) -> float:
    """'−1' (U+2212), '+1', '1 234' and '33 %' to numbers."""
    text = text.replace("\u2212", "-").replace("\u00a0", "").replace(" ", "").rstrip("%")
    return float(text.replace(",", "."))


def _body_rows(soup: BeautifulSoup, key: str) -> list[list[str]]:
    table = soup.select_one(f"#section-{key} table")
    assert table is not None, f"no table in section {key}"
    return [
        [cell.get_text(strip=True) for cell in tr.find_all(["th", "td"])]
        for tr in table.select("tbody tr")
    ]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_summary_numbers(rendered, lang):
    rows = {r[0]: r[1:] for r in _body_rows(_soup(rendered, lang), "summary")}
    total = "Totalt" if lang == "sv" else "Total"
    assert list(rows) == [A, B, C, total]
    # columns: for green, yellow, red, unknown, total: previous, current, change; inferred; share
    a = [_number(x) for x in rows[A]]
    assert a[:12] == [1, 1, 0, 2, 1, -1, 1, 1, 0, 0, 0, 0]
    assert a[12:15] == [4, 3, -1]
    b = [_number(x) for x in rows[B]]
    assert b[3:6] == [1, 2, 1] and b[15:] == [1, 33]
    t = [_number(x) for x in rows[total]]
    assert t[:3] == [3, 2, -1] and t[12:] == [9, 9, 0, 2, 22]
    assert rows[A][5] == "\u22121" and rows[B][5] == "+1"  # signed changes


def test_summary_percent_is_swedish_with_a_space(rendered):
    rows = {r[0]: r[1:] for r in _body_rows(_soup(rendered, "sv"), "summary")}
    assert rows[B][-1] == "33 %"
    rows_en = {r[0]: r[1:] for r in _body_rows(_soup(rendered, "en"), "summary")}
    assert rows_en[B][-1] == "33%"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("sv", ["Grönt", "Gult", "Rött", "Okänt", "Ny"]),
        ("en", ["Green", "Yellow", "Red", "Unknown", "New"]),
    ],
)
def test_transition_matrix(rendered, lang, words):
    rows = _body_rows(_soup(rendered, lang), "matrix")
    matrix = {r[0]: [int(_number(x)) for x in r[1:]] for r in rows}
    assert list(matrix) == words
    green, yellow, red, unknown, new = (matrix[w] for w in words)
    # to: green, yellow, red, unknown, gone
    assert green == [0, 1, 0, 1, 1]
    assert yellow == [0, 2, 1, 0, 1]
    assert red == [1, 1, 0, 0, 0]
    assert unknown == [0, 0, 0, 0, 0]
    assert new == [1, 0, 1, 0, 0]


def test_swedish_and_english_headings(rendered):
    sv, en = _soup(rendered, "sv"), _soup(rendered, "en")
    assert sv.html["lang"] == "sv" and en.html["lang"] == "en"
    sv_h2 = [h.get_text() for h in sv.find_all("h2")]
    en_h2 = [h.get_text() for h in en.find_all("h2")]
    assert "Sammanfattning per målområde" in sv_h2 and "Löften som inte hållits" in sv_h2
    assert "Summary by goal area" in en_h2 and "Slipped promises" in en_h2
    assert len(sv_h2) == len(en_h2) == 11
    assert sv_h2[0] == "I korthet" and en_h2[0] == "At a glance"
    assert sv.h1.get_text() == "Uppföljning: region-exempel"
    compared = sv.select_one("#section-compared").get_text(" ", strip=True)
    assert "uppfoljning-2022-T2.pdf" in compared and "20 januari 2023" in compared
    assert "12 september 2022" in compared


def test_status_cells_are_coloured_words_and_inferred_is_marked(rendered):
    soup = _soup(rendered, "sv")
    table = soup.select_one("#section-worsened table")
    styled = {td.get_text(strip=True): td.get("style", "") for td in table.select("tbody td")}
    # light tints with dark words, the report's own colour as a marker on the edge
    assert "#FFC7CE" in styled["Rött"].upper() and "#FF0000" in styled["Rött"].upper()
    assert "#C6EFCE" in styled["Grönt"].upper() and "#00B050" in styled["Grönt"].upper()
    assert "#FFEB9C" in styled["Gult*"].upper() and "#FFC000" in styled["Gult*"].upper()
    assert "härledd från kommentaren" in table.get_text()
    # the strip marks inferred cells too, and gaps are a dash, not a colour
    strip = _body_rows(soup, "strip")
    c3 = next(r for r in strip if r[0].startswith("Starta en ny"))
    assert c3[2:5] == ["–", "–", "Rött*"]


def test_script_in_a_comment_is_text_not_markup(rendered):
    raw = rendered["sv.html"].read_text(encoding="utf-8")
    soup = _soup(rendered, "sv")
    assert soup.find_all("script") == []
    assert "&lt;script&gt;alert(" in raw
    shown = soup.select_one("#section-worsened").get_text()
    assert SCRIPT_COMMENT in shown


def test_nothing_loads_from_the_network(rendered):
    raw = rendered["sv.html"].read_text(encoding="utf-8")
    soup = _soup(rendered, "sv")
    assert soup.find_all(["link", "script", "img", "iframe"]) == []
    css = "\n".join(s.get_text() for s in soup.find_all("style"))
    assert "@import" not in css
    assert re.search(r"url\(", css) is None
    assert "fonts.googleapis" not in raw
    assert all(
        not (tag.get("src") or tag.get("href") or "").startswith(("http:", "https:", "//"))
        for tag in soup.find_all(True)
    )


def test_first_report_and_rows_without_goal_area(tables):
    import polars as pl

    from pipelines.report.model import build_report_data
    from pipelines.report.render import report_html
    from pipelines.synthetic.report_sample import ORG

    first = tables["snapshots"].filter(pl.col("period") == "2022-T1")
    first = first.with_columns(
        pl.when(pl.col("activity_id") == "c4")
        .then(None)
        .otherwise(pl.col("goal_area"))
        .alias("goal_area")
    )
    soup = BeautifulSoup(
        report_html(build_report_data(first, None, None, None, org=ORG)), "html.parser"
    )
    assert "ingen tidigare rapport" in soup.select_one(".subtitle").get_text()
    assert soup.select_one("#section-matrix") is None
    assert soup.select_one("#section-slipped .empty").get_text() == "Inga."
    rows = {r[0]: r[1:] for r in _body_rows(soup, "summary")}
    assert "(utan målområde)" in rows
    assert rows["(utan målområde)"][:3] == ["–", "0", "–"]  # no previous: dashes, not zeros


def test_an_activity_without_any_colour_gets_no_nanoplot_and_no_error(tables):
    import polars as pl

    from pipelines.report.model import build_report_data
    from pipelines.report.render import report_html
    from pipelines.synthetic.report_sample import ORG

    snaps = tables["snapshots"].with_columns(
        pl.when(pl.col("activity_id") == "a2")
        .then(pl.lit("unknown"))
        .otherwise(pl.col("status"))
        .alias("status")
    )
    soup = BeautifulSoup(
        report_html(build_report_data(snaps, None, None, None, org=ORG)), "html.parser"
    )
    a2 = next(
        tr for tr in soup.select("#section-strip tbody tr") if "digitala tjänster" in tr.get_text()
    )
    assert a2.find("svg") is None and a2.find_all("td")[-1].get_text(strip=True) == "–"
