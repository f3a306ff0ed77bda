"""The logistic model (pipelines/link/model.py): fitting recovers known weights; the stored
model reads; probabilities move the right way with the evidence."""

import numpy as np
import pytest

from pipelines.core.errors import FollowupError
from pipelines.link.model import FEATURES, fit_logistic, load_model, probability


def test_fit_recovers_generated_coefficients():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(20_000, 3))
    beta = np.array([-1.0, 2.0, -3.0, 0.5])
    p = 1 / (1 + np.exp(-(beta[0] + x @ beta[1:])))
    y = (rng.random(len(p)) < p).astype(float)
    fitted = fit_logistic(x, y, l2=0.0)
    assert fitted == pytest.approx(beta, abs=0.15)


def test_stored_model_probabilities_follow_the_evidence():
    intercept, weights = load_model()
    assert set(weights) == set(FEATURES)
    base = {f: np.zeros((1, 2)) for f in FEATURES}
    base["text"] = np.array([[0.5, 0.5]])
    base["words_dice"] = np.array([[0.2, 0.8]])
    p = probability(base)
    assert p[0, 1] > p[0, 0]
    conflict = dict(base, numbers_differ=np.array([[0.0, 1.0]]))
    assert probability(conflict)[0, 1] < p[0, 1]


def test_unreadable_model_is_a_followup_error(tmp_path):
    bad = tmp_path / "model.yaml"
    bad.write_text("weights: {text: 1}\n", encoding="utf-8")
    with pytest.raises(FollowupError, match="cannot read linking model"):
        load_model(str(bad))
