"""great-tables builders: one ``GT`` per report section, Swedish by default.

Report text (activities, comments, file names) goes into cells as plain values, never through
``md()``/``html()``, so great-tables escapes it: a comment with ``<script>`` stays text.
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

from pipelines.report.colours import MARKERS, STATUS_FILL, STATUS_TEXT
from pipelines.report.gt_speedups import apply_gt_speedups
from pipelines.report.labels import Labels
from pipelines.report.model import ReportData
from pipelines.report.views import CODE, View, labels_for, report_views

if TYPE_CHECKING:
    from great_tables import GT

# System fonts only: the report must open without network access.
FONT_STACK = ["system-ui", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
WIDE_COLUMN = "280px"
# Widths the sticky columns share with the page CSS (narrower on a phone, see render.py).
ACTIVITY_WIDTH = "var(--activity-width)"
STATUS_WIDTH = "var(--status-width)"
# Sections whose rows are grouped under their goal area (instead of a goal-area column).
GROUPED = {"worsened", "improved", "off_plan", "slipped", "new", "dropped", "strip"}


def _sticky(left: str, width: str, background: str | None = "#ffffff") -> str:
    rule = (
        f"position: sticky; left: {left}; z-index: 1; box-sizing: border-box; "
        f"min-width: {width}; max-width: {width}; width: {width};"
    )
    return rule + (f" background-color: {background};" if background else "")


def sticky_css(
    gt: GT, table_id: str, sticky: list[tuple[str, str, str]], rendered: list[str]
) -> GT:
    """Keep columns in view while the table scrolls sideways: one CSS rule per column (by its
    position), not a style on every cell — per-cell styles made great-tables' rendering of a
    long table several times slower."""
    for name, left, width in sticky:
        k = rendered.index(name) + 1  # the cell's position in its row
        background = "background-color: #ffffff;" if k == 1 else ""
        rule = _sticky(left, width, None) + background
        gt = gt.opt_css(
            f"#{table_id} tbody tr:not(.gt_group_heading_row) > td:nth-child({k}),"
            f" #{table_id} thead tr.gt_col_headings > th:nth-child({k})"
            f" {{ {rule} }}\n"
            f"#{table_id} thead tr.gt_col_headings > th:nth-child({k})"
            " { background-color: #ffffff; }"
        )
    return gt


def _sticky_columns(view: View) -> list[tuple[str, str, str]]:
    """(column, left offset, width) of the columns kept visible while a wide table scrolls: the
    activity and the status column(s) right after it."""
    names = [c.name for c in view.columns if c.kind != "nanoplot"]
    if "activity" not in names:
        return []
    out = [("activity", "0px", ACTIVITY_WIDTH)]
    i = names.index("activity") + 1
    offset = ACTIVITY_WIDTH
    kinds = {c.name: c.kind for c in view.columns}
    while i < len(names) and kinds[names[i]] == "status" and view.key != "strip":
        out.append((names[i], offset, STATUS_WIDTH))
        offset = f"calc({offset} + {STATUS_WIDTH})"
        i += 1
    return out


_PERIOD = re.compile(r"(\d{4}-[A-Za-z]+\d*)")


def _label(text: str):
    """A column label whose period (``2022-T2``) never breaks at its hyphen, while the rest of
    the label may wrap on a narrow screen (HTML only from our own, escaped, words)."""
    if not _PERIOD.search(text):
        return text
    from great_tables import html as gt_html

    parts = _PERIOD.split(text)
    return gt_html(
        "".join(
            f'<span style="white-space: nowrap">{escape(p)}</span>'
            if _PERIOD.fullmatch(p)
            else escape(p)
            for p in parts
        )
    )


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
        for code, fill in STATUS_FILL.items():
            rows = [i for i, c in enumerate(codes) if c == code]
            if not rows:
                continue
            styles = [
                style.fill(color=fill),
                style.text(color=STATUS_TEXT[code], weight="bold"),
                # the report's own colour as a bar on the left edge; the word says the rest
                style.css(f"box-shadow: inset 5px 0 0 {MARKERS[code]};"),
            ]
            where = loc.stub(rows=rows) if name == view.stub else loc.body(columns=name, rows=rows)
            gt = gt.tab_style(style=styles, locations=where)
    return gt


def gt_table(view: View, lab: Labels) -> GT:
    """A styled great-tables table for one section."""
    from great_tables import GT, loc, style

    apply_gt_speedups()

    locale = lab.lang
    order = [c.name for c in view.columns]
    frame = view.frame.select(order + [c for c in view.frame.columns if c not in order])
    stub = view.stub or ("goal_area" if view.key == "summary" else None)
    group = "goal_area" if view.key in GROUPED and frame.height else None
    gt = GT(frame, rowname_col=stub, groupname_col=group, id=f"report-{view.key}", locale=locale)
    if view.key == "summary":
        gt = gt.tab_stubhead(next(c.label for c in view.columns if c.name == "goal_area"))
    shown = {c.name for c in view.columns if c.name != group}
    hidden = [c for c in frame.columns if c not in shown and c not in (stub, group)]
    if hidden:
        gt = gt.cols_hide(hidden)
    gt = gt.cols_label(
        **{c.name: _label(c.label) for c in view.columns if c.name not in (stub, group)}
    )
    if view.stub_label:
        gt = gt.tab_stubhead(view.stub_label)
    for i, (label, names) in enumerate(_spanners(view)):
        spanner_id = f"{view.key}-spanner-{i}"
        gt = gt.tab_spanner(label=label, columns=names, id=spanner_id)
        code = next((s for s in STATUS_FILL if lab(s) == label), None)
        if code is not None:
            gt = gt.tab_style(
                style=[
                    style.fill(color=STATUS_FILL[code]),
                    style.text(color=STATUS_TEXT[code], weight="bold"),
                    style.css(f"box-shadow: inset 0 -4px 0 {MARKERS[code]};"),
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
    if by_kind.get("nanoplot"):
        from great_tables import nanoplot_options

        gt = gt.fmt_nanoplot(
            columns=by_kind["nanoplot"][0],
            plot_type="line",
            expand_y=[1, 3],
            options=nanoplot_options(
                data_point_radius=6,
                data_line_stroke_color="#1f4e79",
                data_point_fill_color="#1f4e79",
                data_point_stroke_color="#ffffff",
                show_data_area=False,
                interactive_data_values=True,  # values on hover, not printed over the line
            ),
        )
    rendered = [c.name for c in view.columns if c.name not in (stub, group)]
    gt = sticky_css(gt, f"report-{view.key}", _sticky_columns(view), rendered)
    wide = {c.name: WIDE_COLUMN for c in view.columns if c.wide and c.name != "activity"}
    if wide:
        gt = gt.cols_width(cases=wide)
    if view.key == "summary" and frame.height:
        gt = gt.opt_css(
            f"#report-{view.key} tbody .gt_stub {{ {_sticky('0px', 'var(--area-width)')} }}"
        )
        gt = gt.tab_style(
            style=[style.text(weight="bold"), style.borders(sides="top", weight="2px")],
            locations=loc.body(rows=[frame.height - 1]),
        )
    if view.has_inferred:
        gt = gt.tab_source_note(lab("inferred_note"))
    # Period labels like 2022-T2 must not break at the hyphen.
    # Headings wrap at spaces only; period labels are kept whole by _label.
    gt = gt.opt_css(f"#report-{view.key} .gt_col_heading {{ white-space: normal; }}")
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
    return [(v, gt_table(v, lab)) for v in report_views(data, lang) if v.key != "key"]
