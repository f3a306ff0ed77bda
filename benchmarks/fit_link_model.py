"""Fit the linker's logistic model on the hand-reworded development history (never the test one).

Prints the coefficients and the fit's log-loss; ``--write`` stores them in
``pipelines/link/link_model.yaml``. Refit after changing the features or ``synonyms.yaml``.

    uv run python benchmarks/fit_link_model.py [--write] [--l2 1.0]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
from pathlib import Path

import numpy as np

from pipelines.link.evaluation import labelled_pairs, load_labelled_history
from pipelines.link.model import FEATURES, MODEL_PATH, fit_logistic

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "linking" / "dev_history.csv"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--l2", type=float, default=1.0)
    args = ap.parse_args()
    feats, y = labelled_pairs(load_labelled_history(DEV))
    x = np.column_stack([feats[f] for f in FEATURES])
    beta = fit_logistic(x, y, l2=args.l2)
    p = 1 / (1 + np.exp(-(beta[0] + x @ beta[1:])))
    eps = 1e-12
    loss = -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))
    print(f"{len(y)} pairs ({int(y.sum())} same activity), log-loss {loss:.4f}")
    print(f"intercept {beta[0]:+.3f}")
    for f, b in zip(FEATURES, beta[1:], strict=True):
        print(f"{f:>16} {b:+.3f}")
    if args.write:
        sha = hashlib.sha256(DEV.read_bytes()).hexdigest()[:12]
        lines = [
            "# Logistic model of 'same activity' (pipelines/link/model.py), written by",
            "# benchmarks/fit_link_model.py: fitted on tests/data/linking/dev_history.csv",
            f"# (sha256 {sha}, {len(y)} row×candidate pairs, L2 {args.l2}) on {dt.date.today()}.",
            "# The test history is never used for fitting.",
            f"intercept: {beta[0]:.4f}",
            "weights:",
            *(f"  {f}: {b:.4f}" for f, b in zip(FEATURES, beta[1:], strict=True)),
        ]
        MODEL_PATH.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"written to {MODEL_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
