"""Each report section as a display-ready frame with labelled, typed columns.

The HTML/PDF tables (``tables.py``) and the Excel workbook (``excel.py``) both draw from these
views, so the two always show the same rows, columns and words. A status column holds the word
shown (``Gult*``) and a hidden ``<column>__code`` column holds the code (``yellow``) for colour.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipelines.core.status import STATUSES
from pipelines.report.colours import STATUS_FILL
from pipelines.report.labels import Labels
from pipelines.report.model import ReportData

# Light tints with dark text (WCAG AA) and a marker in the report's own colour: see colours.py.
STATUS_COLOURS = STATUS_FILL
CODE = "__code"
# great-tables formats every nanoplot's numbers through a one-column table (~15 ms a plot on
# this machine): above this many activities the strip keeps its status cells and drops the plot.
NANOPLOT_MAX_ROWS = 250


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: str = "text"  # text | int | signed | percent | date | status | nanoplot (HTML only)
    spanner: str | None = None
    wide: bool = False  # free text: give it room


@dataclass(frozen=True)
class View:
    key: str
    title: str
    intro: str
    sheet: str
    frame: pl.DataFrame
    columns: list[Column]
    stub: str | None = None  # the column that labels rows (matrix)
    stub_label: str | None = None
    empty: str = ""
    has_inferred: bool = False

    @property
    def status_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.kind == "status"]


def _status(lab: Labels, code: str, source: str | None, alias: str) -> list[pl.Expr]:
    """The shown word (with the inferred mark) and the code, as two columns."""
    mark = lab("inferred_mark")
    word = pl.col(code).replace_strict(
        {s: lab(s) for s in STATUSES}, default=pl.col(code), return_dtype=pl.String
    )
    if source is not None:
        word = pl.when(pl.col(source) == "inferred").then(word + pl.lit(mark)).otherwise(word)
    return [word.alias(alias), pl.col(code).alias(alias + CODE)]


def _goal_area(lab: Labels) -> pl.Expr:
    return pl.col("goal_area").fill_null(lab("no_goal_area"))


def _inferred(frame: pl.DataFrame, *cols: str) -> bool:
    return any(c in frame.columns and (frame[c] == "inferred").any() for c in cols)


def compared_view(data: ReportData, lab: Labels) -> View:
    frame = data.header.select(
        pl.col("role")
        .replace_strict({"current": lab("role_current"), "previous": lab("role_previous")})
        .alias("role"),
        "period",
        "report_date",
        "source_file",
        "rows",
    )
    cols = [
        Column("role", lab("role")),
        Column("period", lab("period")),
        Column("report_date", lab("report_date"), "date"),
        Column("source_file", lab("source_file")),
        Column("rows", lab("rows"), "int"),
    ]
    return View("compared", lab("compared"), "", lab("sheet_compared"), frame, cols)


def summary_view(data: ReportData, lab: Labels) -> View:
    s = data.summary
    numeric = [c for c in s.columns if c not in ("goal_area", "inferred_share")]
    total = s.select(
        pl.lit(lab("total")).alias("goal_area"),
        *[pl.col(c).sum() if s.height else pl.lit(0, pl.Int64).alias(c) for c in numeric],
    ).with_columns((pl.col("inferred_current") / pl.col("total_current")).alias("inferred_share"))
    if data.previous is None:
        total = total.with_columns(
            pl.lit(None, pl.Int64).alias(c)
            for c in numeric
            if c.endswith("_previous") or c.endswith("_change")
        )
    frame = pl.concat(
        [s.with_columns(_goal_area(lab)), total.select(s.columns)], how="vertical_relaxed"
    )
    cols = [Column("goal_area", lab("goal_area"))]
    for status in [*STATUSES, "total"]:
        cols += [
            Column(f"{status}_previous", lab("col_previous"), "int", lab(status)),
            Column(f"{status}_current", lab("col_current"), "int", lab(status)),
            Column(f"{status}_change", lab("col_change"), "signed", lab(status)),
        ]
    cols.append(Column("inferred_current", lab("inferred_current"), "int"))
    cols.append(Column("inferred_share", lab("inferred_share"), "percent"))
    return View(
        "summary",
        lab("sec_summary"),
        lab("intro_summary"),
        lab("sheet_summary"),
        frame,
        cols,
        has_inferred=bool(s.height and s["inferred_current"].sum() > 0),
    )


def matrix_view(data: ReportData, lab: Labels) -> View:
    m = data.matrix
    names = {s: lab(s) for s in STATUSES} | {"new": lab("new")}
    frame = m.with_columns(
        pl.col("from_status").replace_strict(names).alias("from_label"),
        pl.col("from_status").alias("from_label" + CODE),
    ).select("from_label", "from_label" + CODE, *[c for c in m.columns if c != "from_status"])
    spanner = lab("matrix_spanner")
    cols = [Column("from_label", lab("matrix_stub"), "status")]
    cols += [Column(s, lab(s), "int", spanner) for s in STATUSES]
    cols.append(Column("dropped", lab("dropped"), "int", spanner))
    return View(
        "matrix",
        lab("sec_matrix"),
        lab("intro_matrix"),
        lab("sheet_matrix"),
        frame,
        cols,
        stub="from_label",
        stub_label=lab("matrix_stub"),
    )


def _changes_view(key: str, frame: pl.DataFrame, lab: Labels) -> View:
    shown = frame.select(
        _goal_area(lab),
        "activity",
        "unit",
        *_status(lab, "status_previous", "status_source_previous", "status_previous"),
        *_status(lab, "status_current", "status_source_current", "status_current"),
        "comment_previous",
        "comment_current",
    )
    cols = [
        Column("goal_area", lab("goal_area")),
        Column("activity", lab("activity"), wide=True),
        Column("status_previous", lab("status_previous"), "status"),
        Column("status_current", lab("status_current"), "status"),
        Column("unit", lab("unit")),
        Column("comment_previous", lab("comment_previous"), wide=True),
        Column("comment_current", lab("comment_current"), wide=True),
    ]
    return View(
        key,
        lab(f"sec_{key}"),
        lab(f"intro_{key}"),
        lab(f"sheet_{key}"),
        shown,
        cols,
        empty=lab("none"),
        has_inferred=_inferred(frame, "status_source_previous", "status_source_current"),
    )


def off_plan_view(data: ReportData, lab: Labels) -> View:
    f = data.off_plan
    shown = f.select(
        _goal_area(lab),
        "activity",
        "unit",
        *_status(lab, "status", "status_source", "status"),
        "periods_off_plan",
        "off_plan_since",
        "days_off_plan",
        "comment",
    )
    cols = [
        Column("goal_area", lab("goal_area")),
        Column("activity", lab("activity"), wide=True),
        Column("status", lab("status_current"), "status"),
        Column("unit", lab("unit")),
        Column("periods_off_plan", lab("periods_off_plan"), "int"),
        Column("off_plan_since", lab("off_plan_since"), "date"),
        Column("days_off_plan", lab("days_off_plan"), "int"),
        Column("comment", lab("comment_current"), wide=True),
    ]
    return View(
        "off_plan",
        lab("sec_off_plan"),
        lab("intro_off_plan"),
        lab("sheet_off_plan"),
        shown,
        cols,
        empty=lab("none"),
        has_inferred=_inferred(f, "status_source"),
    )


def slipped_view(data: ReportData, lab: Labels) -> View:
    f = data.slipped
    outcomes = {"slipped": lab("outcome_slipped"), "moved": lab("outcome_moved")}
    shown = f.select(
        _goal_area(lab),
        "activity",
        "unit",
        "promised_in",
        "expression",
        "promised_by",
        "later_promised_by",
        "days_past_promise",
        pl.col("outcome").replace_strict(outcomes, default=pl.col("outcome")),
        "comment",
    )
    cols = [
        Column("goal_area", lab("goal_area")),
        Column("activity", lab("activity"), wide=True),
        Column("unit", lab("unit")),
        Column("promised_in", lab("promised_in")),
        Column("expression", lab("expression")),
        Column("promised_by", lab("promised_by"), "date"),
        Column("later_promised_by", lab("later_promised_by"), "date"),
        Column("days_past_promise", lab("days_past_promise"), "int"),
        Column("outcome", lab("outcome")),
        Column("comment", lab("comment_current"), wide=True),
    ]
    return View(
        "slipped",
        lab("sec_slipped"),
        lab("intro_slipped"),
        lab("sheet_slipped"),
        shown,
        cols,
        empty=lab("none"),
    )


def _presence_view(key: str, f: pl.DataFrame, lab: Labels) -> View:
    side = "status_current" if key == "new" else "status_previous"
    comment = "comment_current" if key == "new" else "comment_previous"
    extra = []
    extra_cols = []
    if key == "dropped":
        extra = [
            pl.col("completed")
            # only a report that says so: "Nej" beside "Klart. Projektet avslutades" misled
            .replace_strict({True: lab("yes")}, default=None, return_dtype=pl.String)
            .alias("completed")
        ]
        extra_cols = [Column("completed", lab("completed"))]
    shown = f.select(
        _goal_area(lab),
        "activity",
        "unit",
        *_status(lab, "status", "status_source", "status"),
        pl.col("comment"),
        *extra,
    )
    cols = [
        Column("goal_area", lab("goal_area")),
        Column("activity", lab("activity"), wide=True),
        Column("status", lab(side), "status"),
        Column("unit", lab("unit")),
        Column("comment", lab(comment), wide=True),
        *extra_cols,
    ]
    return View(
        key,
        lab(f"sec_{key}"),
        lab(f"intro_{key}"),
        lab(f"sheet_{key}"),
        shown,
        cols,
        empty=lab("none"),
        has_inferred=_inferred(f, "status_source"),
    )


def strip_view(data: ReportData, lab: Labels) -> View:
    """One row per activity, one status cell per period."""
    base = data.strip_activities.select("activity_id", _goal_area(lab), "activity", "unit")
    cells = []
    for p in data.periods:
        one = data.strip.filter(pl.col("period") == p).select(
            "activity_id", *_status(lab, "status", "status_source", p)
        )
        cells.append(one)
    frame = base
    for one in cells:
        frame = frame.join(one, on="activity_id", how="left", maintain_order="left")
    # The status strip as a nanoplot: 3 = green (on plan), 2 = yellow, 1 = red, gap = unknown.
    score = {"green": 3, "yellow": 2, "red": 1}
    trend = (
        data.strip.with_columns(
            pl.col("status").replace_strict(score, default=None, return_dtype=pl.Int64).alias("_s"),
            pl.col("period")
            .replace_strict({p: i for i, p in enumerate(data.periods)}, return_dtype=pl.Int64)
            .alias("_pi"),
        )
        .sort("_pi")
        .group_by("activity_id", maintain_order=True)
        .agg(pl.col("_s").drop_nulls().alias("trend"))
        # no colour in any period: no plot (great-tables refuses an empty series)
        .with_columns(pl.when(pl.col("trend").list.len() > 0).then(pl.col("trend")))
    )
    frame = frame.join(trend, on="activity_id", how="left", maintain_order="left")
    frame = frame.drop("activity_id")
    cols = [
        Column("goal_area", lab("goal_area")),
        Column("activity", lab("activity"), wide=True),
        Column("unit", lab("unit")),
        *[Column(p, p, "status") for p in data.periods],
    ]
    if len(data.periods) > 1 and frame.height <= NANOPLOT_MAX_ROWS:
        cols.append(Column("trend", lab("trend_col"), "nanoplot"))
    return View(
        "strip",
        lab("sec_strip"),
        lab("intro_strip"),
        lab("sheet_strip"),
        frame,
        cols,
        empty=lab("none"),
        has_inferred=_inferred(data.strip, "status_source"),
    )


def key_figures_view(data: ReportData, lab: Labels) -> View:
    """The first page's figures: this report, the previous one, the change (``share`` rows are
    fractions, the rest counts). Worsened/improved/new/dropped of this report are the sections'
    own counts (so they match even with a non-adjacent ``--previous``)."""
    from pipelines.report.trend import KEY_FIGURES

    trend = data.trend
    by_period = {r["period"]: r for r in trend.iter_rows(named=True)} if trend is not None else {}
    now = dict(by_period.get(data.period, {}))
    if data.previous is not None:
        now |= {
            "worsened": data.worsened.height,
            "improved": data.improved.height,
            "new": data.new.height,
            "dropped": data.dropped.height,
        }
    before = by_period.get(data.previous, {}) if data.previous else {}
    rows = []
    for key in KEY_FIGURES:
        cur, prev = now.get(key), before.get(key)
        change = cur - prev if cur is not None and prev is not None else None
        rows.append(
            {
                "key": key,
                "figure": lab(f"key_{key}"),
                "current": None if cur is None else float(cur),
                "previous": None if prev is None else float(prev),
                "change": None if change is None else float(change),
            }
        )
    schema = {
        "key": pl.String,
        "figure": pl.String,
        "current": pl.Float64,
        "previous": pl.Float64,
        "change": pl.Float64,
    }
    frame = pl.DataFrame(rows, schema=schema)
    cols = [
        Column("figure", lab("sec_key")),
        Column("current", lab("key_value"), "int"),
        Column("previous", lab("key_previous"), "int"),
        Column("change", lab("key_change"), "signed"),
    ]
    intro = lab("intro_key") if data.previous else lab("subtitle_single")
    return View("key", lab("sec_key"), intro, lab("sheet_key"), frame, cols)


def labels_for(data: ReportData, lang: str) -> Labels:
    return Labels(lang, org=data.display_name, period=data.period, previous=data.previous)


def report_views(data: ReportData, lang: str = "sv") -> list[View]:
    """The report's sections in reading order (key figures, then the files compared)."""
    lab = labels_for(data, lang)
    views = [key_figures_view(data, lab), compared_view(data, lab), summary_view(data, lab)]
    if data.previous is not None:
        views += [
            matrix_view(data, lab),
            _changes_view("worsened", data.worsened, lab),
            _changes_view("improved", data.improved, lab),
        ]
    views += [off_plan_view(data, lab), slipped_view(data, lab)]
    if data.previous is not None:
        views += [
            _presence_view("new", data.new, lab),
            _presence_view("dropped", data.dropped, lab),
        ]
    views.append(strip_view(data, lab))
    return views
