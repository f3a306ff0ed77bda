"""Skew of a scanned page, measured on its rules and turned straight."""

from __future__ import annotations

import pytest

from pipelines.read.raster import deskew, skew_angle
from tests.read.pdf_factory import make_report_pdf
from tests.read.scan_factory import TEMPLATES, degrade, other_rows, rasterise


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    path = tmp_path_factory.mktemp("raster") / "page.pdf"
    make_report_pdf(path, other_rows(4), **TEMPLATES[1].options)
    return rasterise(path, 150)[0]


@pytest.mark.parametrize("angle", [0.0, 0.3, -0.9, 2.0, -3.0])
def test_the_skew_is_measured_within_a_tenth_of_a_degree(page, angle):
    turned = degrade(page, angle=angle, noise=6, seed=1)
    assert skew_angle(turned) == pytest.approx(angle, abs=0.1)
    straight, measured = deskew(turned)
    assert abs(skew_angle(straight)) <= 0.1
