"""Linking quality and speed on simulated histories with known truth.

Prints pairwise precision/recall of "same activity" links for the ``light`` (light rewording
+ OCR noise; goal ≥ 0.99 each) and ``heavy`` (heavy rewording + OCR noise; goal ≥ 0.95)
presets over several seeds, the ``stress`` preset (no goal: where it starts to break), and the
time to link 12 periods × 500 activities (goal: seconds) and to add one more period.

    uv run python benchmarks/linking_quality.py [--seeds 5] [--activities 500] [--periods 12]
"""

from __future__ import annotations

import argparse
import statistics
import time

import polars as pl

from pipelines.core.periods import period_sort_key
from pipelines.link.linker import link_history, link_period, load_config
from pipelines.synthetic.simulate import pairwise_quality, simulate_orgs


def review_split(res) -> tuple[float, float]:
    """Precision of the links accepted without review, and the share of wrong links flagged."""
    snaps = res.snapshots_with_ids.select("org", "period", "source_row", "activity_id", "true_id")
    links = res.links.filter(pl.col("method").is_in(["exact", "fuzzy"])).join(
        snaps, on=["org", "period", "source_row", "activity_id"]
    )
    prev = snaps.select(
        "org",
        pl.col("period").alias("matched_from_period"),
        "activity_id",
        pl.col("true_id").alias("prev_true"),
    )
    links = links.join(prev, on=["org", "matched_from_period", "activity_id"])
    links = links.with_columns((pl.col("true_id") == pl.col("prev_true")).alias("ok"))
    accepted = links.filter(~pl.col("needs_review"))
    wrong = links.filter(~pl.col("ok"))
    prec = accepted.get_column("ok").mean() if accepted.height else 1.0
    caught = wrong.get_column("needs_review").mean() if wrong.height else 1.0
    return float(prec), float(caught)


GOALS = {"light": 0.99, "heavy": 0.95, "stress": None}  # stress: no goal, shows the limits


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--activities", type=int, default=500)
    ap.add_argument("--periods", type=int, default=12)
    args = ap.parse_args()
    cfg = load_config()
    print(
        f"config: accept={cfg.accept} review={cfg.review} lookback={cfg.lookback_periods} "
        f"goal_area±{cfg.goal_area_weight} unit±{cfg.unit_weight} comment+{cfg.comment_weight}"
    )
    print(
        f"{args.seeds} seeds × 1 org × {args.periods} periods × {args.activities} activities "
        "(pairs = same activity in an org's consecutive periods; 'appearance' includes gaps;\n"
        "'P accepted' = precision of links not flagged for review; "
        "'wrong flagged' = share of wrong links that were flagged)\n"
    )
    header = (
        f"{'preset':6} {'seed':>4} {'rows':>6} {'pairs':>6} {'P cons':>7} {'R cons':>7} "
        f"{'P appear':>8} {'R appear':>8} {'review%':>7} {'P accepted':>10} {'wrong flagged':>13} "
        f"{'link s':>7} {'+1 period s':>11}"
    )
    all_ok = True
    for preset, goal in GOALS.items():
        print(header)
        qs, times = [], []
        for seed in range(args.seeds):
            hist = simulate_orgs(1, args.activities, args.periods, seed=seed, intensity=preset)
            t0 = time.perf_counter()
            res = link_history(hist, config=cfg)
            elapsed = time.perf_counter() - t0
            last = max(hist.get_column("period").unique().to_list(), key=period_sort_key)
            head = link_history(hist.filter(pl.col("period") != last), config=cfg)
            t1 = time.perf_counter()
            link_period(head, hist.filter(pl.col("period") == last), config=cfg)
            inc = time.perf_counter() - t1
            q = pairwise_quality(res.snapshots_with_ids)
            qs.append(q)
            times.append(elapsed)
            review = res.links.get_column("needs_review").mean() * 100
            p_acc, caught = review_split(res)
            print(
                f"{preset:6} {seed:>4} {hist.height:>6} {int(q['consecutive_true_pairs']):>6} "
                f"{q['consecutive_precision']:>7.4f} {q['consecutive_recall']:>7.4f} "
                f"{q['appearance_precision']:>8.4f} {q['appearance_recall']:>8.4f} "
                f"{review:>6.1f}% {p_acc:>10.4f} {caught:>12.0%} {elapsed:>7.2f} {inc:>11.3f}"
            )
        mean = {k: statistics.fmean(q[k] for q in qs) for k in qs[0]}
        worst = {k: min(q[k] for q in qs) for k in qs[0]}
        ok = goal is None or all(
            worst[k] >= goal
            for k in (
                "consecutive_precision",
                "consecutive_recall",
                "appearance_precision",
                "appearance_recall",
            )
        )
        all_ok &= ok
        m, w = mean, worst
        print(
            f"{preset}: mean P={m['consecutive_precision']:.4f} R={m['consecutive_recall']:.4f} "
            f"(appearance P={m['appearance_precision']:.4f} R={m['appearance_recall']:.4f}); "
            f"worst seed P={w['consecutive_precision']:.4f} R={w['consecutive_recall']:.4f}; "
            + (f"goal ≥{goal}: {'met' if ok else 'NOT met'}; " if goal else "no goal; ")
            + f"link time median {statistics.median(times):.2f} s\n"
        )
    print("all goals met" if all_ok else "some goals NOT met")


if __name__ == "__main__":
    main()
