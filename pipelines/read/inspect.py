"""What a reader found in a report, before anything is ingested (``followup inspect``).

``inspect_result`` turns a :class:`~pipelines.read.ReaderResult` (and the rows validation
would reject) into a plain dict — format, pages or sheets, each table with the column taken
for each field and why, the status encoding, rows per goal area, confidence, notes, warnings
with their pages, rows that would be quarantined — which ``--json`` prints as is;
``render`` lays the same dict out as rich tables for people, with full text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pipelines.read import ReaderResult

SHEET_FORMATS = {"xlsx", "csv"}
NO_GOAL_AREA = "(none)"


def _column_name(index: int, fmt: str) -> str:
    """Column 3 (0-based) is "D" in a spreadsheet and "4" in a PDF table."""
    if fmt in SHEET_FORMATS:
        letters, number = "", index + 1
        while number:
            number, rest = divmod(number - 1, 26)
            letters = chr(65 + rest) + letters
        return letters
    return str(index + 1)


def inspect_result(
    result: ReaderResult, file_name: str, rejected: Iterable[tuple[int | None, str]] = ()
) -> dict:
    """The report as a JSON-ready dict; ``rejected`` holds (source_row, reason) pairs."""
    rows = result.rows
    activity_by_row = dict(zip(rows["source_row"], rows["activity"], strict=True))
    goal_areas = Counter(g if g else NO_GOAL_AREA for g in rows["goal_area"].to_list())
    statuses = Counter(str(s) for s in rows["status"].to_list())
    completed = (
        int(rows["completed_reported"].fill_null(False).sum())
        if "completed_reported" in rows.columns
        else None
    )
    return {
        "file": file_name,
        "format": result.format,
        "sheets" if result.format == "xlsx" else "pages": result.pages,
        "rows": rows.height,
        "goal_areas": dict(goal_areas),
        "rows_per_page": (
            {str(k): v for k, v in sorted(Counter(rows["page"].drop_nulls().to_list()).items())}
            if "page" in rows.columns
            else {}
        ),
        "statuses": dict(statuses),
        "completed_reported": completed,
        "tables": [
            {
                "where": table.where,
                "page": table.page,
                "sheet": table.sheet,
                "rows": table.rows,
                "status_encoding": table.status_encoding,
                "confidence": round(float(table.confidence), 3),
                "columns": [
                    {
                        "field": choice.field,
                        "column": _column_name(choice.index, result.format),
                        "header": choice.header,
                        "reason": choice.reason,
                        "confidence": round(float(choice.confidence), 3),
                    }
                    for choice in table.columns
                ],
                "goal_areas": {k if k else NO_GOAL_AREA: v for k, v in table.goal_areas.items()},
                "notes": list(table.notes),
            }
            for table in result.tables
        ],
        "warnings": [
            {"page": w.page, "source_row": w.source_row, "message": w.message}
            for w in result.warnings
        ],
        "quarantine": [
            {"source_row": row, "activity": activity_by_row.get(row), "reason": reason}
            for row, reason in rejected
        ],
    }


def render(report: dict) -> list:
    """Rich renderables for people: a summary line, one table per found table, goal areas,
    statuses, warnings and the rows that would be quarantined. Text is folded, never cut."""
    from rich.table import Table
    from rich.text import Text

    parts: list = []
    unit = "sheets" if "sheets" in report else "pages"
    count = report.get(unit)
    where = f", {count} {unit[:-1] if count == 1 else unit}" if count is not None else ""
    parts.append(
        Text(
            f"{report['file']}: {report['format']}{where}, {report['rows']} activity rows in "
            f"{len(report['tables'])} table(s)",
            style="bold",
        )
    )
    for table in report["tables"]:
        grid = Table(
            title=f"{table['where']}: {table['rows']} rows, status as {table['status_encoding']}"
            f", confidence {table['confidence']:.2f}",
            title_justify="left",
            show_lines=False,
        )
        for name in ("field", "column", "header", "why", "confidence"):
            grid.add_column(name, overflow="fold")
        for column in table["columns"]:
            grid.add_row(
                column["field"],
                column["column"],
                column["header"] or "(blank)",
                column["reason"],
                f"{column['confidence']:.2f}",
            )
        parts.append(grid)
        for note in table["notes"]:
            parts.append(Text(f"  · {note}"))
    if not report["tables"]:
        parts.append(Text("the reader reported no tables (rows below are all it returned)"))
    if report["rows_per_page"]:
        pages = ", ".join(f"{page}: {n}" for page, n in report["rows_per_page"].items())
        parts.append(Text(f"rows per page: {pages}"))
    goals = Table(title="rows per goal area", title_justify="left")
    goals.add_column("goal area", overflow="fold")
    goals.add_column("rows", justify="right")
    for goal, rows in report["goal_areas"].items():
        goals.add_row(goal, str(rows))
    parts.append(goals)
    statuses = ", ".join(f"{s} {n}" for s, n in sorted(report["statuses"].items()))
    done = report.get("completed_reported")
    parts.append(
        Text(f"statuses: {statuses or 'none'}" + (f"; reported done: {done}" if done else ""))
    )
    if report["warnings"]:
        warnings = Table(title=f"{len(report['warnings'])} warning(s)", title_justify="left")
        warnings.add_column("page", justify="right")
        warnings.add_column("row", justify="right")
        warnings.add_column("warning", overflow="fold")
        for w in report["warnings"]:
            warnings.add_row(
                "" if w["page"] is None else str(w["page"]),
                "" if w["source_row"] is None else str(w["source_row"]),
                w["message"],
            )
        parts.append(warnings)
    else:
        parts.append(Text("no warnings"))
    if report["quarantine"]:
        rejected = Table(
            title=f"{len(report['quarantine'])} row(s) would be quarantined", title_justify="left"
        )
        rejected.add_column("row", justify="right")
        rejected.add_column("activity", overflow="fold")
        rejected.add_column("reason", overflow="fold")
        for q in report["quarantine"]:
            rejected.add_row(str(q["source_row"]), q["activity"] or "", q["reason"])
        parts.append(rejected)
    else:
        parts.append(Text("no row would be quarantined"))
    return parts
