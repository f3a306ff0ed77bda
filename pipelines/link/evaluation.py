"""Labelled linking histories (hand-written, with true ids) and the figures measured on them.

File format (CSV, UTF-8, one header line)::

    true_id,period,unit,goal_area,activity,status,comment

One line per activity and period it appears in, in report order within each period (that order
gives ``source_row``). An empty ``unit``, ``goal_area`` or ``activity`` means "as in this
activity's previous line" (the file only spells out what a person changed); ``comment`` is
never inherited. An activity absent from a period is not in that report.

Figures (``link_quality``), over *true pairs* = an activity's row and its previous appearance
(gaps included):

- ``precision`` / ``recall``: of automatic links (method exact/fuzzy, not flagged for review);
- ``linked_or_first``: share of true pairs where the row is linked to the right activity
  (flagged or not) or, when it is not, the right activity is its first review candidate;
- ``transitions``: share of true pairs whose status transition the history keeps, i.e. the row's
  activity id leads back to the right previous row (flagged links included, as the history
  table keeps them).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.core.errors import FollowupError
from pipelines.core.periods import period_sort_key
from pipelines.link.matching import normalise_text

COLUMNS = ("true_id", "period", "unit", "goal_area", "activity", "status", "comment")


def load_labelled_history(path: str | Path, org: str = "heldout") -> pl.DataFrame:
    """Read a labelled history (format in the module docstring) as linker input + ``true_id``."""
    path = Path(path)
    try:
        rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    except (OSError, UnicodeDecodeError) as exc:
        raise FollowupError(f"cannot read labelled history {path}: {exc}") from exc
    if not rows or set(COLUMNS) - set(rows[0]):
        raise FollowupError(f"labelled history {path}: header must be {','.join(COLUMNS)}")
    last: dict[str, dict[str, str]] = {}
    counter: dict[str, int] = {}
    out = []
    for n, r in enumerate(rows, start=2):
        tid, period = r["true_id"].strip(), r["period"].strip()
        prev = last.get(tid, {})
        rec = {}
        for c in ("unit", "goal_area", "activity"):
            rec[c] = (r[c] or "").strip() or prev.get(c)
            if not rec[c]:
                raise FollowupError(f"labelled history {path}, line {n}: {tid} has no {c}")
        last[tid] = rec
        counter[period] = counter.get(period, 0) + 1
        out.append(
            {
                "org": org,
                "period": period,
                "source_row": counter[period],
                **rec,
                "status": (r["status"] or "").strip() or None,
                "comment": (r["comment"] or "").strip() or None,
                "true_id": tid,
            }
        )
    return pl.DataFrame(out)


def _previous_rows(df: pl.DataFrame, id_col: str) -> pl.DataFrame:
    """Each row (org, period, source_row) with the (period, source_row) of the previous
    appearance of its ``id_col`` (null for a first appearance)."""
    periods = sorted(set(df.get_column("period").to_list()), key=period_sort_key)
    rank = {p: i for i, p in enumerate(periods)}
    d = df.select("org", "period", "source_row", id_col).with_columns(
        pl.col("period").replace_strict(rank, return_dtype=pl.Int64).alias("_r")
    )
    d = d.sort("org", id_col, "_r").with_columns(
        pl.col("period").shift(1).over("org", id_col).alias("prev_period"),
        pl.col("source_row").shift(1).over("org", id_col).alias("prev_row"),
    )
    return d.select("org", "period", "source_row", "prev_period", "prev_row")


def link_quality(
    snapshots_with_ids: pl.DataFrame,
    links: pl.DataFrame,
    candidates: pl.DataFrame | None = None,
) -> dict[str, float]:
    """Figures of a linking result against ``true_id`` (see module docstring).

    ``candidates``: (org, period, source_row, candidate_activity_id) of each unlinked row's first
    review candidate; by default taken from the links' ``alternative_ids`` column when present."""
    key = ["org", "period", "source_row"]
    truth = _previous_rows(snapshots_with_ids, "true_id").filter(pl.col("prev_row").is_not_null())
    pred = _previous_rows(snapshots_with_ids, "activity_id").rename(
        {"prev_period": "p_period", "prev_row": "p_row"}
    )
    lk = links.select(*key, "method", "needs_review", "activity_id")
    t = truth.join(pred, on=key, how="left").join(lk, on=key, how="left")
    right = (pl.col("p_period") == pl.col("prev_period")) & (pl.col("p_row") == pl.col("prev_row"))
    t = t.with_columns(right.fill_null(False).alias("right"))
    auto = pred.filter(pl.col("p_row").is_not_null()).join(lk, on=key)
    auto = auto.filter(pl.col("method").is_in(["exact", "fuzzy"]) & ~pl.col("needs_review"))
    auto = auto.join(truth, on=key, how="left").with_columns(
        ((pl.col("p_period") == pl.col("prev_period")) & (pl.col("p_row") == pl.col("prev_row")))
        .fill_null(False)
        .alias("ok")
    )
    n_true = t.height
    auto_right = auto.get_column("ok").sum()
    # the right previous row's activity id, to check the first review candidate against
    ids = snapshots_with_ids.select(
        "org",
        pl.col("period").alias("prev_period"),
        pl.col("source_row").alias("prev_row"),
        pl.col("activity_id").alias("true_prev_id"),
    )
    t = t.join(ids, on=["org", "prev_period", "prev_row"], how="left")
    if candidates is None and "alternative_ids" in links.columns:
        candidates = links.select(
            *key, pl.col("alternative_ids").list.first().alias("candidate_activity_id")
        )
    if candidates is not None:
        t = t.join(candidates.select(*key, "candidate_activity_id"), on=key, how="left")
        first = (pl.col("method") == "new") & (
            pl.col("candidate_activity_id") == pl.col("true_prev_id")
        )
    else:
        first = pl.lit(False)
    found = t.select((pl.col("right") | first.fill_null(False)).sum()).item()
    return {
        "true_pairs": float(n_true),
        "automatic_links": float(auto.height),
        "precision": auto_right / auto.height if auto.height else 1.0,
        "recall": auto_right / n_true if n_true else 1.0,
        "linked_or_first": found / n_true if n_true else 1.0,
        "transitions": t.get_column("right").sum() / n_true if n_true else 1.0,
    }


def exact_text_baseline(history: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The simple baseline: a row keeps the id of the previous period's row with the same
    normalised text (case, diacritics, punctuation folded), else it is new. Returns
    (history with ``activity_id``, links with ``method`` and ``needs_review``)."""
    periods = sorted(set(history.get_column("period").to_list()), key=period_sort_key)
    out = []
    for org in sorted(set(history.get_column("org").to_list())):
        prev: dict[str, str] = {}
        for p in periods:
            part = history.filter((pl.col("org") == org) & (pl.col("period") == p))
            cur: dict[str, str] = {}
            for row, text in part.select("source_row", "activity").iter_rows():
                norm = normalise_text(text)
                aid = prev.get(norm) or f"{org}:{p}:{row}"
                method = "exact" if norm in prev else "new"
                cur[norm] = aid
                out.append((org, p, row, aid, method))
            prev = cur
    links = pl.DataFrame(
        out,
        schema=["org", "period", "source_row", "activity_id", "method"],
        orient="row",
    ).with_columns(pl.lit(False).alias("needs_review"))
    snaps = history.join(
        links.select("org", "period", "source_row", "activity_id"),
        on=["org", "period", "source_row"],
    )
    return snaps, links


def labelled_pairs(history: pl.DataFrame, config=None) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Features and labels of every (row, candidate) pair the linker could compare in a labelled
    history: each row against the activities (by true id, latest text) in its look-back window.
    Units renamed as a whole are detected as the linker does. For fitting ``link_model.yaml``."""
    from pipelines.link import linker as lk

    cfg = config or lk.load_config()
    feats: dict[str, list[np.ndarray]] = {}
    labels: list[np.ndarray] = []
    for org_df in history.partition_by("org"):
        periods = sorted(set(org_df.get_column("period").to_list()), key=period_sort_key)
        state = lk._OrgState()
        codes: dict[str, int] = {}
        for t, period in enumerate(periods):
            state.periods.append(period)
            frame = org_df.filter(pl.col("period") == period).sort("source_row")
            cols = [frame.get_column(c).to_list() for c in ("activity", "goal_area", "unit")]
            com = frame.get_column("comment").to_list()
            tids = frame.get_column("true_id").to_list()
            rows = lk._Texts.build(*cols, com, codes)
            lo = t - 1 - cfg.lookback_periods
            cand = [i for i, last in enumerate(state.last) if lo <= last <= t - 1]
            if cand:
                ctexts = lk._Texts.from_parts([state.parts_of(i) for i in cand], codes)
                exact = [
                    tid
                    if tid in state.index and state.norm(state.index[tid]) == rows.norm[r]
                    else None
                    for r, tid in enumerate(tids)
                ]
                lk._apply_unit_renames(rows, ctexts, state, exact, t, codes)
                gaps = np.array([t - 1 - state.last[i] for i in cand], dtype=np.float64)
                text, _, goal, unit = lk._scores(rows, ctexts, cfg)
                f = lk._features(rows, ctexts, text, goal, unit, gaps)
                for k, v in f.items():
                    feats.setdefault(k, []).append(np.asarray(v).ravel())
                same = np.array(tids)[:, None] == np.array([state.ids[i] for i in cand])[None, :]
                labels.append(same.ravel().astype(np.float64))
            for r, tid in enumerate(tids):
                state.upsert(tid, t, cols[0][r], cols[1][r], cols[2][r], com[r])
    return {k: np.concatenate(v) for k, v in feats.items()}, np.concatenate(labels)
