"""Tesseract OCR of regions of a page image, with the Swedish model (``swe``).

One Tesseract API is kept per process (loading the model costs ~0.3 s); a page image is set
once and each cell is read as a rectangle of it — a cell of several lines as a block
(page segmentation mode 6), a one-line cell as a line (mode 7). The Python binding is
tesserocr, whose wheel carries the Tesseract library; the ``swe`` model comes from the
Debian package ``tesseract-ocr-swe`` (or wherever ``TESSDATA_PREFIX`` points).
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipelines.core.errors import ReportFormatError

LANGUAGE = "swe"
PACKAGES = "tesseract-ocr tesseract-ocr-swe"
MISSING = (
    f"reading scans needs Tesseract's Swedish model: install the Debian packages {PACKAGES} "
    f"(`apt-get install -y {PACKAGES}`; `./run test` does it when run as root), or point "
    "TESSDATA_PREFIX at a folder holding swe.traineddata"
)
_SEARCH = (
    "/usr/share/tesseract-ocr/*/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)

_api = None  # this process's Tesseract API


def tessdata_dir() -> str:
    """The folder holding ``swe.traineddata``; ReportFormatError naming the packages if none."""
    candidates = []
    if os.environ.get("TESSDATA_PREFIX"):
        prefix = Path(os.environ["TESSDATA_PREFIX"])
        candidates += [prefix, prefix / "tessdata"]
    for pattern in _SEARCH:
        candidates += [Path(p) for p in sorted(glob.glob(pattern), reverse=True)]
    for folder in candidates:
        if (folder / f"{LANGUAGE}.traineddata").is_file():
            return str(folder)
    raise ReportFormatError(MISSING)


def api():
    """This process's Tesseract API, created on first use."""
    global _api
    if _api is None:
        # One thread per Tesseract: pages already run one process per core, and OpenMP
        # threads on top of that only fight over the cores.
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        try:
            import tesserocr
        except ImportError as exc:  # the wheel is a dependency; a broken install says so
            raise ReportFormatError(f"{MISSING} ({exc})") from exc
        _api = tesserocr.PyTessBaseAPI(path=tessdata_dir(), lang=LANGUAGE)
        _api.SetVariable("user_defined_dpi", "200")
    return _api


@dataclass(frozen=True)
class Text:
    text: str
    confidence: float  # Tesseract's mean word confidence, 0-100 (100 for an empty region)


class PageOCR:
    """OCR of regions of one page image."""

    def __init__(self, rgb: np.ndarray, dpi: float):
        from PIL import Image

        self.api = api()
        self.api.SetVariable("user_defined_dpi", str(int(dpi)))
        self.api.SetImage(Image.fromarray(rgb))
        self.shape = rgb.shape[:2]

    def read(self, box: tuple[int, int, int, int], one_line: bool = False) -> Text:
        """The text in ``box`` (x0, top, x1, bottom), lines joined with newlines."""
        import tesserocr

        x0, top, x1, bottom = box
        x0, top = max(0, x0), max(0, top)
        x1, bottom = min(self.shape[1], x1), min(self.shape[0], bottom)
        if x1 - x0 < 4 or bottom - top < 4:
            return Text("", 100.0)
        mode = tesserocr.PSM.SINGLE_LINE if one_line else tesserocr.PSM.SINGLE_BLOCK
        self.api.SetPageSegMode(mode)
        self.api.SetRectangle(x0, top, x1 - x0, bottom - top)
        text = self.api.GetUTF8Text().strip()
        if not text:
            return Text("", 100.0)
        return Text(text, float(self.api.MeanTextConf()))
