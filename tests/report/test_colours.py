"""WCAG arithmetic and the status palette (the rendered-page test measures the same in Chromium)."""

from __future__ import annotations

import pytest

from pipelines.report.colours import MARKERS, STATUS_FILL, STATUS_TEXT, WCAG_AA, contrast_ratio


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    # the complaint: white on the Office green is about 2.9:1
    assert contrast_ratio("#FFFFFF", "#00B050") == pytest.approx(2.87, abs=0.02)


@pytest.mark.parametrize("status", list(STATUS_FILL))
def test_every_status_text_meets_aa_on_its_tint(status):
    assert contrast_ratio(STATUS_TEXT[status], STATUS_FILL[status]) >= WCAG_AA
    assert STATUS_FILL[status] != MARKERS[status]  # the marker is the report's own colour
