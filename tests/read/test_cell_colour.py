"""The status from a scanned cell's pixels: fills and dots, JPEG noise, no colour."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from pipelines.read.cell_colour import cell_colour

BOX = (20, 20, 140, 80)


def _cell(fill=None, dot=None, text=True, quality=60, seed=0) -> np.ndarray:
    """A white page with one ruled cell, filled or with a dot, grainy and JPEG-compressed."""
    image = Image.new("RGB", (160, 100), "white")
    draw = ImageDraw.Draw(image)
    if fill:
        draw.rectangle(BOX, fill=fill)
    if dot:
        draw.ellipse((70, 40, 86, 56), fill=dot)
    if text:
        draw.text((30, 30), "Ej klar", fill="black")
    draw.rectangle(BOX, outline="black")
    array = np.asarray(image).astype(np.int16)
    array += np.random.default_rng(seed).normal(0, 6, array.shape[:2])[..., None].astype(np.int16)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(array, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(buffer).convert("RGB"))


@pytest.mark.parametrize(
    ("colour", "status"),
    [
        ("#00B050", "green"),
        ("#92D050", "green"),
        ("#FFFF00", "yellow"),
        ("#FFC000", "yellow"),
        ("#FF0000", "red"),
        ("#C00000", "red"),
        ("#C6EFCE", "green"),  # Excel's pale conditional-formatting presets
        ("#FFEB9C", "yellow"),
        ("#FFC7CE", "red"),
    ],
)
def test_a_fill_or_a_dot_gives_the_nearest_traffic_light(colour, status):
    filled = cell_colour(_cell(fill=colour), BOX)
    assert (filled.status, filled.encoding) == (status, "fill")
    dotted = cell_colour(_cell(dot=colour, text=False), BOX)
    assert (dotted.status, dotted.encoding) == (status, "dot")


def test_black_text_grain_and_jpeg_are_no_colour():
    for seed in range(5):
        found = cell_colour(_cell(quality=30, seed=seed), BOX)
        assert found.status is None and found.encoding == "none"


def test_grey_and_blue_are_no_traffic_light():
    assert cell_colour(_cell(fill="#D9D9D9"), BOX).status is None
    blue = cell_colour(_cell(fill="#4472C4"), BOX)
    assert blue.status is None and blue.hex is not None  # kept, so the reader can say it
