"""Accuracy of the spreadsheet reader on the generated template variants, beside a baseline.

Run: ``uv run python benchmarks/spreadsheet_variants.py``. For each variant of
``tests/read/spreadsheet_variants.py`` it counts the expected activities found, those with the
right goal area, unit and comment, and the right status among the statuses the document shows.
The baseline is the reader as it was before issue 13 (first sheet with an activity header,
header words only, RGB fills only), loaded from git at ``BASELINE_COMMIT``; it is skipped when
git or that commit is not available. The variants are the reader's own tests: it was developed
against them, so these are figures on tuned-on data, not on unseen templates.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.old_code import module_at  # noqa: E402
from pipelines.read import read_report  # noqa: E402
from tests.read.spreadsheet_variants import make_all  # noqa: E402

BASELINE_COMMIT = "fffd39a"


def baseline_reader(folder: Path):
    """The reader of ``BASELINE_COMMIT`` as a module, or None without git."""
    return module_at(
        BASELINE_COMMIT, "pipelines/read/spreadsheet.py", folder, "baseline_spreadsheet"
    )


def score(rows: list[dict], expected: list[dict]) -> dict:
    by_activity = {row["activity"]: row for row in rows}
    found = [by_activity.get(want["activity"]) for want in expected]
    fields_right = sum(
        1
        for got, want in zip(found, expected, strict=True)
        if got is not None and all(got[k] == want[k] for k in ("goal_area", "unit", "comment"))
    )
    shown = [
        (got, want)
        for got, want in zip(found, expected, strict=True)
        if want["status"] != "unknown"
    ]
    status_right = sum(
        1 for got, want in shown if got is not None and got["status"] == want["status"]
    )
    return {
        "found": sum(got is not None for got in found),
        "fields": fields_right,
        "status": status_right,
        "shown": len(shown),
        "total": len(expected),
    }


def score_templates(templates) -> None:
    """Print found / fields / statuses for each ``make(folder) -> (path, expected rows)``,
    for this reader and the baseline, and the totals."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        baseline = baseline_reader(folder)
        totals = {"new": [0, 0, 0, 0, 0], "baseline": [0, 0, 0, 0, 0]}
        for make in templates:
            path, want = make(folder)
            readers = {"new": lambda p: read_report(p).rows}
            if baseline is not None:
                readers["baseline"] = lambda p: baseline.read(p, p.suffix.lstrip(".")).rows
            for name, read in readers.items():
                try:
                    s = score(read(path).to_dicts(), want)
                    line = (
                        f"found {s['found']}/{s['total']}, goal/unit/comment "
                        f"{s['fields']}/{s['total']}, status {s['status']}/{s['shown']}"
                    )
                except Exception as error:  # noqa: BLE001 - a refusal scores zero
                    s = score([], want)
                    line = f"refused: {error}"
                print(f"{make.__name__:22} {name:9} {line}")
                for i, key in enumerate(("found", "fields", "status", "shown", "total")):
                    totals[name][i] += s[key]
        for name, (found, fields, status, shown, total) in totals.items():
            if name == "baseline" and baseline is None:
                continue
            print(
                f"{name}: {found}/{total} found, {fields / total:.1%} right goal area, unit and "
                f"comment, {status / shown:.1%} of shown statuses right"
            )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        variants = make_all(folder / "variants")
        baseline = baseline_reader(folder)
        totals = {"new": [0, 0, 0, 0, 0], "baseline": [0, 0, 0, 0, 0]}
        print(f"{'variant':52} {'reader':9} found  goal/unit/comment  status shown")
        for variant in variants:
            fmt = variant.path.suffix.lstrip(".")
            readers = {"new": lambda p: read_report(p).rows}
            if baseline is not None:
                readers["baseline"] = lambda p, f=fmt: baseline.read(p, f).rows
            for name, read in readers.items():
                try:
                    rows = read(variant.path).to_dicts()
                except Exception as error:  # the baseline refuses some variants
                    rows = []
                    print(f"{variant.name:52} {name:9} refused: {error}")
                    s = score([], variant.expected)
                else:
                    s = score(rows, variant.expected)
                    print(
                        f"{variant.name:52} {name:9} {s['found']:2}/{s['total']:2}  "
                        f"{s['fields']:2}/{s['total']:2}{'':14}{s['status']:2}/{s['shown']:2}"
                    )
                for i, key in enumerate(("found", "fields", "status", "shown", "total")):
                    totals[name][i] += s[key]
        for name, (found, fields, status, shown, total) in totals.items():
            if name == "baseline" and baseline is None:
                continue
            print(
                f"{name}: {found}/{total} activities found, {fields / total:.1%} with the right "
                f"goal area, unit and comment, {status / shown:.1%} of shown statuses right"
            )


if __name__ == "__main__":
    main()
