"""great-tables builders: one ``GT`` per report section, Swedish by default.

Report text (activities, comments, file names) goes into cells as plain values, never through
``md()``/``html()``, so great-tables escapes it: a comment with ``<script>`` stays text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipelines.report.labels import Labels
from pipelines.report.model import ReportData
from pipelines.report.views import (
    CODE,
    STATUS_COLOURS,
    STATUS_TEXT,
    View,
    labels_for,
    report_views,
)

if TYPE_CHECKING:
    from great_tables import GT

# System fonts only: the report must open without network access.
FONT_STACK = ["system-ui", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
WIDE_COLUMN = "280px"


def _spanners(view: View) -> list[tuple[str, list[str]]]:
    """Consecutive columns sharing a spanner label, in order."""
    groups: list[tuple[str, list[str]]] = []
    for col in view.columns:
        if col.spanner is None:
            continue
        if groups and groups[-1][0] == col.spanner and groups[-1][1][-1] == _previous(view, col):
            groups[-1][1].append(col.name)
        else:
            groups.append((col.spanner, [col.name]))
    return groups


def _previous(view: View, col) -> str | None:
    names = [c.name for c in view.columns]
    i = names.index(col.name)
    return names[i - 1] if i else None


def _status_styles(gt: GT, view: View) -> GT:
    from great_tables import loc, style

    for name in view.status_columns:
        codes = view.frame[name + CODE].to_list()
        for code, fill in STATUS_COLOURS.items():
            rows = [i for i, c in enumerate(codes) if c == code]
            if not rows:
                continue
            styles = [style.fill(color=fill), style.text(color=STATUS_TEXT[code], weight="bold")]
            where = loc.stub(rows=rows) if name == view.stub else loc.body(columns=name, rows=rows)
            gt = gt.tab_style(style=styles, locations=where)
    return gt


def gt_table(view: View, lab: Labels) -> GT:
    """A styled great-tables table for one section."""
    from great_tables import GT, loc, style

    locale = lab.lang
    frame = view.frame
    gt = GT(frame, rowname_col=view.stub, id=f"report-{view.key}", locale=locale)
    shown = {c.name for c in view.columns}
    hidden = [c for c in frame.columns if c not in shown]
    if hidden:
        gt = gt.cols_hide(hidden)
    gt = gt.cols_label(**{c.name: c.label for c in view.columns if c.name != view.stub})
    if view.stub_label:
        gt = gt.tab_stubhead(view.stub_label)
    for i, (label, names) in enumerate(_spanners(view)):
        spanner_id = f"{view.key}-spanner-{i}"
        gt = gt.tab_spanner(label=label, columns=names, id=spanner_id)
        code = next((s for s in STATUS_COLOURS if lab(s) == label), None)
        if code is not None:
            gt = gt.tab_style(
                style=[
                    style.fill(color=STATUS_COLOURS[code]),
                    style.text(color=STATUS_TEXT[code], weight="bold"),
                ],
                locations=loc.spanner_labels(ids=[spanner_id]),
            )
    by_kind: dict[str, list[str]] = {}
    for col in view.columns:
        by_kind.setdefault(col.kind, []).append(col.name)
    if by_kind.get("int"):
        gt = gt.fmt_integer(columns=by_kind["int"], locale=locale)
    if by_kind.get("signed"):
        gt = gt.fmt_integer(columns=by_kind["signed"], force_sign=True, locale=locale)
    if by_kind.get("percent"):
        gt = gt.fmt_percent(
            columns=by_kind["percent"], decimals=0, locale=locale, incl_space=locale == "sv"
        )
    if by_kind.get("date"):
        gt = gt.fmt_date(columns=by_kind["date"], date_style="day_month_year", locale=locale)
        gt = gt.tab_style(
            style=style.css("white-space: nowrap;"), locations=loc.body(columns=by_kind["date"])
        )
    gt = gt.sub_missing(missing_text="–")
    gt = _status_styles(gt, view)
    if by_kind.get("status"):
        gt = gt.cols_align(align="center", columns=[c for c in by_kind["status"] if c != view.stub])
    wide = {c.name: WIDE_COLUMN for c in view.columns if c.wide}
    if wide:
        gt = gt.cols_width(cases=wide)
    if view.key == "summary" and frame.height:
        gt = gt.tab_style(
            style=[style.text(weight="bold"), style.borders(sides="top", weight="2px")],
            locations=loc.body(rows=[frame.height - 1]),
        )
    if view.has_inferred:
        gt = gt.tab_source_note(lab("inferred_note"))
    # Period labels like 2022-T2 must not break at the hyphen.
    gt = gt.opt_css(f"#report-{view.key} .gt_col_heading {{ white-space: nowrap; }}")
    return (
        gt.opt_table_font(font=FONT_STACK, add=False)
        .tab_options(
            table_font_size="13px",
            column_labels_font_weight="bold",
            data_row_padding="4px",
            table_margin_left="0",
        )
        .opt_vertical_padding(scale=0.8)
    )


def report_tables(data: ReportData, lang: str = "sv") -> list[tuple[View, GT]]:
    """Every section of the report as (view, great-tables table), in reading order."""
    lab = labels_for(data, lang)
    return [(view, gt_table(view, lab)) for view in report_views(data, lang)]
