"""The probability that a row and a candidate are the same activity: a logistic model.

``p = 1 / (1 + exp(-(intercept + Σ weight_f · feature_f)))`` over the features below, with the
coefficients in ``link_model.yaml`` (fitted on the hand-reworded development history by
``benchmarks/fit_link_model.py``; refit after changing the features or the synonyms). The
linker's bands and its review queue use this probability.

Features (rows × candidates):

- ``text``: character similarity of the match keys, 0–1 (the linker's text score / 100);
- ``words_dice``, ``words_overlap``: IDF-weighted overlap of content words (``evidence``);
- ``goal_area``, ``unit``: +1 same, −1 both known and different, 0 unknown (units renamed as a
  whole count as the same);
- ``comment``: comment continuity, 0–1 (``evidence``);
- ``numbers_differ``, ``groups_differ``: 1 when numbers or named groups conflict;
- ``gap``: periods the candidate was missing before this one;
- ``mutual_best``: 1 when the row and the candidate are each other's best on text + words.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from pipelines.core.errors import FollowupError

MODEL_PATH = Path(__file__).with_name("link_model.yaml")
FEATURES = (
    "text",
    "words_dice",
    "words_overlap",
    "goal_area",
    "unit",
    "comment",
    "numbers_differ",
    "groups_differ",
    "gap",
    "mutual_best",
)


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> tuple[float, dict[str, float]]:
    """(intercept, weight per feature) from ``link_model.yaml`` (or ``path``)."""
    p = Path(path) if path else MODEL_PATH
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        intercept = float(data["intercept"])
        weights = {f: float(data["weights"].get(f, 0.0)) for f in FEATURES}
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise FollowupError(f"cannot read linking model {p}: {exc}") from exc
    return intercept, weights


def logit(features: dict[str, np.ndarray], path: str | None = None) -> np.ndarray:
    """Log-odds of "same activity" for feature matrices of one shape."""
    intercept, weights = load_model(path)
    out = None
    for f in FEATURES:
        w = weights[f]
        if w == 0.0:
            continue
        term = w * np.asarray(features[f], dtype=np.float64)
        out = term if out is None else out + term
    shape = np.shape(features["text"])
    return (out if out is not None else np.zeros(shape)) + intercept


def probability(features: dict[str, np.ndarray], path: str | None = None) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-logit(features, path)))


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 50) -> np.ndarray:
    """Newton–Raphson (IRLS) logistic regression with an L2 penalty on the weights (not the
    intercept). ``x`` without the intercept column; returns [intercept, *weights]."""
    xb = np.hstack([np.ones((x.shape[0], 1)), x])
    beta = np.zeros(xb.shape[1])
    penalty = np.full(xb.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(xb @ beta)))
        grad = xb.T @ (y - p) - penalty * beta
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        beta += step
        if np.max(np.abs(step)) < 1e-8:
            break
    return beta
