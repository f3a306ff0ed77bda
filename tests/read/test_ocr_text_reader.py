"""The OCR text reader on the real report (against a hand transcription) and on rendered ones."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import polars as pl
import pytest

from pipelines.core.errors import ReportFormatError
from pipelines.read import FORMATS, READER_COLUMNS, detect_format, read_report
from pipelines.read.ocr_text import _join_lines
from pipelines.swedish.units import fold_key
from tests.read.ocr_layout import (
    COMMENT_WIDTH,
    TEMPLATES,
    Features,
    Renderer,
    Template,
    TemplateRenderer,
)

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "pipelines/sample_data/region-vastmanland_2022-07-07_ocr.txt"
TRUTH = ROOT / "tests/data/region-vastmanland_2022-07-07_truth.csv"


def shape(text: str | None) -> str:
    """Text with every a/e/o-like vowel alike: equal shapes mean the same cell text was read,
    whatever the Swedish repair made of ä/ö/å (those have their own tests and benchmark)."""
    text = (text or "").lower()
    text = re.sub(r"[aeoåäöé]", "*", text)
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def truth() -> pl.DataFrame:
    return pl.read_csv(TRUTH, infer_schema_length=0)


@pytest.fixture(scope="module")
def real():
    return read_report(REPORT)


def test_the_format_is_registered_after_the_spreadsheets_and_detected():
    order = list(FORMATS)
    assert order.index("ocr-text") > max(order.index("xlsx"), order.index("csv"))
    assert FORMATS["ocr-text"] == "ocr_text"
    assert detect_format(REPORT) == "ocr-text"


def test_real_report_has_every_row_in_document_order(real, truth):
    rows = real.rows
    assert real.format == "ocr-text"
    assert rows.columns[: len(READER_COLUMNS)] == READER_COLUMNS
    assert rows["source_row"].to_list() == list(range(1, truth.height + 1))
    assert rows["page"].dtype == pl.Int64
    assert rows["page"].is_sorted()
    assert set(rows["status"]) == {"unknown"} and set(rows["status_source"]) == {"absent"}
    for column in ("goal_area_raw", "activity_raw", "unit_raw", "comment_raw"):
        assert rows[column].null_count() == 0, column


def test_real_report_rows_pass_the_canonical_schema(real):
    import datetime as dt

    from checks.schemas import CanonicalRows
    from pipelines.ingest.period import with_meta

    rows = with_meta(
        real, "region-vastmanland", "2022-Q2", dt.date(2022, 7, 7), REPORT.name, "0" * 64
    )
    CanonicalRows.validate(rows)


def test_real_report_goal_areas_and_units_are_exact(real, truth):
    assert real.rows["goal_area"].to_list() == truth["goal_area"].to_list()
    assert real.rows["unit"].to_list() == truth["unit"].to_list()


def test_real_report_activities_are_paired_with_their_own_unit_and_comment(real, truth):
    got, want = real.rows.to_dicts(), truth.to_dicts()
    for g, w in zip(got, want, strict=True):
        # OCR glitches the repair cannot undo (sidkrad, projektplaneninara) stay: near, not equal
        for field in ("activity", "comment"):
            ratio = difflib.SequenceMatcher(a=shape(g[field]), b=shape(w[field])).ratio()
            assert ratio >= 0.95, (w["source_row"], g[field], w[field])
    exact_activities = sum(g["activity"] == w["activity"] for g, w in zip(got, want, strict=True))
    exact_comments = sum(g["comment"] == w["comment"] for g, w in zip(got, want, strict=True))
    assert exact_activities >= 0.85 * len(want)
    assert exact_comments >= 0.8 * len(want)


def test_tricky_rows_of_the_real_report(real, truth):
    rows = {r["activity"]: r for r in real.rows.to_dicts()}
    school = rows["Utveckla arbetet med hälsofrämjande skola och skolutveckling."]
    assert school["comment"].endswith("i juni. Detta var ett uppdrag från skolchefsnätverket")
    assert school["unit"] == "Folkhälsa"
    survey = next(r for a, r in rows.items() if a.startswith("Kartläggning tillsammans med"))
    assert survey["unit"] == "Folkhälsa" and survey["comment"] == "Pågår enligt plan"
    assert "som ska ligga till grund för satsningar och prioriteringar" in survey["activity"]
    measuring = rows["Bedriva mätningar och kartläggning av mobiltäckningen i länet."]
    assert measuring["unit"] == "Samhällsutveckling"
    assert measuring["comment"].endswith("inom 900 Mhz bandet.")


def test_real_report_warns_about_the_pages_it_had_to_guess_on(real):
    pages = {w.page for w in real.warnings}
    assert pages and all(isinstance(p, int) for p in pages)
    assert all(
        w.source_row is not None and "paired by position" in w.message for w in real.warnings
    )


@pytest.mark.parametrize("seed", range(12))
def test_rendered_reports_are_read_back(tmp_path, truth, seed):
    text, rows = Renderer(seed).render(truth.to_dicts())
    # the bundled region's rows: its unit aliases (units.yaml) apply to its files
    path = tmp_path / "region-vastmanland_rendered.txt"
    path.write_text(text, encoding="utf-8")
    result = read_report(path)
    got = result.rows.to_dicts()
    assert len(got) == len(rows)
    for index, (g, w) in enumerate(zip(got, rows, strict=True), start=1):
        assert g["source_row"] == index
        assert g["unit"] == w["unit"], index
        assert shape(g["goal_area"]) == shape(w["goal_area"]), index
        assert shape(g["activity"]) == shape(w["activity"]), index
        assert shape(g["comment"]) == shape(w["comment"]), index


def test_the_renderer_makes_the_awkward_layouts_it_claims(truth):
    for seed in range(12):
        lines = Renderer(seed).render(truth.to_dicts())[0].splitlines()
        assert any(line.startswith("Verksamhet Kommentar") for line in lines)  # side by side
        assert "2022-07-07" in lines and any(" forts. AKTIVITETER" in line for line in lines)
        assert any(
            line[:1] == " "
            and line[1:2].isupper()
            and "AKTIV" not in line
            and "Kommentar" not in line
            for line in lines
        )  # a bare page break
        markers = [i for i, line in enumerate(lines) if "Kommentar" in line]
        assert any(lines[i + 2][:1].islower() for i in markers)  # a comment carried over
        late = [
            line
            for line in lines
            if line[:1] == " "
            and re.search(
                r" (Samhallsutveckling|Folkhalsa|Kultur och|Vilfard"
                r"|Valfard|Naringsliv och|Tarna)",
                line,
            )
        ]
        assert late  # rows whose activity and unit stand inside the comment column


def test_rendered_reports_come_back_in_good_swedish(tmp_path, truth):
    right = total = 0
    for seed in range(4):
        text, rows = Renderer(100 + seed).render(truth.to_dicts())
        path = tmp_path / f"report{seed}.txt"
        path.write_text(text, encoding="utf-8")
        got = read_report(path).rows.to_dicts()
        for g, w in zip(got, rows, strict=True):
            for field in ("activity", "comment"):
                want_words, got_words = w[field].split(), (g[field] or "").split()
                total += len(want_words)
                right += sum(a == b for a, b in zip(got_words, want_words, strict=False))
    assert right / total >= 0.95


def test_plain_layout_without_any_trouble_gives_no_warnings(tmp_path, truth):
    calm = Features(
        stray_lines=0,
        unseparated=0,
        carry_comment=False,
        side_by_side=False,
        interleaved=False,
        bare_break=False,
    )
    text, rows = Renderer(7, calm).render(truth.to_dicts()[:20])
    path = tmp_path / "calm.txt"
    path.write_text(text, encoding="utf-8")
    result = read_report(path)
    assert result.rows.height == len(rows)
    assert result.warnings == []


def test_a_missing_comment_is_reported_not_guessed_silently(tmp_path, truth):
    rows = [dict(r) for r in truth.to_dicts() if r["goal_area"] == "Ett välmående Västmanland"]
    calm = Features(
        carry_comment=False,
        side_by_side=False,
        interleaved=False,
        bare_break=False,
        stray_lines=0,
        unseparated=0,
    )
    text, ordered = Renderer(3, calm).render(rows)
    victim = ordered[4]["comment"]
    lines = text.splitlines()
    first = Renderer.wrap(victim, COMMENT_WIDTH)[0]
    # find the comment's (noisy) first line by its shape and drop the whole cell
    start = next(i for i, line in enumerate(lines) if shape(line) == shape(first))
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    path = tmp_path / "missing.txt"
    path.write_text("\n".join(lines[:start] + lines[end + 1 :]) + "\n", encoding="utf-8")
    result = read_report(path)
    assert result.rows.height == len(ordered)  # every row it could pair is still there
    assert any(w.source_row is not None and w.page for w in result.warnings)
    assert any("comments" in w.message for w in result.warnings)


def test_wrapped_lines_are_joined_with_hyphenation_and_compound_dashes():
    assert _join_lines(["Bevakar EU-", "utlysningar och"]) == "Bevakar EU-utlysningar och"
    assert (
        _join_lines(["arbetet med kompetens-", "försörjning"]) == "arbetet med kompetensförsörjning"
    )
    assert _join_lines(["sluten hälso- och", "sjukvård."]) == "sluten hälso- och sjukvård."
    assert (
        _join_lines(["Näringsliv och", "kompetensförsörjning"])
        == "Näringsliv och kompetensförsörjning"
    )


def test_a_text_file_that_is_no_report_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Verksamhet\nKommentar\nnothing else\n", encoding="utf-8")
    with pytest.raises(ReportFormatError):
        read_report(path, fmt="ocr-text")


# ------------------------------------------------------------------------------------------
# Other organisations' templates: units, goal areas, header words and headings that appear
# nowhere in the bundled report (tests/read/ocr_layout.py::TEMPLATES)

KOMMUN = ROOT / "tests/data/ocr_variants_kommun_rows.csv"


def loose(text: str | None) -> str:
    """``shape`` that also forgives the OCR damage the repair need not undo (l/I/1, rn/m)."""
    text = (text or "").lower().replace("rn", "m")
    text = re.sub(r"[li1|]", "l", text)
    return shape(re.sub(r"[63é0d]", "a", text)).replace("*", "a").replace("a", "*")


@pytest.fixture(scope="module")
def kommun() -> list[dict]:
    return pl.read_csv(KOMMUN, infer_schema_length=0).to_dicts()


def test_the_variants_vocabulary_is_not_the_bundled_reports(kommun, truth):
    units = {u.casefold() for u in truth["unit"]}
    areas = {a.casefold() for a in truth["goal_area"]}
    for row in kommun:
        assert row["unit"].casefold() not in units
        assert row["goal_area"].casefold() not in areas
    assert len(TEMPLATES) >= 6


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.name)
@pytest.mark.parametrize("seed", [1, 2])
def test_every_template_variant_is_read_row_by_row(tmp_path, kommun, template, seed):
    text = TemplateRenderer(template, seed).render(kommun)
    path = tmp_path / "kommun-x_2023-03-31.txt"
    path.write_text(text, encoding="utf-8")
    assert detect_format(path) == "ocr-text"
    result = read_report(path)
    got = result.rows.to_dicts()
    assert len(got) == len(kommun), [w.message for w in result.warnings]
    exact = template.damage == 0
    for index, (g, w) in enumerate(zip(got, kommun, strict=True), start=1):
        where = (template.name, index)
        assert g["source_row"] == index
        if exact:  # the same text, but for å/ä/ö where the OCR lost them ("saker" is a word)
            assert fold_key(g["goal_area"]) == fold_key(w["goal_area"]), where
            assert fold_key(g["unit"]) == fold_key(w["unit"]), where
        else:
            assert loose(g["goal_area"]) == loose(w["goal_area"]), where
            assert loose(g["unit"]) == loose(w["unit"]), where
        assert loose(g["activity"]) == loose(w["activity"]), where
        assert loose(g["comment"]) == loose(w["comment"]), where
        if template.status_words:  # the document shows the status as a word
            assert (g["status"], g["status_source"]) == (w["status"], "reported"), where
            assert g["status_raw"] in {"Grönt", "Gult", "Rött", "Gront", "Rott"}, where
        else:  # colours do not survive OCR
            assert (g["status"], g["status_source"]) == ("unknown", "absent"), where
        assert g["unit_raw"] and g["activity_raw"] and g["comment_raw"] and g["goal_area_raw"]
    assert result.pages == len(result.tables) == max(r["page"] for r in got)
    assert sum(t.rows for t in result.tables) == len(got)
    for table in result.tables:
        assert table.where == f"page {table.page}"
        fields = ["activity", "unit", "comment"]
        if template.status_words:
            assert table.status_encoding == "word"
            fields = ["activity", "unit", "status", "comment"]
        else:
            assert table.status_encoding == "none"
        assert [c.field for c in table.columns] == fields


def test_a_page_whose_counts_disagree_loses_no_activity(tmp_path, kommun):
    """A unit cell the OCR lost: every activity still becomes a row, the page is flagged with
    its number and a lowered confidence."""
    text = TemplateRenderer(TEMPLATES[0], 3).render(kommun)
    lines = text.splitlines()
    victim = next(i for i, line in enumerate(lines) if line == "Stadsbyggnad")
    path = tmp_path / "kommun-x_2023-03-31.txt"
    path.write_text("\n".join(lines[:victim] + lines[victim + 1 :]) + "\n", encoding="utf-8")
    result = read_report(path)
    activities = [loose(a) for a in result.rows["activity"].to_list()]
    for row in kommun:
        assert loose(row["activity"]) in activities
    flagged = [t for t in result.tables if t.confidence < 0.5]
    assert len(flagged) == 1 and flagged[0].notes
    warning = next(w for w in result.warnings if w.page == flagged[0].page)
    assert f"page {flagged[0].page}" in warning.message and "confidence 0.4" in warning.message


def test_stray_lines_are_dropped_with_a_note(tmp_path, kommun):
    text = TemplateRenderer(TEMPLATES[0], 4).render(kommun[:4])
    text = text.replace("\nVerksamhet\n", "\n§ 3\n\nVerksamhet\n", 1)
    path = tmp_path / "kommun-x_2023-03-31.txt"
    path.write_text(text, encoding="utf-8")
    result = read_report(path)
    assert result.rows.height == 4
    assert any("'§ 3'" in note for t in result.tables for note in t.notes)


RENAMED_UNITS = [  # (OCR spellings in the bundled file, another organisation's unit as OCR'd)
    (r"Naringsliv och\s*\n\s*[Kk]ompetensforsorjning", "Arbetsmarknad och\nvuxenutbildning"),
    (r"Naringsliv och [Kk]ompetensforsorjning", "Arbetsmarknad och vuxenutbildning"),
    (r"Kultur och [Ii]deell sektor", "Kultur- och fritidsforvaltningen"),
    (r"\bSamhallsutveckling\b", "Stadsbyggnadskontoret"),
    (r"\bHallbarhet\b", "Miljoforvaltningen"),
    (r"\bFolkh[aéd]lsa\b", "Socialtjanst"),
    (r"\bV[ia]lfard\b", "Omsorgsforvaltningen"),
    (r"\bLedningsstaben\b", "Kommunledningskontoret"),
    (r"\bTarna folkhogskola\b", "Gymnasieskolan"),
]
NEW_NAMES = {
    "Näringsliv och kompetensförsörjning": "Arbetsmarknad och vuxenutbildning",
    "Kultur och ideell sektor": "Kultur- och fritidsförvaltningen",
    "Samhällsutveckling": "Stadsbyggnadskontoret",
    "Hållbarhet": "Miljöförvaltningen",
    "Folkhälsa": "Socialtjänst",
    "Välfärd": "Omsorgsförvaltningen",
    "Ledningsstaben": "Kommunledningskontoret",
    "Tärna folkhögskola": "Gymnasieskolan",
}


def test_the_bundled_layout_with_other_units_still_gives_every_row(tmp_path, truth):
    """The issue's case: the real report with other, equally plausible unit names (80 rows
    became 35 when units were looked up in units.yaml). Units come from the unit column."""
    text = REPORT.read_text(encoding="utf-8")
    for pattern, name in RENAMED_UNITS:
        text = re.sub(pattern, name, text)
    path = tmp_path / "kommun-y_2022-07-07_ocr.txt"
    path.write_text(text, encoding="utf-8")
    got = read_report(path).rows.to_dicts()
    assert len(got) == truth.height
    old_words = {fold_key(w) for name in NEW_NAMES for w in name.split() if len(w) > 4}
    for g, w in zip(got, truth.to_dicts(), strict=True):
        want = "/".join(NEW_NAMES[part] for part in w["unit"].split("/"))
        assert fold_key(g["unit"]) == fold_key(want), (w["source_row"], g["unit"], want)
        if not set(fold_key(w["activity"]).split()) & old_words:
            ratio = difflib.SequenceMatcher(a=shape(g["activity"]), b=shape(w["activity"]))
            assert ratio.ratio() >= 0.95, (w["source_row"], g["activity"])


def test_empty_comment_cells_lose_no_row_and_are_flagged(tmp_path, kommun):
    """Empty comment cells leave nothing in the OCR text: the page has fewer comments than
    rows. Every row is kept, the empty ones are placed where the words pair best, and the page
    says so with its number and a lowered confidence."""
    rows = [dict(r) for r in kommun]
    for k in (2, 13, 25):
        rows[k]["comment"] = ""
    path = tmp_path / "kommun-x_2023-03-31.txt"
    path.write_text(TemplateRenderer(TEMPLATES[0], 5).render(rows), encoding="utf-8")
    result = read_report(path)
    got = result.rows.to_dicts()
    assert len(got) == len(rows)
    assert [loose(g["activity"]) for g in got] == [loose(w["activity"]) for w in rows]
    pairs = list(zip(got, rows, strict=True))
    paired = sum(loose(g["comment"]) == loose(w["comment"]) for g, w in pairs)
    assert paired >= len(rows) - 4
    assert 1 <= sum(g["comment"] is None for g in got) <= 3
    flagged = {t.page for t in result.tables if t.confidence < 1}
    assert flagged >= {g["page"] for g, w in pairs if not w["comment"]}
    for page in flagged:  # a split at a sentence end or a row left empty: said, per page
        assert any(w.page == page and "comments:" in w.message for w in result.warnings)


def test_real_report_has_one_found_table_per_page_and_flags_its_guesses(real, truth):
    assert real.pages == len(real.tables) == real.rows["page"].max()
    assert sum(t.rows for t in real.tables) == truth.height
    # cells split or merged to make the columns agree: a warning; a side-by-side page (0.9,
    # one row per line) is said in its table only
    guessed = {t.page for t in real.tables if t.confidence <= 0.7}
    assert guessed == {w.page for w in real.warnings}
    assert any(t.confidence == 0.9 for t in real.tables)
    for table in real.tables:
        assert sum(table.goal_areas.values()) == table.rows
        unit = next(c for c in table.columns if c.field == "unit")
        assert "unit column" in unit.reason


def test_a_comment_that_is_a_status_phrase_stays_a_comment(tmp_path, kommun):
    """Status words are read in a status column only; in the comment column "Pågår enligt
    plan" is the comment."""
    rows = [dict(r) for r in kommun[:6]]
    rows[1]["comment"] = "Pågår enligt plan"
    rows[4]["comment"] = "Klar"
    path = tmp_path / "kommun-x_2023-03-31.txt"
    path.write_text(TemplateRenderer(TEMPLATES[0], 1).render(rows), encoding="utf-8")
    got = read_report(path).rows.to_dicts()
    assert [loose(g["comment"]) for g in got] == [loose(w["comment"]) for w in rows]
    assert {g["status_source"] for g in got} == {"absent"}


def test_a_short_comment_ending_several_pages_is_no_running_title(tmp_path, kommun):
    """Running titles recur at the edge of most pages; a comment that ends three pages of a
    longer report is still that row's comment."""
    rows = [dict(r) for r in kommun]
    for k in (3, 7, 11):
        rows[k]["comment"] = "Pågår enligt plan"
    template = Template("four-per-page", rows_per_page=(4, 4))
    path = tmp_path / "kommun-x_2023-03-31.txt"
    path.write_text(TemplateRenderer(template, 1).render(rows), encoding="utf-8")
    got = read_report(path).rows.to_dicts()
    assert [g["comment"] for g in got[3:12:4]] == ["Pågår enligt plan"] * 3


def test_a_line_left_out_of_every_row_is_named_in_a_warning(tmp_path, kommun, monkeypatch):
    """The guard behind the pairing: should a page's pairing ever leave a source line out of
    every row, the line's text goes into that page's warning (simulated here by a pairing
    that forgets the last comment of page 1)."""
    from pipelines.read import ocr_text

    pair = ocr_text._rows_of

    def forgetful(table):
        rows, report = pair(table)
        if table.page.number == 1:
            last = [x for x in table.com_lines if x.kind == "text"][-1]
            report.used.discard(last.no)
        return rows, report

    monkeypatch.setattr(ocr_text, "_rows_of", forgetful)
    path = tmp_path / "kommun-x_2023-03-31.txt"
    path.write_text(TemplateRenderer(TEMPLATES[0], 2).render(kommun[:6]), encoding="utf-8")
    result = read_report(path)
    warning = next(w for w in result.warnings if w.page == 1)
    assert "in no row" in warning.message and "line " in warning.message
    assert result.tables[0].confidence <= 0.4
