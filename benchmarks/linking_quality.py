"""Linking quality and speed: hand-reworded held-out histories, then simulated ones.

First the hand-reworded histories (``tests/data/linking``, written by a person as a plan is
revised): the development history (the model and thresholds were fitted/chosen on it) and the
frozen test history (committed before any tuning, at commit ``TEST_COMMIT``; never tuned on),
each beside the exact-text baseline and, for the test, the linker without ``synonyms.yaml``.
Figures: precision/recall of automatic links, linked-or-first-candidate, transitions found
(``pipelines.link.evaluation``). Targets on unseen hand-reworded histories: P ≥ 0.97,
R ≥ 0.93, linked-or-first ≥ 0.99, transitions ≥ 0.93.

Then pairwise precision/recall of "same activity" links for the simulator's ``light`` (light
rewording + OCR noise; goal ≥ 0.99 each) and ``heavy`` (heavy rewording + OCR noise; goal ≥
0.99 since the evidence linker) presets over several seeds, the ``stress`` preset (no goal:
where it starts to break), and the time to link 12 periods × 500 activities and to add one more
period.

    uv run python benchmarks/linking_quality.py [--seeds 5] [--activities 500] [--periods 12]
        [--heldout-only]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import tempfile
import time
from pathlib import Path

import polars as pl

from pipelines.core.periods import period_sort_key
from pipelines.link import evidence
from pipelines.link.evaluation import exact_text_baseline, link_quality, load_labelled_history
from pipelines.link.linker import link_history, link_period, load_config
from pipelines.synthetic.simulate import pairwise_quality, simulate_orgs

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "linking"
# The test history was committed before any tuning in this commit; its content must not change.
TEST_COMMIT = "11bc9c86ee38545b97e93bd733fea291fb1dc4bc"
TEST_SHA256 = "169bdff9c54824eee8dd80b4760a47e9103f545650681bce70ea8aa63a816c60"
HELDOUT_TARGETS = {"precision": 0.97, "recall": 0.93, "linked_or_first": 0.99, "transitions": 0.93}


def _fmt(q: dict[str, float]) -> str:
    return (
        f"P {q['precision']:.4f}  R {q['recall']:.4f}  linked-or-first "
        f"{q['linked_or_first']:.4f}  transitions {q['transitions']:.4f}  "
        f"({int(q['automatic_links'])} automatic links / {int(q['true_pairs'])} true pairs)"
    )


def _without_synonyms(hist: pl.DataFrame, cfg) -> dict[str, float]:
    """The linker with an empty synonyms file (what the synonyms add)."""
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "synonyms.yaml"
        empty.write_text("abbreviations: []\nsynonyms: []\ngroups: []\n", encoding="utf-8")
        saved = evidence.SYNONYMS_PATH
        evidence.SYNONYMS_PATH = empty
        evidence.load_lexicon.cache_clear()
        evidence.analyse.cache_clear()
        evidence.comment_tokens.cache_clear()
        try:
            res = link_history(hist, config=cfg)
            return link_quality(res.snapshots_with_ids, res.links)
        finally:
            evidence.SYNONYMS_PATH = saved
            evidence.load_lexicon.cache_clear()
            evidence.analyse.cache_clear()
            evidence.comment_tokens.cache_clear()


def heldout(cfg) -> bool:
    """Print the hand-reworded figures; whether the test history meets the targets."""
    sha = hashlib.sha256((DATA / "test_history.csv").read_bytes()).hexdigest()
    frozen = "unchanged since" if sha == TEST_SHA256 else "CHANGED after"
    print(f"hand-reworded histories (test history {frozen} commit {TEST_COMMIT[:10]})")
    ok = True
    for name, tuned in (("dev", "fitted and tuned on"), ("test", "never tuned on")):
        hist = load_labelled_history(DATA / f"{name}_history.csv", org=f"heldout-{name}")
        t0 = time.perf_counter()
        res = link_history(hist, config=cfg)
        elapsed = time.perf_counter() - t0
        q = link_quality(res.snapshots_with_ids, res.links)
        snaps, links = exact_text_baseline(hist)
        b = link_quality(snaps, links)
        print(f"  {name} ({tuned}; {hist.height} rows, {elapsed:.2f} s)")
        print(f"    linker           {_fmt(q)}")
        print(f"    exact-text base  {_fmt(b)}")
        if name == "test":
            print(f"    no synonyms.yaml {_fmt(_without_synonyms(hist, cfg))}")
            met = all(q[k] >= v for k, v in HELDOUT_TARGETS.items())
            ok &= met
            print(f"    targets {HELDOUT_TARGETS}: {'met' if met else 'NOT met'}")
    print()
    return ok


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


GOALS = {"light": 0.99, "heavy": 0.99, "stress": None}  # stress: no goal, shows the limits


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--activities", type=int, default=500)
    ap.add_argument("--periods", type=int, default=12)
    ap.add_argument("--heldout-only", action="store_true", help="skip the simulated histories")
    args = ap.parse_args()
    cfg = load_config()
    all_ok = heldout(cfg)
    if args.heldout_only:
        print("held-out targets met" if all_ok else "held-out targets NOT met")
        return
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
