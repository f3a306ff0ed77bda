"""Speed of transitions, delays and promise extraction on a synthetic national-scale history.

310 orgs × 12 quarters × 158 activity slots, 5 % of them left out (gaps, drops) ≈ 560,000
snapshot rows: random statuses (some unknown), and comments drawn from 14 templates (with time
expressions, deviations, completions) filled with random numbers: ~13,000 distinct comments.
A second run makes every comment distinct, the worst case for the comment parsers.
For comparison it times a DuckDB query with the window functions the same logic needs (period
ranks, lag/lead per activity, a running off-plan sum) — only the windows, not the full tables.

    uv run python benchmarks/history_speed.py
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import polars as pl

from pipelines.derive.history import delays, transitions
from pipelines.derive.promises import evaluate_promises, extract_promises
from pipelines.derive.status_inference import infer_status

ORGS, QUARTERS, ACTIVITIES = 310, 12, 158
TEMPLATES = [
    "Pågår enligt plan, aktivitet {n}.",
    "Arbetet pågår, planerat till hösten. Delmoment {n}.",
    "Försenad, skjuts upp till våren {y}. Ärende {n}.",
    "Genomförd {n} med gott resultat.",
    "Arbetet intensifieras under hösten {y}, steg {n}.",
    "Planerat genomförande aug–nov {y} för del {n}.",
    "Inga åtgärder har genomförts hittills, nr {n}.",
    "Beslut fattades i maj, uppföljning {n} i oktober.",
    "Klart till årsskiftet enligt plan ({n}).",
    "Projektet {n} avslutats.",
    "Kommer inte att genomföras (nr {n}).",
    "Pagar enligt plan, OCR-text {n} hosten {y}.",
    "Arbete pågår i samverkan med kommunerna ({n}).",
    "Leverans vecka 40, paket {n}.",
]


def synthetic(seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    quarters = [(2021 + q // 4, q % 4 + 1) for q in range(QUARTERS)]
    labels = [f"{y}-Q{q}" for y, q in quarters]
    dates = [dt.date(y + (q == 4), (3 * q) % 12 + 1, 10) for y, q in quarters]
    n = ORGS * QUARTERS * ACTIVITIES
    org = np.repeat(np.arange(ORGS), QUARTERS * ACTIVITIES)
    quarter = np.tile(np.repeat(np.arange(QUARTERS), ACTIVITIES), ORGS)
    activity = np.tile(np.arange(ACTIVITIES), ORGS * QUARTERS)
    status = rng.choice(
        np.array(["green", "yellow", "red", "unknown"]), size=n, p=[0.6, 0.2, 0.08, 0.12]
    )
    template = rng.integers(0, len(TEMPLATES), size=n)
    year = np.array([y for y, _ in quarters])[quarter] + rng.integers(0, 2, size=n)
    frame = pl.DataFrame(
        {
            "org": pl.Series(org)
            .cast(pl.String)
            .str.pad_start(3, "0")
            .map_elements(lambda s: f"org-{s}", return_dtype=pl.String),
            "activity_id": pl.Series(activity).cast(pl.String),
            "period": pl.Series(np.array(labels)[quarter]),
            "report_date": pl.Series(np.array(dates, dtype="datetime64[D]")[quarter]).cast(pl.Date),
            "status": status,
            "status_source": "reported",
            "_t": template,
            "_y": year,
            "_n": rng.integers(0, 500, size=n),
            "_keep": rng.random(n) > 0.05,  # 5 % of rows missing: gaps and drops
        }
    )
    comments = pl.lit(None, dtype=pl.String)
    for i, text in enumerate(TEMPLATES):
        filled = pl.format(
            text.replace("{n}", "{}").replace("{y}", "{}"),
            *[pl.col("_n") if part == "n" else pl.col("_y") for part in _slots(text)],
        )
        comments = pl.when(pl.col("_t") == i).then(filled).otherwise(comments)
    return (
        frame.with_columns(comment=comments)
        .with_columns(completed=pl.col("_t").is_in([3, 9]))
        .filter("_keep")
        .drop("_t", "_y", "_n", "_keep")
    )


def _slots(text: str) -> list[str]:
    return [text[i + 1] for i in range(len(text) - 2) if text[i] == "{" and text[i + 2] == "}"]


def timed(name: str, fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    elapsed = time.perf_counter() - start
    print(f"{name:<38} {elapsed:7.2f} s   ({result.height:,} rows out)")
    return result


def duckdb_baseline(snapshots: pl.DataFrame) -> None:
    import duckdb

    con = duckdb.connect()
    con.register("s", snapshots.select("org", "activity_id", "period", "report_date", "status"))
    sql = """
    with p as (select org, period, max(report_date) d,
                      row_number() over (partition by org order by max(report_date)) idx
               from s group by org, period),
    a as (select s.*, p.idx from s join p using (org, period)),
    w as (select *, lag(idx) over g prev_idx, lag(status) over g prev_status,
                 lead(idx) over g next_idx,
                 sum(case when status in ('yellow','red') then 1 else 0 end) over g cum_off
          from a window g as (partition by org, activity_id order by idx))
    select count(*), sum(case when prev_idx = idx - 1 and prev_status <> status then 1 end)
    from w
    """
    start = time.perf_counter()
    con.execute(sql).fetchall()
    print(f"{'duckdb window functions (lag/lead/sum)':<38} {time.perf_counter() - start:7.2f} s")


def main() -> None:
    start = time.perf_counter()
    snapshots = synthetic()
    print(
        f"synthetic history: {snapshots.height:,} rows, "
        f"{snapshots['comment'].n_unique():,} distinct comments "
        f"({time.perf_counter() - start:.1f} s to build)\n"
    )
    timed("infer_status", infer_status, snapshots)
    timed("transitions", transitions, snapshots)
    timed("delays", delays, snapshots)
    promises = timed("extract_promises", extract_promises, snapshots)
    timed("evaluate_promises", evaluate_promises, snapshots, promises)
    duckdb_baseline(snapshots)

    distinct = snapshots.with_columns(
        comment=pl.col("comment") + " Ref " + pl.int_range(pl.len()).cast(pl.String) + "."
    )
    print(f"\nworst case: every one of the {distinct.height:,} comments distinct")
    timed("infer_status (all distinct)", infer_status, distinct)
    timed("extract_promises (all distinct)", extract_promises, distinct)


if __name__ == "__main__":
    main()
