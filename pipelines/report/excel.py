"""The report as an Excel workbook: one sheet per section, the same views as the HTML.

Report text is written with ``write_string`` and the workbook refuses to turn strings into
formulas, URLs or numbers: a comment ``=HYPERLINK(...)`` stays a string cell.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import polars as pl

from pipelines.report.colours import MARKERS, STATUS_TEXT
from pipelines.report.model import ReportData
from pipelines.report.views import CODE, STATUS_COLOURS, View, labels_for, report_views

WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "in_memory": True,
}
_INVALID_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})


def _sheet_name(name: str, used: set[str]) -> str:
    base = name.translate(_INVALID_SHEET_CHARS).strip()[:31] or "Blad"
    candidate, n = base, 2
    while candidate.casefold() in used:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.casefold())
    return candidate


def _formats(wb) -> dict:
    fmt = {
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "intro": wb.add_format({"italic": True, "font_color": "#555555"}),
        "header": wb.add_format(
            {"bold": True, "bottom": 1, "bg_color": "#F2F2F2", "text_wrap": True, "valign": "top"}
        ),
        "spanner": wb.add_format({"bold": True, "align": "center", "bottom": 1}),
        "text": wb.add_format({"valign": "top"}),
        "wide": wb.add_format({"valign": "top", "text_wrap": True}),
        "int": wb.add_format({"valign": "top", "num_format": "0"}),
        "signed": wb.add_format({"valign": "top", "num_format": "+0;-0;0"}),
        "percent": wb.add_format({"valign": "top", "num_format": "0%"}),
        "date": wb.add_format({"valign": "top", "num_format": "yyyy-mm-dd"}),
        "note": wb.add_format({"italic": True}),
    }
    for code, fill in STATUS_COLOURS.items():
        fmt[f"status_{code}"] = wb.add_format(
            {
                "bg_color": fill,
                "font_color": STATUS_TEXT[code],
                "bold": True,
                "align": "center",
                "valign": "top",
                "left": 5,  # a thick bar in the report's own colour; the word says the rest
                "left_color": MARKERS[code],
            }
        )
        fmt[f"spanner_{code}"] = wb.add_format(
            {"bg_color": fill, "font_color": STATUS_TEXT[code], "bold": True, "align": "center"}
        )
    return fmt


def _write_cell(ws, row: int, col: int, value, kind: str, fmt: dict, code: str | None) -> None:
    if value is None:
        style = fmt.get(f"status_{code}") if kind == "status" and code else None
        ws.write_blank(row, col, None, style)
    elif kind == "status":
        ws.write_string(row, col, str(value), fmt.get(f"status_{code}", fmt["text"]))
    elif kind in ("int", "signed", "percent"):
        ws.write_number(row, col, value, fmt[kind])
    elif kind == "date" and isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), fmt["date"])
    else:
        ws.write_string(row, col, str(value), fmt["text"])


def _write_view(ws, view: View, fmt: dict, lab) -> None:
    view = dataclasses.replace(view, columns=[c for c in view.columns if c.kind != "nanoplot"])
    ws.write_string(0, 0, view.title, fmt["title"])
    if view.intro:
        ws.write_string(1, 0, view.intro, fmt["intro"])
    header_row = 2
    spanned = [c for c in view.columns if c.spanner]
    if spanned:
        header_row = 3
        start = 0
        while start < len(view.columns):
            label = view.columns[start].spanner
            end = start
            while end + 1 < len(view.columns) and view.columns[end + 1].spanner == label:
                end += 1
            if label:
                code = next((s for s in STATUS_COLOURS if lab(s) == label), None)
                style = fmt[f"spanner_{code}"] if code else fmt["spanner"]
                if end > start:
                    ws.merge_range(2, start, 2, end, "", style)
                ws.write_string(2, start, label, style)
            start = end + 1
    for j, col in enumerate(view.columns):
        ws.write_string(header_row, j, col.label, fmt["header"])
    first = header_row + 1
    if view.frame.height == 0:
        ws.write_string(first, 0, view.empty, fmt["note"])
    for i, record in enumerate(view.frame.iter_rows(named=True)):
        for j, col in enumerate(view.columns):
            code = record.get(col.name + CODE) if col.kind == "status" else None
            _write_cell(ws, first + i, j, record[col.name], col.kind, fmt, code)
    last = first + max(view.frame.height, 1) - 1
    if view.has_inferred:
        ws.write_string(last + 2, 0, lab("inferred_note"), fmt["note"])
    for j, col in enumerate(view.columns):
        if col.wide:
            ws.set_column(j, j, 50, fmt["wide"])
        else:
            values = [len(col.label)] + [
                len(str(v)) for v in view.frame[col.name].to_list() if v is not None
            ]
            ws.set_column(j, j, min(max(values) + 2, 40))
    ws.freeze_panes(first, 0)
    if view.frame.height:
        ws.autofilter(header_row, 0, last, len(view.columns) - 1)


def _write_key_figures(wb, ws, view: View, data: ReportData, fmt: dict, lab) -> None:
    """Key figures, then the charts' data and native Excel charts drawn from it: the share on
    plan per period (line) and the status counts per period for each goal area (stacked)."""
    from pipelines.core.status import STATUSES

    ws.write_string(0, 0, lab("title"), fmt["title"])
    ws.write_string(1, 0, view.intro, fmt["intro"])
    for j, col in enumerate(view.columns):
        ws.write_string(3, j, col.label, fmt["header"])
    for i, row in enumerate(view.frame.iter_rows(named=True), start=4):
        share = row["key"] == "on_plan_share"
        ws.write_string(i, 0, row["figure"], fmt["text"])
        for j, name in enumerate(("current", "previous", "change"), start=1):
            value = row[name]
            if value is None:
                ws.write_string(i, j, "–", fmt["text"])
            else:
                kind = "percent" if share else ("signed" if name == "change" else "int")
                ws.write_number(i, j, value, fmt[kind])
    ws.set_column(0, 0, 40)
    ws.set_column(1, 3, 16)
    sheet = ws.get_name().replace("'", "''")
    trend = data.trend
    if trend is None or trend.height == 0:
        return
    # chart data, below the figures
    top = 4 + view.frame.height + 2
    ws.write_string(top, 0, lab("chart_share"), fmt["title"])
    ws.write_string(top + 1, 0, lab("period"), fmt["header"])
    ws.write_string(top + 1, 1, lab("key_on_plan_share"), fmt["header"])
    for i, row in enumerate(trend.iter_rows(named=True), start=top + 2):
        ws.write_string(i, 0, row["period"], fmt["text"])
        if row["on_plan_share"] is not None:
            ws.write_number(i, 1, row["on_plan_share"], fmt["percent"])
    first, last = top + 2, top + 1 + trend.height
    line = wb.add_chart({"type": "line"})
    line.add_series(
        {
            "name": lab("key_on_plan_share"),
            "categories": [sheet, first, 0, last, 0],
            "values": [sheet, first, 1, last, 1],
            "marker": {"type": "circle"},
            "data_labels": {"value": True, "num_format": "0%"},
            "line": {"color": "#1F4E79"},
        }
    )
    line.set_title({"name": lab("chart_share")})
    line.set_y_axis({"min": 0, "max": 1, "num_format": "0%"})
    line.set_legend({"none": True})
    ws.insert_chart(3, 5, line, {"x_scale": 1.2, "y_scale": 1.0})
    areas = data.areas
    if areas is None or areas.height == 0:
        return
    row0 = last + 3
    ws.write_string(row0, 0, lab("chart_areas"), fmt["title"])
    chart_row = 20
    order = list(dict.fromkeys(data.strip_activities["goal_area"].to_list()))
    for k, area in enumerate(order):
        block = areas.filter(pl.col("goal_area").eq_missing(area)).sort("_pi")
        if block.height == 0:
            continue
        head = row0 + 1
        name = area if area is not None else lab("no_goal_area")
        ws.write_string(head, 0, name, fmt["header"])
        for j, status in enumerate(STATUSES, start=1):
            ws.write_string(head, j, lab(status), fmt["header"])
        for i, r in enumerate(block.iter_rows(named=True), start=head + 1):
            ws.write_string(i, 0, r["period"], fmt["text"])
            for j, status in enumerate(STATUSES, start=1):
                ws.write_number(i, j, r[status], fmt["int"])
        end = head + block.height
        chart = wb.add_chart({"type": "column", "subtype": "percent_stacked"})
        for j, status in enumerate(STATUSES, start=1):
            chart.add_series(
                {
                    "name": [sheet, head, j],
                    "categories": [sheet, head + 1, 0, end, 0],
                    "values": [sheet, head + 1, j, end, j],
                    "fill": {"color": MARKERS[status]},
                    "border": {"color": "#FFFFFF"},
                }
            )
        chart.set_title({"name": name, "name_font": {"size": 11}})
        chart.set_y_axis({"num_format": "0%"})
        ws.insert_chart(chart_row + 16 * (k // 2), 5 + 8 * (k % 2), chart, {"x_scale": 0.9})
        row0 = end + 1


def workbook_bytes(data: ReportData, lang: str = "sv") -> bytes:
    """The report as .xlsx bytes: one sheet per section, status cells coloured."""
    import xlsxwriter

    lab = labels_for(data, lang)
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    wb.set_properties({"title": lab("title"), "company": data.display_name})
    fmt = _formats(wb)
    used: set[str] = set()
    for view in report_views(data, lang):
        ws = wb.add_worksheet(_sheet_name(view.sheet, used))
        if view.key == "key":
            _write_key_figures(wb, ws, view, data, fmt, lab)
        else:
            _write_view(ws, view, fmt, lab)
    wb.close()
    return buffer.getvalue()
