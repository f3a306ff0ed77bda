"""The overview for a county or national reader: one row per organisation in the lake.

Each row: the organisation's display name, its latest period, activities, share on plan, the
change since its report before (percentage points), its weakest goal areas (lowest share on
plan, at least one activity with a colour), the promised dates found passed in its latest
report, and its share on plan over all periods (a great-tables nanoplot). A chart above the
table shows how many organisations fall in each band of share on plan.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from pathlib import Path

import polars as pl

from pipelines.core.errors import FollowupError
from pipelines.lake.store import atomic_write_bytes
from pipelines.report.labels import Labels
from pipelines.report.orgs import display_name
from pipelines.report.trend import _indexed, on_plan_share, period_stats

WORST_AREAS = 2
BANDS = 10  # the chart's bands of share on plan: 0–10 %, …, 90–100 %


def overview_frame(
    snapshots: pl.DataFrame,
    promises: pl.DataFrame | None = None,
    names: dict[str, str] | None = None,
) -> pl.DataFrame:
    """org, name, period, activities, on_plan_share, change_pp, worst_areas, slipped, trend."""
    if snapshots.height == 0:
        raise FollowupError("no snapshots in the lake; ingest reports first")
    if "activity_id" not in snapshots.columns:
        snapshots = snapshots.with_columns(pl.lit(None, pl.String).alias("activity_id"))
    snap = snapshots.with_columns(
        pl.coalesce(
            pl.col("activity_id"),
            pl.format("unlinked:{}:{}", pl.col("period"), pl.col("source_row")),
        ).alias("activity_id")
    )
    stats = period_stats(snap, None, None, promises)
    latest = stats.group_by("org").agg(pl.col("_pi").max().alias("_pi"))
    trend = (
        stats.group_by("org", maintain_order=True)
        .agg((pl.col("on_plan_share") * 100).round(0).drop_nulls().alias("trend"))
        .with_columns(pl.when(pl.col("trend").list.len() > 0).then(pl.col("trend")))
    )
    now = stats.join(latest, on=["org", "_pi"], how="inner")
    before = stats.select(
        "org", (pl.col("_pi") + 1).alias("_pi"), pl.col("on_plan_share").alias("_before")
    )
    rows = _indexed(snap, None).join(latest, on=["org", "_pi"], how="inner")
    areas = (
        rows.filter(pl.col("status").is_in(["green", "yellow", "red"]))
        .group_by("org", pl.col("goal_area").fill_null("–"))
        .agg(
            on_plan_share((pl.col("status") == "green").sum(), pl.len()).alias("_share"),
            pl.len().alias("_n"),
        )
        .sort(["org", "_share", "_n", "goal_area"], descending=[False, False, True, False])
        .group_by("org", maintain_order=True)
        .agg(
            pl.format(
                "{} ({}\u00a0%)",
                pl.col("goal_area"),
                (pl.col("_share") * 100).round(0).cast(pl.Int64),
            )
            .head(WORST_AREAS)
            .str.join("; ")
            .alias("worst_areas")
        )
    )
    names = names or {}
    frame = (
        now.join(before, on=["org", "_pi"], how="left")
        .join(areas, on="org", how="left")
        .join(trend, on="org", how="left")
        .with_columns(
            ((pl.col("on_plan_share") - pl.col("_before")) * 100).round(0).alias("change_pp"),
            pl.col("org")
            .map_elements(lambda o: display_name(o, names), return_dtype=pl.String)
            .alias("name"),
        )
        .sort(["on_plan_share", "name"], nulls_last=True)
    )
    return frame.select(
        "org",
        "name",
        "period",
        "activities",
        "on_plan_share",
        "change_pp",
        "worst_areas",
        "slipped",
        "trend",
    )


def bands(frame: pl.DataFrame) -> list[int]:
    """How many organisations have a share on plan in each 10 % band (100 % in the top one)."""
    counts = [0] * BANDS
    for share in frame["on_plan_share"].drop_nulls().to_list():
        counts[min(int(share * BANDS), BANDS - 1)] += 1
    return counts


def bands_svg(counts: list[int], title: str, lang: str) -> str:
    width, height, left, bottom, top = 640, 200, 36, 30, 18
    plot_w, plot_h = width - left - 8, height - top - bottom
    peak = max(counts) or 1
    slot = plot_w / len(counts)
    pct = "\u00a0%" if lang == "sv" else "%"
    parts = [
        f'<svg class="chart chart-bands" role="img" aria-label="{html.escape(title)}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" '
        'font-family="system-ui, Arial, sans-serif" font-size="11">',
        f"<title>{html.escape(title)}</title>",
    ]
    for i, n in enumerate(counts):
        h = plot_h * n / peak
        x = left + i * slot + 3
        y = top + plot_h - h
        label = f"{i * 10}–{(i + 1) * 10}{pct}"
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot - 6:.1f}" height="{h:.1f}" '
            f'fill="#1f4e79"><title>{html.escape(label)}: {n}</title></rect>'
            f'<text x="{x + (slot - 6) / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
            f'fill="#222">{n}</text>'
            f'<text x="{x + (slot - 6) / 2:.1f}" y="{height - 12}" text-anchor="middle" '
            f'fill="#333">{html.escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _gt(frame: pl.DataFrame, lab: Labels):
    from great_tables import GT, loc, nanoplot_options, style

    from pipelines.report.gt_speedups import apply_gt_speedups
    from pipelines.report.tables import FONT_STACK, sticky_css

    apply_gt_speedups()

    shown = frame.drop("org")
    gt = (
        GT(shown, id="report-overview", locale=lab.lang)
        .cols_label(
            name=lab("ov_org"),
            period=lab("ov_period"),
            activities=lab("ov_activities"),
            on_plan_share=lab("ov_share"),
            change_pp=lab("ov_change"),
            worst_areas=lab("ov_worst"),
            slipped=lab("ov_slipped"),
            trend=lab("ov_trend"),
        )
        .fmt_percent(columns="on_plan_share", decimals=0, incl_space=lab.lang == "sv")
        .fmt_integer(columns=["activities", "slipped"])
        .fmt_integer(columns="change_pp", force_sign=True)
        .sub_missing(missing_text="–")
        .fmt_nanoplot(
            columns="trend",
            plot_type="line",
            expand_y=[0, 100],
            options=nanoplot_options(
                data_line_stroke_color="#1f4e79",
                data_point_fill_color="#1f4e79",
                show_data_area=False,
                interactive_data_values=True,  # values on hover, not printed over the line
            ),
        )
        .tab_style(style=style.css("white-space: nowrap;"), locations=loc.body(columns="period"))
        .opt_table_font(font=FONT_STACK, add=False)
        .tab_options(table_font_size="13px", column_labels_font_weight="bold")
    )
    sticky = [("name", "0px", "var(--activity-width)")]
    return sticky_css(gt, "report-overview", sticky, [c for c in shown.columns])


def overview_html(frame: pl.DataFrame, lang: str = "sv") -> str:
    from pipelines.report.render import PAGE_CSS, _local_only
    from pipelines.report.tables import FONT_STACK

    lab = Labels(lang, org=None, period=None, previous=None)
    esc = html.escape
    subtitle = lab.fmt("ov_subtitle", orgs=frame.height)
    chart = bands_svg(bands(frame), lab("ov_chart"), lang)
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{esc(lang)}"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(lab('ov_title'))} – {esc(subtitle)}</title>",
            f"<style>{PAGE_CSS % {'fonts': ', '.join(FONT_STACK)}}</style></head><body><main>",
            f'<header><h1>{esc(lab("ov_title"))}</h1><p class="subtitle">{esc(subtitle)}</p>'
            "</header>",
            '<section id="section-overview-chart">',
            f"<h2>{esc(lab('ov_chart'))}</h2>",
            f'<div class="chart-box">{chart}</div>',
            f'<p class="note">{esc(lab("share_note"))}</p>',
            "</section>",
            '<section id="section-overview">',
            f"<h2>{esc(lab('ov_org'))}</h2>",
            f'<p class="intro">{esc(lab("ov_intro"))}</p>',
            f'<div class="table-scroll">{_local_only(_gt(frame, lab).as_raw_html())}</div>',
            "</section></main></body></html>",
            "",
        ]
    )


def overview_workbook(frame: pl.DataFrame, lang: str = "sv") -> bytes:
    """The overview as .xlsx: the table (shares as numbers) and a native chart of the bands."""
    import xlsxwriter

    from pipelines.report.excel import WORKBOOK_OPTIONS

    lab = Labels(lang, org=None, period=None, previous=None)
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    wb.set_properties({"title": lab("ov_title")})
    bold = wb.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"})
    pct = wb.add_format({"num_format": "0%"})
    signed = wb.add_format({"num_format": "+0;-0;0"})
    ws = wb.add_worksheet(lab("ov_org")[:31])
    heads = [
        "ov_org",
        "ov_period",
        "ov_activities",
        "ov_share",
        "ov_change",
        "ov_worst",
        "ov_slipped",
    ]
    for j, key in enumerate(heads):
        ws.write_string(0, j, lab(key), bold)
    for i, r in enumerate(frame.iter_rows(named=True), start=1):
        ws.write_string(i, 0, r["name"])
        ws.write_string(i, 1, r["period"])
        ws.write_number(i, 2, r["activities"])
        if r["on_plan_share"] is not None:
            ws.write_number(i, 3, r["on_plan_share"], pct)
        if r["change_pp"] is not None:
            ws.write_number(i, 4, r["change_pp"], signed)
        ws.write_string(i, 5, r["worst_areas"] or "")
        ws.write_number(i, 6, r["slipped"])
    ws.set_column(0, 0, 30)
    ws.set_column(5, 5, 60)
    ws.freeze_panes(1, 1)
    chart_ws = wb.add_worksheet(lab("ov_chart")[:31])
    counts = bands(frame)
    for i, n in enumerate(counts):
        chart_ws.write_string(i, 0, f"{i * 10}–{(i + 1) * 10} %")
        chart_ws.write_number(i, 1, n)
    chart = wb.add_chart({"type": "column"})
    name = chart_ws.get_name().replace("'", "''")
    chart.add_series(
        {
            "categories": [name, 0, 0, BANDS - 1, 0],
            "values": [name, 0, 1, BANDS - 1, 1],
            "fill": {"color": "#1F4E79"},
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": lab("ov_chart")})
    chart.set_legend({"none": True})
    chart_ws.insert_chart(0, 3, chart)
    wb.close()
    return buffer.getvalue()


def write_overview(frame: pl.DataFrame, out: Path, lang: str = "sv") -> Path:
    """The overview as .html, .xlsx, .pdf or .png (the format follows the suffix)."""
    from pipelines.report.render import SUFFIXES, render_pdf, render_png

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise FollowupError(
            f"cannot write an overview as {out.name!r}; use a file name ending in "
            + ", ".join(SUFFIXES)
        )
    Labels(lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        atomic_write_bytes(out, overview_workbook(frame, lang))
        return out
    page = overview_html(frame, lang)
    if suffix == ".html":
        atomic_write_bytes(out, page.encode("utf-8"))
    elif suffix == ".pdf":
        lab = Labels(lang, org=None, period=None, previous=None)
        style = "font-family: sans-serif; font-size: 8px; color: #444; width: 100%; margin: 0 10mm;"
        footer = (
            f'<div style="{style} display: flex; justify-content: space-between;">'
            f"<span>{html.escape(lab('ov_title'))} · "
            f"{html.escape(lab.fmt('produced', produced=dt.date.today().isoformat()))}</span>"
            f'<span>{html.escape(lab("page"))} <span class="pageNumber"></span> '
            f'{html.escape(lab("page_of"))} <span class="totalPages"></span></span></div>'
        )
        atomic_write_bytes(out, render_pdf(page, footer=footer))
    else:
        atomic_write_bytes(out, render_png(page))
    return out


def overview_from_lake(lake: str | Path | None) -> pl.DataFrame:
    """Every organisation's latest report in the lake, as :func:`overview_frame` rows."""
    from pipelines.query import History
    from pipelines.report.orgs import ensure_lake_registry, org_names

    history = History(lake)
    tables = history.tables()
    if "snapshots" not in tables:
        raise FollowupError(f"{history.root}: no snapshots yet; ingest a report first")
    columns = ["org", "period", "report_date", "goal_area", "status", "activity_id", "source_row"]
    scan = history.snapshots()
    names = scan.collect_schema().names()  # activity_id only once the lake is linked
    snapshots = scan.select([c for c in columns if c in names]).collect()
    promises = history.scan("promises").collect() if "promises" in tables else None
    ensure_lake_registry(history.root)
    return overview_frame(snapshots, promises, org_names(history.root))
